import VideoDistill

/// What encoding a video file found in it (the C API's `vd_video_file_info`).
public struct VideoFileReport: Sendable {
    /// F, the frames the source holds.
    public let frameCount: Int
    /// The frame count the container declares, when it declares one.
    public let declaredFrameCount: Int?
    public let width: Int
    public let height: Int
    /// The encoded frames (0..<N) whose own frame could not be decoded, each with the frame standing in for it.
    public let replaced: [(sample: Int, wanted: Int, used: Int)]
}

extension VideoDistillModel {
    /// Encodes a frame source (a video file or an image folder; `openFrameSource`) by SPEC 1: only the N picked
    /// frames are decoded, through the core's `encode(frameCount:...)`, which encodes each distinct one once.
    ///
    /// The policy for a picked frame that cannot be decoded (include/videodistill_video.h): replaced by the
    /// nearest earlier picked frame that could be, or, when none could, by the nearest later one; none at all
    /// is `.undecodable`. `strict` refuses instead, at the first such frame, and refuses a file that declares
    /// more frames than it holds. `readProgress` follows the decoding, `control` the encoding.
    public func encode(source: FrameSource, threads: Int, strict: Bool = false, control: EncodeControl = EncodeControl(),
                       readProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> (EncodedVideo, VideoFileReport) {
        if strict, let declared = source.declaredFrameCount, declared > source.frameCount {
            throw FrameSourceError.undecodable(
                "\(source.name): the file declares \(declared) frames but holds \(source.frameCount) (truncated or damaged)")
        }
        let picked = FramePipeline.frameIndices(frameCount: source.frameCount, numFrames: config.numFrames)
        var delivered: FrameRead?   // the last frame that decoded; `rgb` still holds it
        var replaced: [(wanted: Int, used: Int)] = []
        let video = try encode(frameCount: source.frameCount, height: source.height, width: source.width,
                               threads: threads, control: control, readProgress: readProgress) { index, rgb in
            do {
                try source.readFrame(index, into: rgb)
                delivered = FrameRead(index: index, seconds: source.seconds(of: index))
                return delivered!
            } catch let error as FrameSourceError {
                guard case .undecodable = error, !strict else { throw error }
                if let previous = delivered {   // readFrame leaves `rgb` as it was on failure
                    replaced.append((index, previous.index))
                    return FrameRead(index: previous.index, seconds: previous.seconds, replaced: true)
                }
                // Nothing decoded yet: the nearest later picked frame that decodes stands in.
                for later in picked where later > index {
                    guard (try? source.readFrame(later, into: rgb)) != nil else { continue }
                    replaced.append((index, later))
                    return FrameRead(index: later, seconds: source.seconds(of: later), replaced: true)
                }
                throw FrameSourceError.undecodable("\(source.name): none of its \(Set(picked).count) sampled frames could be decoded (\(error))")
            }
        }
        let wanted = Dictionary(replaced.map { ($0.wanted, $0.used) }, uniquingKeysWith: { a, _ in a })
        let report = VideoFileReport(
            frameCount: source.frameCount, declaredFrameCount: source.declaredFrameCount, width: source.width,
            height: source.height,
            replaced: video.replacedSamples.map { n in (n, picked[n], wanted[picked[n]] ?? picked[n]) })
        return (video, report)
    }

    /// `encode(source:)` of the video file or image folder at `path`, decoded with `decodeThreads` libav threads.
    public func encode(videoAt path: String, threads: Int, decodeThreads: Int = 0, strict: Bool = false,
                       control: EncodeControl = EncodeControl(),
                       readProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> (EncodedVideo, VideoFileReport) {
        try encode(source: openFrameSource(path: path, threads: decodeThreads), threads: threads, strict: strict,
                   control: control, readProgress: readProgress)
    }
}
