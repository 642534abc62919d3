import Foundation
import Testing
import VideoDistill
import _VDTestSupport

/// SPEC 1 and 1.1 against the float64 reference (`tools/reference/vdref/frames.py`): the lead's fixtures
/// (`tiny_a`, `tiny_b`) and `Tests/Fixtures/frames/` (`tools/reference/make_frame_fixture.py`).
/// Tolerances: SPEC 8's 0.01 (0..255 units) on resized values; 1e-4 on pixels (0.01 / 255 / std is ~1.5e-4).
@Suite struct FramePipelineTests {
    /// The paper config (SPEC 9) with the frame values replaced.
    static func config(R: Int = 256, S: Int = 224, N: Int = 100) -> ModelConfig {
        let json = """
        {"image_size": 224, "resize_short": 256, "patch_size": 16, "vision_width": 768, "vision_layers": 12,
         "vision_heads": 12, "text_width": 512, "text_layers": 12, "text_heads": 8, "vocab_size": 49408,
         "context_length": 77, "text_embed_dim": 512, "model_dim": 1024, "model_heads": 8, "fs_layers": 3,
         "vr_layers": 3, "num_frames": 100, "num_selected": 16, "qa_hidden": 1024,
         "mean": [0.48145466, 0.4578275, 0.40821073], "std": [0.26862954, 0.26130258, 0.27577711],
         "clip_ln_eps": 1e-5, "ln_eps": 1e-6}
        """
        var c = try! JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8))
        c.resizeShort = R
        c.imageSize = S
        c.numFrames = N
        return c
    }

    static func maxAbsDiff(_ a: [Float], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        return zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
    }

    /// One frame through `preprocessFrame` with `normalize: false`, optionally with padded rows.
    static func resized(_ frame: [UInt8], height: Int, width: Int, padding: Int = 0, config: ModelConfig) throws -> [Float] {
        let stride = 3 * width + padding
        var padded = [UInt8](repeating: 0xEE, count: height * stride)
        for y in 0 ..< height {
            padded[(y * stride) ..< (y * stride + 3 * width)] = frame[(y * 3 * width) ..< ((y + 1) * 3 * width)]
        }
        var out = [Float](repeating: .nan, count: 3 * config.imageSize * config.imageSize)
        try padded.withUnsafeBufferPointer { p in
            try out.withUnsafeMutableBufferPointer { o in
                try FramePipeline.preprocessFrame(p.baseAddress!, height: height, width: width, rowStride: stride,
                                                  config: config, normalize: false, into: o.baseAddress!)
            }
        }
        return out
    }

    // MARK: SPEC 1 frame indices

    @Test func frameIndicesWorkedExamples() {
        // ((2n+1) * F) div (2N), worked by hand (the same cases as tools/reference/tests/test_frames.py).
        #expect(FramePipeline.frameIndices(frameCount: 10, numFrames: 4) == [1, 3, 6, 8])   // F > N
        #expect(FramePipeline.frameIndices(frameCount: 3, numFrames: 4) == [0, 1, 1, 2])    // F < N
        #expect(FramePipeline.frameIndices(frameCount: 1, numFrames: 5) == [0, 0, 0, 0, 0])
        #expect(FramePipeline.frameIndices(frameCount: 7, numFrames: 7) == Array(0 ..< 7))  // F = N
        #expect(FramePipeline.frameIndices(frameCount: 8, numFrames: 4) == [1, 3, 5, 7])
        #expect(FramePipeline.frameIndices(frameCount: 0, numFrames: 4) == [])
        #expect(FramePipeline.frameIndices(frameCount: 4, numFrames: 0) == [])
    }

    @Test func frameIndicesDoNotOverflow() {
        // (2n+1) * F exceeds Int here; the exact quotients are floor(F/6), floor(3F/6), floor(5F/6).
        let F = Int.max
        #expect(FramePipeline.frameIndices(frameCount: F, numFrames: 3) == [F / 6, F / 2, F / 6 * 5 + (F % 6) * 5 / 6])
    }

    // MARK: SPEC 1.1 sizes

    @Test func resizedSizes() throws {
        #expect(try FramePipeline.resizedSize(height: 1080, width: 1920, resizeShort: 256) == (256, 455))
        #expect(try FramePipeline.resizedSize(height: 1920, width: 1080, resizeShort: 256) == (455, 256))
        #expect(try FramePipeline.resizedSize(height: 27, width: 50, resizeShort: 35) == (35, 64))
        #expect(try FramePipeline.resizedSize(height: 37, width: 37, resizeShort: 32) == (32, 32))
    }

    // MARK: against the float64 reference

    @Test func frameFixtures() throws {
        struct Output: Decodable { let resize_short: Int, image_size: Int, file: String }
        struct Case: Decodable { let frame: String, height: Int, width: Int, outputs: [Output] }
        let cases = try JSONDecoder().decode(
            [Case].self, from: Data(contentsOf: URL(fileURLWithPath: fixturePath("frames", "cases.json"))))
        #expect(cases.count >= 5)
        for c in cases {
            let frame = try NPYArray.load(fixturePath("frames", c.frame))
            #expect(frame.shape == [c.height, c.width, 3])
            for o in c.outputs {
                let want = try NPYArray.load(fixturePath("frames", o.file)).doubles
                let config = Self.config(R: o.resize_short, S: o.image_size)
                let got = try Self.resized(frame.uint8s, height: c.height, width: c.width, config: config)
                let err = Self.maxAbsDiff(got, want)
                #expect(err <= 0.01, "\(c.frame) R=\(o.resize_short) S=\(o.image_size): max abs err \(err)")
                // A padded row stride must give the same values bit for bit.
                let padded = try Self.resized(frame.uint8s, height: c.height, width: c.width, padding: 13, config: config)
                #expect(padded == got)
            }
        }
    }

    @Test(arguments: ["tiny_a", "tiny_b"])
    func leadFixtures(name: String) throws {
        let config = try JSONDecoder().decode(
            ModelConfig.self, from: Data(contentsOf: URL(fileURLWithPath: fixturePath(name, "config.json"))))
        let video = try NPYArray.load(fixturePath(name, "video.npy"))
        #expect(video.shape.count == 4 && video.shape[3] == 3)
        let (F, H, W) = (video.shape[0], video.shape[1], video.shape[2])
        let indices = try NPYArray.load(fixturePath(name, "source_frames.npy")).int64s.map(Int.init)
        #expect(FramePipeline.frameIndices(frameCount: F, numFrames: config.numFrames) == indices)
        let bytes = video.uint8s
        for (normalize, file, tolerance) in [(false, "resized.npy", 0.01), (true, "pixels.npy", 1e-4)] {
            let want = try NPYArray.load(fixturePath(name, file))
            let got = try bytes.withUnsafeBufferPointer {
                try FramePipeline.preprocess(frames: $0.baseAddress!, frameCount: F, height: H, width: W,
                                             rowStride: 3 * W, config: config, normalize: normalize)
            }
            #expect(want.shape == [config.numFrames, 3, config.imageSize, config.imageSize])
            let err = Self.maxAbsDiff(got, want.doubles)
            #expect(err <= tolerance, "\(name) \(file): max abs err \(err)")
        }
    }

    @Test func repeatedFramesAreIdentical() throws {
        // F = 2 < N = 5: indices [0, 0, 1, 1, 1]; repeats are copies of the first computation.
        let (H, W, S) = (7, 11, 8)
        let frames = (0 ..< 2 * H * W * 3).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let config = Self.config(R: 9, S: S, N: 5)
        let out = try frames.withUnsafeBufferPointer {
            try FramePipeline.preprocess(frames: $0.baseAddress!, frameCount: 2, height: H, width: W, rowStride: 3 * W, config: config)
        }
        let f = 3 * S * S
        #expect(out.count == 5 * f)
        #expect(out[0 ..< f] == out[f ..< 2 * f])
        #expect(out[2 * f ..< 3 * f] == out[4 * f ..< 5 * f])
        #expect(out[0 ..< f] != out[2 * f ..< 3 * f])
    }

    // MARK: bad input throws

    @Test func badInputThrows() {
        let buffer = [UInt8](repeating: 0, count: 64)
        var out = [Float](repeating: 0, count: 3 * 4 * 4)
        let small = Self.config(R: 4, S: 4, N: 2)
        func frame(_ h: Int, _ w: Int, _ stride: Int, _ config: ModelConfig = small) -> Bool {
            do {
                try buffer.withUnsafeBufferPointer { p in
                    try out.withUnsafeMutableBufferPointer { o in
                        try FramePipeline.preprocessFrame(p.baseAddress!, height: h, width: w, rowStride: stride,
                                                          config: config, normalize: true, into: o.baseAddress!)
                    }
                }
                return false
            } catch is VideoDistillError { return true } catch { return false }
        }
        #expect(frame(2, 2, 5))                  // stride < 3 * width
        #expect(frame(0, 2, 6))                  // zero height
        #expect(frame(2, 0, 6))                  // zero width
        #expect(frame(-1, 2, 6))
        #expect(frame(2, Int.max / 2, Int.max))  // 3 * width overflows
        #expect(frame(Int.max / 2, 2, 8))        // (height - 1) * stride overflows
        #expect(frame(1, Int(Int32.max) + 1, Int.max))   // wider than the Int32 tap tables
        var c = small; c.resizeShort = 3           // R < S
        #expect(frame(2, 2, 6, c))
        c = small; c.std = [1, 0, 1]
        #expect(frame(2, 2, 6, c))
        c = small; c.mean = [0, 0]
        #expect(frame(2, 2, 6, c))
        c = small; c.imageSize = 0
        #expect(frame(2, 2, 6, c))
        #expect(throws: VideoDistillError.self) { try FramePipeline.resizedSize(height: 1, width: Int.max, resizeShort: 2) }
        #expect(throws: VideoDistillError.self) { try FramePipeline.resizedSize(height: 1, width: 1, resizeShort: 0) }
        #expect(throws: VideoDistillError.self) {
            try buffer.withUnsafeBufferPointer {
                _ = try FramePipeline.preprocess(frames: $0.baseAddress!, frameCount: 0, height: 2, width: 2,
                                                 rowStride: 6, config: small)
            }
        }
        #expect(throws: VideoDistillError.self) {   // frameCount * height * stride overflows
            try buffer.withUnsafeBufferPointer {
                _ = try FramePipeline.preprocess(frames: $0.baseAddress!, frameCount: Int.max / 4, height: 2,
                                                 width: 2, rowStride: 6, config: small)
            }
        }
    }

    // MARK: speed (printed, not asserted: the machine is shared)

    @Test func fullHDFrameTiming() throws {
        let (H, W) = (1080, 1920)
        let frame = (0 ..< H * W * 3).map { UInt8(truncatingIfNeeded: ($0 &* 2654435761) >> 13) }
        let config = Self.config()
        let resampler = try FrameResampler(height: H, width: W, config: config)
        var out = [Float](repeating: 0, count: 3 * 224 * 224)
        let runs = 20
        let start = DispatchTime.now().uptimeNanoseconds
        try frame.withUnsafeBufferPointer { p in
            for _ in 0 ..< runs {
                try out.withUnsafeMutableBufferPointer {
                    try resampler.resample(p.baseAddress!, rowStride: 3 * W, normalize: true, into: $0.baseAddress!)
                }
            }
        }
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(runs)
        print("FramePipeline: 1080p -> 224 x 224: \(String(format: "%.2f", ms)) ms per frame")
        #expect(out.allSatisfy { $0.isFinite })
    }
}
