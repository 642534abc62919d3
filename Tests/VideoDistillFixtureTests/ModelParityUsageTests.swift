import Foundation
import Testing
@testable import VideoDistill
import _VDFixtureModels

/// The model API around the parity path: thread counts, concurrent calls on one model, and the errors
/// bad input gets (never a trap).
@Suite struct ModelParityUsageTests {
    @Test func threadCountsAndConcurrentCallsAgree() throws {
        let f = try ParityFixture("tiny_a")
        let video = try f.model.encodedVideo(tokens: f.npy("tokens").floats)
        let ids = try f.model.tokenIds("what colour is the ball?")
        let one = try f.model.answer(video, tokenIds: ids, threads: 1)
        let two = try f.model.answer(video, tokenIds: ids, threads: 2)
        #expect(withinSpecTolerance(two.vStar, one.vStar))
        // 8 concurrent answers on one model, alternating thread counts (OpenBLAS's count is process-wide).
        let results = UnsafeMutableBufferPointer<[Float]>.allocate(capacity: 8)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            results[i] = (try? f.model.answer(video, tokenIds: ids, threads: 1 + i % 2).vStar) ?? []
        }
        for r in results { #expect(withinSpecTolerance(r, one.vStar)) }
        // 16 concurrent encodes + answers, all with 2 OpenBLAS threads (they run together).
        let pixels = try f.npy("pixels").floats
        let tokens = try f.npy("tokens").floats
        let ok = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 16)
        ok.initialize(repeating: false)
        defer { ok.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            guard let v = try? pixels.withUnsafeBufferPointer({ try f.model.encode(pixels: $0, threads: 2) }),
                  let a = try? f.model.answer(v, tokenIds: ids, threads: 2) else { return }
            ok[i] = withinSpecTolerance(v.tokens, tokens) && withinSpecTolerance(a.vStar, one.vStar)
        }
        #expect(ok.allSatisfy { $0 })
    }

    @Test func badInputThrows() throws {
        let f = try ParityFixture("tiny_b")
        let m = f.model, c = m.config
        let tokens = try f.npy("tokens").floats
        let video = try m.encodedVideo(tokens: tokens)
        let ids = try m.tokenIds("does it rain?")
        #expect(throws: VideoDistillError.self) { try m.answer(video, tokenIds: ids, threads: 0) }
        #expect(throws: VideoDistillError.self) { try m.answer(video, tokenIds: ids, threads: VideoDistillModel.maxThreads + 1) }
        #expect(throws: VideoDistillError.self) { try m.answer(video, tokenIds: [1, 2, 3], threads: 1) }       // no EOT
        #expect(throws: VideoDistillError.self) { try m.answer(video, tokenIds: [49408, 49407], threads: 1) }  // id >= V
        #expect(throws: VideoDistillError.self) { try m.answer(video, tokenIds: [-1, 49407], threads: 1) }
        #expect(throws: VideoDistillError.self) { try m.answer(video, tokenIds: [], threads: 1) }
        #expect(throws: VideoDistillError.self) {
            try m.answer(video, tokenIds: ids + [0], threads: 1)   // longer than context_length
        }
        #expect(throws: VideoDistillError.self) { try m.encodedVideo(tokens: Array(tokens.dropLast())) }
        var pixels = try f.npy("pixels").floats
        #expect(throws: VideoDistillError.self) { try pixels.dropLast().withUnsafeBufferPointer { try m.encode(pixels: $0, threads: 1) } }
        pixels[5] = .nan
        #expect(throws: VideoDistillError.self) { try pixels.withUnsafeBufferPointer { try m.encode(pixels: $0, threads: 1) } }
        // A video of another model (same sizes) is refused.
        let other = try ParityFixture("tiny_b").model
        #expect(throws: VideoDistillError.self) { try other.answer(video, tokenIds: ids, threads: 1) }
        // Frames: row stride too small, no frames.
        let frame = [UInt8](repeating: 0, count: 3 * 8 * 8)
        #expect(throws: VideoDistillError.self) {
            try frame.withUnsafeBufferPointer { try m.encode(frames: $0.baseAddress!, frameCount: 1, height: 8, width: 8, rowStride: 20, threads: 1) }
        }
        #expect(throws: VideoDistillError.self) {
            try frame.withUnsafeBufferPointer { try m.encode(frames: $0.baseAddress!, frameCount: 0, height: 8, width: 8, rowStride: 24, threads: 1) }
        }
        // Padding after the first EOT does not change t_cls (SPEC 2.2); shorter ids are accepted.
        let eot = ids.firstIndex(of: 49407)!
        var padded = ids
        for i in (eot + 1)..<c.contextLength { padded[i] = 320 }
        #expect(try m.textEmbedding(tokenIds: padded, threads: 1) == m.textEmbedding(tokenIds: ids, threads: 1))
        #expect(try m.textEmbedding(tokenIds: Array(ids[...eot]), threads: 1) == m.textEmbedding(tokenIds: ids, threads: 1))
    }

    @Test func encodeReportsProgressAndAborts() throws {
        let f = try ParityFixture("tiny_b")
        let pixels = try f.npy("pixels").floats, N = f.model.config.numFrames
        var seen: [Int] = []
        let control = EncodeControl(progress: { done, total in
            #expect(total == N)
            seen.append(done)
        })
        let video = try pixels.withUnsafeBufferPointer { try f.model.encode(pixels: $0, threads: 1, control: control) }
        #expect(seen == Array(1...N))
        #expect(withinSpecTolerance(video.tokens, try f.npy("tokens").floats))
        var polls = 0
        let abort = EncodeControl(shouldAbort: { polls += 1; return true })
        #expect(throws: VideoDistillError.aborted) {
            _ = try pixels.withUnsafeBufferPointer { try f.model.encode(pixels: $0, threads: 1, control: abort) }
        }
        #expect(polls == 1)
        // Frames: tiny_b has 5 frames for N = 8, so 5 distinct frames are encoded.
        let v = try f.npy("video")
        var frames: [Int] = []
        _ = try v.uint8s.withUnsafeBufferPointer {
            try f.model.encode(frames: $0.baseAddress!, frameCount: v.shape[0], height: v.shape[1], width: v.shape[2],
                               rowStride: 3 * v.shape[2], threads: 1,
                               control: EncodeControl(progress: { done, total in frames.append(total) }))
        }
        #expect(frames == Array(repeating: 5, count: 5))
    }

    /// NaN selection logits are SPEC 5's error: NaN tokens make every logit NaN.
    @Test func nanSelectionLogitsThrowNumerical() throws {
        let f = try ParityFixture("tiny_a")
        var tokens = try f.npy("tokens").floats
        tokens[0] = .nan
        let video = try f.model.encodedVideo(tokens: tokens)
        do {
            _ = try f.model.answer(video, question: "a", threads: 1)
            Issue.record("expected an error")
        } catch let e as VideoDistillError {
            guard case .numerical = e else { Issue.record("expected .numerical, got \(e)"); return }
        }
    }
}
