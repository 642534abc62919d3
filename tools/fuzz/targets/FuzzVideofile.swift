// Fuzz target: encoded-video files (EncodedVideoFile, vd_video_load's checks) for the model VD_FUZZ_MODEL (tiny_a).
// Input: the file's bytes. When the file is accepted and is the model's, one question is answered from it and its
// tokens are read whole. Checks: a refusal is a VideoDistillError, never a crash; an accepted file has the model's
// sizes. With VD_FUZZ_WRITE_SEEDS=DIR it writes one file of each precision (a grey video) to DIR and exits.
@testable import VideoDistill
#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) var model: VideoDistillModel?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    guard let path = environment("VD_FUZZ_MODEL") else { fuzzFailure("set VD_FUZZ_MODEL (tools/fuzz/run.sh does)") }
    do { model = try VideoDistillModel(path: path) } catch { fuzzFailure("cannot load \(path): \(error)") }
    if let dir = environment("VD_FUZZ_WRITE_SEEDS"), let m = model {
        let S = m.config.imageSize
        let frame = [UInt8](repeating: 128, count: 3 * S * S)
        do {
            let video = try frame.withUnsafeBufferPointer {
                try m.encode(frames: $0.baseAddress!, frameCount: 1, height: S, width: S, rowStride: 3 * S, threads: 1)
            }
            for p in TokenPrecision.allCases { try m.save(video, to: "\(dir)/grey-\(p.name).vdv", precision: p) }
        } catch { fuzzFailure("cannot write seeds: \(error)") }
        exit(0)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let model, let data else { return 0 }
    do {
        let file = try EncodedVideoFile(bytes: UnsafeRawBufferPointer(start: data, count: size))
        let video = try model.video(from: file)
        let c = model.config
        require(video.frameCount == c.numFrames && video.tokensPerFrame == c.tokensPerFrame && video.width == c.visionWidth,
                "accepted a file of another size")
        require(video.tokens.count == c.numFrames * c.tokensPerFrame * c.visionWidth, "tokens of the wrong count")
        _ = try model.answer(video, question: "what is it?", threads: 1)
    } catch is VideoDistillError {
    } catch {
        fuzzFailure("unexpected error \(error)")
    }
    return 0
}
