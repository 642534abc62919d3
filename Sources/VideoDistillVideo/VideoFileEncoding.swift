import VideoDistill

/// What reading a video file found in it (the C API's `vd_video_file_info`).
public struct VideoFileReport: Sendable {
    /// F, the frames the source holds.
    public let frameCount: Int
    /// The frame count the container declares, when it declares one.
    public let declaredFrameCount: Int?
    public let width: Int
    public let height: Int
    /// The sampled frames (0..<N) whose own frame could not be decoded, each with the frame standing in for it.
    public let replaced: [(sample: Int, wanted: Int, used: Int)]
}

/// The policy for a sampled frame that cannot be decoded (include/videodistill_video.h), in one place for
/// encoding (`encode(source:)`) and for reading frames out (`sampleFrames(source:)`): replaced by the nearest
/// earlier sampled frame that could be, or, when none could, by the nearest later one; none at all is
/// `.undecodable`. `strict` refuses instead, at the first such frame, and refuses a file that declares more
/// frames than it holds.
final class SampledFrameReader {
    let source: FrameSource
    let strict: Bool
    /// SPEC 1's pick of N of the source's F frames.
    let picked: [Int]
    private var delivered: FrameRead?   // the last frame that decoded; the caller's buffer still holds it
    private var replaced: [(wanted: Int, used: Int)] = []

    init(source: FrameSource, numFrames: Int, strict: Bool) throws {
        if strict, let declared = source.declaredFrameCount, declared > source.frameCount {
            throw FrameSourceError.undecodable(
                "\(source.name): the file declares \(declared) frames but holds \(source.frameCount) (truncated or damaged)")
        }
        (self.source, self.strict) = (source, strict)
        picked = FramePipeline.frameIndices(frameCount: source.frameCount, numFrames: numFrames)
    }

    /// Reads picked frame `index` into `rgb` (height * width * 3 bytes), or the frame standing in for it.
    /// Picked frames must be asked in ascending order, each once, into the same buffer.
    func read(_ index: Int, into rgb: UnsafeMutableBufferPointer<UInt8>) throws -> FrameRead {
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

    /// The report once every picked frame was read; `replacedSamples`: the samples (0..<N) that hold a neighbour.
    func report(replacedSamples: [Int]) -> VideoFileReport {
        let wanted = Dictionary(replaced.map { ($0.wanted, $0.used) }, uniquingKeysWith: { a, _ in a })
        return VideoFileReport(
            frameCount: source.frameCount, declaredFrameCount: source.declaredFrameCount, width: source.width,
            height: source.height, replaced: replacedSamples.map { n in (n, picked[n], wanted[picked[n]] ?? picked[n]) })
    }
}

/// The N frames SPEC 1 picks from a frame source, decoded as `encode(source:)` decodes them, in pick order:
/// for callers that preprocess frames themselves (the training pipeline, `vd_read_video_file_frames`).
public struct SampledFrames {
    /// uint8 RGB [N, height, width, 3] (`report.height`, `report.width`).
    public let rgb: [UInt8]
    /// Per sample: the source frame whose pixels it holds (SPEC 1's idx_n, or the one standing in for it).
    public let sourceFrames: [Int]
    /// Per sample: that frame's time in seconds after the first, nil when the source does not know.
    public let seconds: [Double?]
    public let report: VideoFileReport
}

/// Decodes SPEC 1's pick of `numFrames` frames of `source` (each distinct frame once, ascending) with the
/// policy of `SampledFrameReader`; `readProgress(done, total)` counts distinct frames.
public func sampleFrames(source: FrameSource, numFrames: Int, strict: Bool = false,
                         readProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> SampledFrames {
    guard numFrames >= 1 else { throw FrameSourceError.invalidArgument("num_frames = \(numFrames) must be at least 1") }
    let reader = try SampledFrameReader(source: source, numFrames: numFrames, strict: strict)
    let frameBytes = source.frameBytes
    let (total, overflow) = frameBytes.multipliedReportingOverflow(by: numFrames)
    guard !overflow else {
        throw FrameSourceError.invalidArgument("\(numFrames) frames of \(source.width) x \(source.height) overflow memory sizes")
    }
    var rgb = [UInt8](repeating: 0, count: total)
    var sources: [Int] = [], seconds: [Double?] = [], replacedSamples: [Int] = []
    var last: FrameRead?, distinctDone = 0
    let distinctCount = Set(reader.picked).count
    try rgb.withUnsafeMutableBufferPointer { out in
        for (n, index) in reader.picked.enumerated() {
            let slot = UnsafeMutableBufferPointer(rebasing: out[n * frameBytes ..< (n + 1) * frameBytes])
            if n > 0, index == reader.picked[n - 1], let previous = last {   // repeats (F < N) are adjacent
                slot.baseAddress!.update(from: slot.baseAddress! - frameBytes, count: frameBytes)
                last = previous
            } else {
                if n > 0 {   // the reader's replacement copies the last delivered frame: start from it
                    slot.baseAddress!.update(from: slot.baseAddress! - frameBytes, count: frameBytes)
                }
                last = try reader.read(index, into: slot)
                distinctDone += 1
                readProgress?(distinctDone, distinctCount)
            }
            sources.append(last!.index)
            seconds.append(last!.seconds)
            if last!.replaced { replacedSamples.append(n) }
        }
    }
    return SampledFrames(rgb: rgb, sourceFrames: sources, seconds: seconds,
                         report: reader.report(replacedSamples: replacedSamples))
}

extension VideoDistillModel {
    /// Encodes a frame source (a video file or an image folder; `openFrameSource`) by SPEC 1: only the N picked
    /// frames are decoded (`SampledFrameReader`'s policy for those that cannot be), through the core's
    /// `encode(frameCount:...)`, which encodes each distinct one once. `readProgress` follows the decoding,
    /// `control` the encoding.
    public func encode(source: FrameSource, threads: Int, strict: Bool = false, control: EncodeControl = EncodeControl(),
                       readProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> (EncodedVideo, VideoFileReport) {
        let reader = try SampledFrameReader(source: source, numFrames: config.numFrames, strict: strict)
        let video = try encode(frameCount: source.frameCount, height: source.height, width: source.width,
                               threads: threads, control: control, readProgress: readProgress, readFrame: reader.read)
        return (video, reader.report(replacedSamples: video.replacedSamples))
    }

    /// `encode(source:)` of the video file or image folder at `path`, decoded with `decodeThreads` libav threads.
    public func encode(videoAt path: String, threads: Int, decodeThreads: Int = 0, strict: Bool = false,
                       control: EncodeControl = EncodeControl(),
                       readProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> (EncodedVideo, VideoFileReport) {
        try encode(source: openFrameSource(path: path, threads: decodeThreads), threads: threads, strict: strict,
                   control: control, readProgress: readProgress)
    }
}
