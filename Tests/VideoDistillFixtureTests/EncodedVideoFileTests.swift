import CVideoDistillAPI
import Foundation
import Testing
@testable import VideoDistill
import _VDFixtureModels
import _VDTestSupport

/// Encoded-video files (EncodedVideoFile, vd_video_save / vd_video_load): a float32 file answers exactly as the
/// video in memory (whose answers ModelParityTests checks against ONNX Runtime), compact files within SPEC 8's int8
/// gate of it; files belong to the frame encoder that made them; hostile files are errors, never crashes.
@Suite struct EncodedVideoFileTests {
    /// The fixture's model, its video from video.npy (so it has source frames), and its questions' token ids.
    struct Case {
        let f: ParityFixture
        let video: EncodedVideo
        let questions: [[Int32]]

        init(_ name: String) throws {
            let f = try ParityFixture(name)
            let v = try f.npy("video")
            let (F, H, W) = (v.shape[0], v.shape[1], v.shape[2])
            video = try v.uint8s.withUnsafeBufferPointer {
                try f.model.encode(frames: $0.baseAddress!, frameCount: F, height: H, width: W, rowStride: 3 * W, threads: 1)
            }
            self.f = f
            let ids = try f.npy("token_ids"), n = f.model.config.contextLength
            questions = (0..<ids.shape[0]).map { q in ids.int64s[q * n ..< (q + 1) * n].map { Int32($0) } }
        }

        func saved(_ precision: TokenPrecision, in dir: TempDir) throws -> String {
            let path = dir.file("video-\(precision.name).vdv")
            try f.model.save(video, to: path, precision: precision)
            return path
        }
    }

    @Test(arguments: ["tiny_a", "tiny_b"]) func float32FileAnswersExactlyAsMemory(_ name: String) throws {
        let c = try Case(name)
        let dir = TempDir()
        defer { dir.remove() }
        let loaded = try c.f.model.loadVideo(path: c.saved(.float32, in: dir))
        #expect(loaded.file != nil && loaded.tokens == c.video.tokens)
        #expect(loaded.sourceFrameIndices == c.video.sourceFrameIndices && loaded.replacedSamples == c.video.replacedSamples)
        let v = try c.f.npy("video")
        #expect(c.video.sourceSize == EncodedVideo.SourceSize(frameCount: v.shape[0], width: v.shape[2], height: v.shape[1]))
        #expect(loaded.sourceSize == c.video.sourceSize)
        for ids in c.questions {
            let a = try c.f.model.answer(c.video, tokenIds: ids, threads: 1)
            let b = try c.f.model.answer(loaded, tokenIds: ids, threads: 1)
            #expect(a.selectionLogits == b.selectionLogits && a.selected == b.selected && a.vStar == b.vStar)
            #expect(a.qaLogits == b.qaLogits && a.vtmLogits == b.vtmLogits && a.clSim == b.clSim && a.vrGates == b.vrGates)
        }
        // A model loaded again from the same file (another identity in this process) takes the video.
        let again = try VideoDistillModel(file: c.f.model.file)
        #expect(again.identity != c.f.model.identity && (try? again.loadVideo(path: c.saved(.float32, in: dir))) != nil)
    }

    /// float16 and int8 files: smaller, and within SPEC 8's int8 gate of the float32 answers (cos(v_star) >= 0.99,
    /// the same selection and top answer except near ties, which these fixtures have none of at this precision).
    @Test(arguments: ["tiny_a", "tiny_b"]) func compactFilesPassTheInt8Gate(_ name: String) throws {
        let c = try Case(name)
        let dir = TempDir()
        defer { dir.remove() }
        let f32 = try c.saved(.float32, in: dir)
        let size = { (p: String) in try (FileManager.default.attributesOfItem(atPath: p)[.size] as! NSNumber).intValue }
        for precision in [TokenPrecision.float16, .int8] {
            let path = try c.saved(precision, in: dir)
            let (small, full) = (try size(path), try size(f32))
            #expect(small < full, "\(precision.name) file not smaller")
            let loaded = try c.f.model.loadVideo(path: path)
            #expect(loaded.file?.precision == precision)
            let err = zip(loaded.tokens, c.video.tokens).map { abs($0 - $1) }.max()!
            let scale = c.video.tokens.map(abs).max()!
            #expect(err <= scale * (precision == .int8 ? 1 / 254 + 1e-6 : 1e-3), "\(precision.name): token error \(err)")
            for ids in c.questions {
                let a = try c.f.model.answer(c.video, tokenIds: ids, threads: 1)
                let b = try c.f.model.answer(loaded, tokenIds: ids, threads: 1)
                #expect(cosine(a.vStar, b.vStar) >= 0.99, "\(name) \(precision.name): cos(v_star) \(cosine(a.vStar, b.vStar))")
                #expect(a.selected == b.selected && a.topAnswer == b.topAnswer, "\(name) \(precision.name)")
            }
        }
    }

