import Foundation

/// A video's frames as the runtime takes them (SPEC 12): F >= 1 frames numbered 0..<F, all `height` x
/// `width`, uint8 RGB interleaved, rows of `3 * width` bytes.
public protocol FrameSource: AnyObject {
    /// F.
    var frameCount: Int { get }
    var height: Int { get }
    var width: Int { get }
    /// A name for messages (the path).
    var name: String { get }
    /// Decodes frame `index` (0..<frameCount) into `out` (at least height * width * 3 bytes). Reading
    /// frames in ascending order decodes least. On failure `out` is left as it was.
    func readFrame(_ index: Int, into out: UnsafeMutableBufferPointer<UInt8>) throws
    /// Frame `index`'s time in seconds after the first frame, when the source knows it.
    func seconds(of index: Int) -> Double?
    /// The frame count the container declares, when it declares one (more than `frameCount`: frames are missing).
    var declaredFrameCount: Int? { get }
}

extension FrameSource {
    /// Bytes of one frame, height * width * 3 (sizes are checked when a source opens, so this cannot overflow).
    public var frameBytes: Int { height * width * 3 }
    public func seconds(of index: Int) -> Double? { nil }
    public var declaredFrameCount: Int? { nil }
}

/// Why frames could not be had. Each case carries a message that names the file.
public enum FrameSourceError: Error, Equatable, CustomStringConvertible {
    /// The path does not exist or cannot be read.
    case notFound(String)
    /// Not a video (or image) that can be decoded, no video stream, corrupt, or images of different sizes.
    case undecodable(String)
    /// A video stream or folder with no frames.
    case noFrames(String)
    /// A wrong argument (a frame index out of range, a buffer too small).
    case invalidArgument(String)
    /// The progress callback asked to stop.
    case aborted

    public var description: String {
        switch self {
        case .notFound(let m), .undecodable(let m), .noFrames(let m), .invalidArgument(let m): return m
        case .aborted: return "stopped"
        }
    }
}

/// Opens `path`: a folder of images (`ImageFolder`) or a video file libav reads (`VideoFile`: mp4, webm,
/// mkv, avi, ... or a single image), decoding with `threads` threads.
public func openFrameSource(path: String, threads: Int) throws -> FrameSource {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw FrameSourceError.notFound("\(path): no such file or folder")
    }
    return isDirectory.boolValue ? try ImageFolder(path: path, threads: threads) : try VideoFile(path: path, threads: threads)
}
