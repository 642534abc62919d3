import VideoDistill
import VideoDistillVideo

/// One video ready for any number of questions: either read by the video library (`VideoDistillModel.encode(source:)`:
/// the frames SPEC 1 picks, and only those, decoded, preprocessed (SPEC 1.1) and encoded), or an encoded-video file
/// saved earlier, mapped (`VideoDistillModel.loadVideo`).
public struct SampledVideo {
    /// tokens [N, 1+P, Dv]; `encoded.sourceFrameIndices` are `sourceFrames`.
    public let encoded: EncodedVideo
    /// What the video library found when it decoded the video now: the declared frame count, the replaced frames;
    /// nil for an encoded-video file.
    public let report: VideoFileReport?
    /// The encoded-video file's precision, when loaded from one.
    public let storedPrecision: TokenPrecision?

    /// F, the frames of the source, when known (an encoded-video file made from tokens does not say).
    public var frameCount: Int? { encoded.sourceSize?.frameCount }
    /// The source frame behind each encoded frame: idx_n = ((2n + 1) F) div (2N), n = 0..<N, or, where that frame
    /// could not be decoded, the frame that stands in for it (`report.replaced`).
    public var sourceFrames: [Int] { encoded.sourceFrameIndices ?? Array(0..<encoded.frameCount) }

    /// What a progress callback is told about.
    public enum Phase: String, Sendable { case decoding, encoding }

    /// Decodes the distinct frames of SPEC 1's pick in ascending order and encodes each once (the video
    /// library's policy for frames that cannot be decoded; `strict` refuses them). `progress(phase, done,
    /// total)` follows both phases.
    public init(source: FrameSource, model: VideoDistillModel, threads: Int, strict: Bool = false,
                progress: ((Phase, Int, Int) -> Void)? = nil) throws {
        let control = EncodeControl(progress: progress.map { p in { p(.encoding, $0, $1) } })
        let (encoded, report) = try model.encode(source: source, threads: threads, strict: strict, control: control,
                                                 readProgress: progress.map { p in { p(.decoding, $0, $1) } })
        (self.encoded, self.report, storedPrecision) = (encoded, report, nil)
    }

    /// The encoded-video file at `path`, mapped, for `model` (another model's file is `.wrongModel`).
    public init(encodedVideoFile path: String, model: VideoDistillModel) throws {
        let file = try EncodedVideoFile(path: path)
        (encoded, report, storedPrecision) = (try model.video(from: file), nil, file.precision)
    }

    /// The video at `path` for `model`: an encoded-video file (known by its magic) is loaded, anything else is
    /// opened with the video library (a video file, an image, a folder of images) and encoded.
    public static func read(path: String, model: VideoDistillModel, threads: Int, strict: Bool = false,
                            progress: ((Phase, Int, Int) -> Void)? = nil) throws -> SampledVideo {
        if EncodedVideoFile.isEncodedVideoFile(path: path) { return try SampledVideo(encodedVideoFile: path, model: model) }
        return try SampledVideo(source: try openFrameSource(path: path, threads: threads), model: model, threads: threads,
                                strict: strict, progress: progress)
    }

    /// Lines to print on standard error about frames that are missing from the file or were replaced.
    public var warnings: [String] {
        guard let report else { return [] }
        var lines: [String] = []
        if let declared = report.declaredFrameCount, declared > report.frameCount {
            lines.append("warning: the file declares \(declared) frames but holds \(report.frameCount) (truncated or damaged); sampled from the \(report.frameCount)")
        }
        if !report.replaced.isEmpty {
            var seen = Set<Int>()
            let list = report.replaced.filter { seen.insert($0.wanted).inserted }.map { "\($0.wanted) by \($0.used)" }
                .joined(separator: ", ")
            lines.append("warning: \(report.replaced.count) of the \(encoded.frameCount) sampled frames could not be decoded and were replaced by their nearest decoded neighbour (frame \(list)); --strict refuses instead")
        }
        return lines
    }
}