    @Test func anotherFrameEncoderIsTheWrongModel() throws {
        let a = try Case("tiny_a"), b = try ParityFixture("tiny_b")
        let dir = TempDir()
        defer { dir.remove() }
        let path = try a.saved(.float32, in: dir)
        #expect(a.f.model.fingerprint != b.model.fingerprint)
        #expect(throws: VideoDistillError.self) { try b.model.loadVideo(path: path) }
        do { _ = try b.model.loadVideo(path: path) } catch let e as VideoDistillError {
            guard case .wrongModel = e else { Issue.record("not wrongModel: \(e)"); return }
        }
    }

    /// Every truncation, and every header word set to hostile values: each is VD_ERR_VIDEO_FILE (or, for the
    /// fingerprint and sizes, VD_ERR_WRONG_MODEL), never a crash. Token bytes are not checked on load: NaN tokens
    /// answer with the SPEC 5 NaN error.
    @Test func hostileFilesAreErrors() throws {
        let c = try Case("tiny_a")
        let dir = TempDir()
        defer { dir.remove() }
        for precision in TokenPrecision.allCases {
            let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: c.saved(precision, in: dir))))
            func load(_ bytes: [UInt8]) -> VideoDistillError? {
                do {
                    let file = try bytes.withUnsafeBytes { try EncodedVideoFile(bytes: $0) }
                    _ = try c.f.model.video(from: file)
                    return nil
                } catch let e as VideoDistillError { return e } catch { Issue.record("\(error)"); return nil }
            }
            #expect(load(good) == nil)
            for cut in Set(stride(from: 0, to: good.count, by: max(1, good.count / 97)).map { $0 } + [good.count - 1]) {
                guard case .invalidVideoFile? = load(Array(good.prefix(cut))) else {
                    Issue.record("\(precision.name): a file cut at \(cut) of \(good.count) bytes loaded"); continue
                }
            }
            for offset in stride(from: 0, to: 128, by: 4) {
                for value: UInt32 in [0, 1, 0x7FFF_FFFF, 0xFFFF_FFFF] {
                    var bad = good
                    withUnsafeBytes(of: value.littleEndian) { for i in 0..<4 { bad[offset + i] = $0[i] } }
                    guard bad != good else { continue }
                    switch load(bad) {
                    case .invalidVideoFile?, .wrongModel?: break
                    case nil where (16..<24).contains(offset) || offset == 36:
                        break   // the fingerprint (refused by video(from:) when it is not this model's) or the flags
                    case nil where (88..<104).contains(offset) && value != 0:
                        break   // another source size: F (as long as every source frame is below it), width, height
                    case let other: Issue.record("\(precision.name): word \(offset) = \(value): \(String(describing: other))")
                    }
                }
            }
        }
        // NaN in the stored tokens: loading works (values are not read), answering reports the NaN.
        var tokens = c.video.tokens
        for i in tokens.indices { tokens[i] = .nan }
        let nan = EncodedVideo(tokens: tokens, frameCount: c.video.frameCount, tokensPerFrame: c.video.tokensPerFrame,
                               width: c.video.width, modelIdentity: c.f.model.identity, sourceFrameIndices: nil)
        #expect(throws: VideoDistillError.self) { try c.f.model.save(nan, to: dir.file("nan.vdv")) }
        let path = try c.saved(.float32, in: dir)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for i in 4096..<bytes.count { bytes[i] = 0xFF }   // every value from the patch section on: NaN
        for i in 256..<4096 { bytes[i] = 0xFF }           // and the v_cls rows
        let file = try bytes.withUnsafeBytes { try EncodedVideoFile(bytes: $0) }
        let video = try c.f.model.video(from: file)
        #expect(throws: VideoDistillError.self) { try c.f.model.answer(video, tokenIds: c.questions[0], threads: 1) }
    }

    /// The C API: save, load, tokens (no copy for a video in memory), tokens back into a video, and the statuses.
    @Test func cAPIRoundTrip() throws {
        let m = try CModelFixture("tiny_a")
        let v = try FixtureVideo("tiny_a")
        let dir = TempDir()
        defer { dir.remove() }
        var p = vd_encode_default_params()
        var video: OpaquePointer?
        #expect(vd_encode_frames(m.handle, v.frames, Int32(v.count), Int32(v.height), Int32(v.width), 3 * v.width, &p, &video) == VD_OK)
        defer { vd_video_free(video) }
        var n: Int32 = 0, t: Int32 = 0, w: Int32 = 0
        let tokens = try #require(vd_video_tokens(video, &n, &t, &w))
        #expect(n == m.info.num_frames && vd_video_tokens(video, nil, nil, nil) == tokens)
        let path = dir.file("v.vdv")
        #expect(vd_video_save(m.handle, video, path, Int32(VD_VIDEO_INT8.rawValue)) == VD_OK)
        #expect(vd_video_save(m.handle, video, path, 7) == VD_ERR_INVALID_ARGUMENT)
        #expect(vd_video_save(m.handle, video, nil, 0) == VD_ERR_NULL_POINTER)
        #expect(vd_video_save(m.handle, video, dir.file("no/such/folder.vdv"), 0) == VD_ERR_IO)
        var loaded: OpaquePointer?
        #expect(vd_video_load(m.handle, path, &loaded) == VD_OK)
        defer { vd_video_free(loaded) }
        #expect(vd_video_stored_precision(loaded) == Int32(VD_VIDEO_INT8.rawValue) && vd_video_stored_precision(video) == 0)
        var sw: Int32 = -1, sh: Int32 = -1
        #expect(vd_video_source_size(video, &sw, &sh) == Int64(v.count) && sw == Int32(v.width) && sh == Int32(v.height))
        #expect(vd_video_source_size(loaded, &sw, &sh) == Int64(v.count) && sw == Int32(v.width) && sh == Int32(v.height))
        #expect(vd_video_source_size(nil, &sw, &sh) == -1 && sw == 0 && sh == 0 && vd_video_source_size(video, nil, nil) == Int64(v.count))
        var refused: OpaquePointer?
        #expect(vd_video_load(m.handle, dir.file("none.vdv"), &refused) == VD_ERR_IO && refused == nil)
        try Data("not a video file".utf8).write(to: URL(fileURLWithPath: dir.file("text.vdv")))
        #expect(vd_video_load(m.handle, dir.file("text.vdv"), &refused) == VD_ERR_VIDEO_FILE && refused == nil)
        #expect(vd_video_load(nil, path, &refused) == VD_ERR_NULL_POINTER && vd_video_load(m.handle, path, nil) == VD_ERR_NULL_POINTER)

        var fromTokens: OpaquePointer?
        #expect(vd_video_from_tokens(m.handle, tokens, n, t, w, &fromTokens) == VD_OK)
        defer { vd_video_free(fromTokens) }
        #expect(vd_video_source_size(fromTokens, &sw, &sh) == -1 && sw == 0 && sh == 0)
        #expect(vd_video_from_tokens(m.handle, tokens, n + 1, t, w, &refused) == VD_ERR_INVALID_ARGUMENT && refused == nil)
        var nanTokens = Array(UnsafeBufferPointer(start: tokens, count: Int(n * t * w)))
        nanTokens[5] = .nan
        var rejected: OpaquePointer?
        #expect(vd_video_from_tokens(m.handle, nanTokens, n, t, w, &rejected) == VD_ERR_NON_FINITE && rejected == nil)
        #expect(vd_video_tokens(nil, &n, &t, &w) == nil)
        // Answers from tokens equal answers from the video they came from.
        var a: OpaquePointer?, b: OpaquePointer?
        var ap = vd_answer_default_params()
        #expect(vd_answer(m.handle, video, "what is it?", &ap, &a) == VD_OK && vd_answer(m.handle, fromTokens, "what is it?", &ap, &b) == VD_OK)
        defer { vd_result_free(a); vd_result_free(b) }
        var ka: Int32 = 0, kb: Int32 = 0
        let va = vd_result_v_star(a, &ka), vb = vd_result_v_star(b, &kb)
        #expect(ka == kb && Array(UnsafeBufferPointer(start: va, count: Int(ka))) == Array(UnsafeBufferPointer(start: vb, count: Int(kb))))
    }
}
