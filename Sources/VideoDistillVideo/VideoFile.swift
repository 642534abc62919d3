import _VDVideoIO

/// A video file (or one image) decoded by `_VDVideoIO` (libavformat, libavcodec, libswscale).
///
/// The frame count comes from one pass over the container's packets at open; reading a frame decodes from
/// the nearest keyframe at or before it, or onward from the previous read (see vd_video_io.h). Not
/// thread-safe: one reader at a time.
public final class VideoFile: FrameSource {
    public let frameCount: Int
    public let height: Int
    public let width: Int
    public let name: String
    private let handle: OpaquePointer

    /// Opens `path` with `threads` decoding threads (0: libav chooses).
    public init(path: String, threads: Int) throws {
        var h: OpaquePointer?
        var err = [CChar](repeating: 0, count: 1024)
        let status = vdio_open(path, Int32(clamping: threads), &h, &err, err.count)
        guard status == VDIO_OK, let handle = h else { throw Self.error(status, err) }
        var n: Int64 = 0, w: Int32 = 0, ht: Int32 = 0
        vdio_info(handle, &n, &w, &ht)
        self.handle = handle
        (frameCount, width, height, name) = (Int(n), Int(w), Int(ht), path)
    }

    deinit { vdio_close(handle) }

    public func readFrame(_ index: Int, into out: UnsafeMutableBufferPointer<UInt8>) throws {
        try readFrames([index], into: out)
    }

    /// Decodes frames `indices` into `out`, frame j at `out + j * frameBytes`. `progress(done, total)` is
    /// called after each frame; returning false stops with `.aborted`.
    public func readFrames(_ indices: [Int], into out: UnsafeMutableBufferPointer<UInt8>,
                           progress: ((Int, Int) -> Bool)? = nil) throws {
        guard let count = Int32(exactly: indices.count) else {
            throw FrameSourceError.invalidArgument("\(indices.count) frames asked for at once")
        }
        let (bytes, overflow) = indices.count.multipliedReportingOverflow(by: frameBytes)
        guard !overflow, out.count >= bytes, indices.isEmpty || out.baseAddress != nil else {
            throw FrameSourceError.invalidArgument("a buffer of \(out.count) bytes is too small for \(indices.count) frames of \(width) x \(height)")
        }
        var err = [CChar](repeating: 0, count: 1024)
        let wanted = indices.map { Int64($0) }
        let box = ProgressBox(progress)
        let status = withExtendedLifetime(box) {
            vdio_read_frames(handle, wanted, count, out.baseAddress, out.count, progress == nil ? nil : { user, done, total in
                let box = Unmanaged<ProgressBox>.fromOpaque(user!).takeUnretainedValue()
                return box.callback!(Int(done), Int(total)) ? 0 : 1
            }, Unmanaged.passUnretained(box).toOpaque(), &err, err.count)
        }
        guard status == VDIO_OK else { throw Self.error(status, err) }
    }

    public func seconds(of index: Int) -> Double? {
        var s = Double.nan
        guard vdio_frame_seconds(handle, Int64(index), &s) == VDIO_OK, s.isFinite else { return nil }
        return s
    }

    public var declaredFrameCount: Int? {
        var n: Int64 = 0
        guard vdio_declared_frames(handle, &n) == VDIO_OK, n > 0 else { return nil }
        return Int(n)
    }

    /// Work done so far: frames out of the decoder, seeks, restarts from the start.
    public var stats: (framesDecoded: Int, seeks: Int, restarts: Int) {
        var d: Int64 = 0, s: Int64 = 0, r: Int64 = 0
        vdio_stats(handle, &d, &s, &r)
        return (Int(d), Int(s), Int(r))
    }

    private static func error(_ status: vdio_status, _ message: [CChar]) -> FrameSourceError {
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch status {
        case VDIO_NOT_FOUND: return .notFound(text)
        case VDIO_BAD_ARGUMENT: return .invalidArgument(text)
        case VDIO_ABORTED: return .aborted
        case VDIO_NO_FRAMES: return .noFrames(text)
        case VDIO_NO_MEMORY: return .undecodable(text.isEmpty ? "out of memory" : text)
        default: return .undecodable(text)
        }
    }
}

/// Carries a Swift progress closure through the C callback's user pointer.
private final class ProgressBox {
    let callback: ((Int, Int) -> Bool)?
    init(_ callback: ((Int, Int) -> Bool)?) { self.callback = callback }
}
