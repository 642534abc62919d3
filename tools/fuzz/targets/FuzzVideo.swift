// Fuzz target: video files through the video library (vd_encode_video_file's code: FFmpeg's demuxers and
// decoders, the frame timeline, seeking, conversion, SPEC 1 over the frames, the replacement policy). Input: byte 0
// picks strict (bit 0), the container hint of the file name (bits 1-2: .mp4 .mkv .webm .png) and, with bit 3, the
// frames-out path (sampleFrames, vd_read_video_file_frames's code) instead of encoding; the rest is the file. The model is VD_FUZZ_MODEL (tiny_a: N = 6). Checks: a refusal is a FrameSourceError or VideoDistillError,
// never a crash; a video has N frames whose source frames lie in 0..<F and are read frames, strict never replaces,
// and replaced samples are exactly the report's.
@testable import VideoDistill
import VideoDistillVideo
#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) var model: VideoDistillModel?
nonisolated(unsafe) var scratch = ""

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    guard let path = environment("VD_FUZZ_MODEL") else { fuzzFailure("set VD_FUZZ_MODEL (tools/fuzz/run.sh does)") }
    do { model = try VideoDistillModel(path: path) } catch { fuzzFailure("cannot load \(path): \(error)") }
    scratch = (environment("TMPDIR") ?? "/tmp") + "/vd-fuzz-video-\(getpid())"
    // libav's one-time set-up (its log callback, codec tables) before the first input, so that it does not count
    // as that input's leak: open a file that is not a video.
    _ = try? openFrameSource(path: path, threads: 1)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let model else { return 0 }
    var r = FuzzReader(data, size)
    let flags = r.u8()
    let strict = flags & 1 == 1
    let path = scratch + [".mp4", ".mkv", ".webm", ".png"][Int(flags >> 1) & 3]
    guard writeFile(path, r.rest()) else { fuzzFailure("cannot write \(path)") }
    defer { unlink(path) }
    let N = model.config.numFrames
    do {
        if flags & 8 != 0 {
            let frames = try sampleFrames(source: openFrameSource(path: path, threads: 1), numFrames: N, strict: strict)
            let r = frames.report
            require(frames.rgb.count == N * r.height * r.width * 3 && frames.sourceFrames.count == N, "frame sizes")
            require(frames.sourceFrames.allSatisfy { (0..<r.frameCount).contains($0) }, "a source frame outside 0..<\(r.frameCount)")
            require(!strict || r.replaced.isEmpty, "strict replaced frames")
            return 0
        }
        let (video, report) = try model.encode(videoAt: path, threads: 1, decodeThreads: 1, strict: strict)
        let sources = video.sourceFrameIndices ?? []
        require(video.frameCount == N && sources.count == N, "\(video.frameCount) frames, \(sources.count) sources")
        require(sources.allSatisfy { (0..<report.frameCount).contains($0) }, "a source frame outside 0..<\(report.frameCount)")
        require(!strict || video.replacedSamples.isEmpty, "strict replaced frames")
        require(video.replacedSamples == report.replaced.map(\.sample), "replaced samples disagree with the report")
        require(video.tokens.allSatisfy(\.isFinite), "non-finite tokens")
    } catch is FrameSourceError {
    } catch let e as VideoDistillError {
        if case .aborted = e { fuzzFailure("aborted without being asked") }
    } catch {
        fuzzFailure("unexpected error \(error)")
    }
    return 0
}
