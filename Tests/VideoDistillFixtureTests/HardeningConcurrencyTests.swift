import CVideoDistillAPI
import Foundation
import Testing
@testable import VideoDistill
import _VDTestSupport
import _VDFixtureModels

/// Issue 7, concurrency: one model shared by 8 threads x 100 calls through the C API, every result bit-identical
/// to the same call made alone; and no CPU burnt while the library is idle afterwards. Run it under
/// ThreadSanitizer with tools/sanitize/tsan.sh (OpenBLAS is not instrumented; see its suppressions).
@Suite struct HardeningConcurrencyTests {
    /// Everything one question gives through the C API, compared bit for bit.
    struct Snapshot: Equatable {
        var top: [Int32] = [], logits: [UInt32] = [], frames: [Int32] = [], selection: [UInt32] = [], vStar: [UInt32] = []
    }

    static func answer(_ m: CModelFixture, _ video: OpaquePointer, _ question: String, threads: Int32 = 1) throws -> Snapshot {
        var p = vd_answer_default_params()
        p.n_threads = threads
        var r: OpaquePointer?
        let st = VideoDistill.vd_answer(m.handle, video, question, &p, &r)
        guard st == VD_OK, let r else { throw CAPIFailure(st) }
        defer { VideoDistill.vd_result_free(r) }
        var s = Snapshot(), n: Int32 = 0, k: Int32 = 0
        s.top = (0..<VideoDistill.vd_result_top_k(r)).map { VideoDistill.vd_result_answer_index(r, $0) }
        let logits = VideoDistill.vd_result_qa_logits(r, &n)!
        s.logits = (0..<Int(n)).map { logits[$0].bitPattern }
        let frames = VideoDistill.vd_result_selected_frames(r, &n)!
        s.frames = Array(UnsafeBufferPointer(start: frames, count: Int(n)))
        let sel = VideoDistill.vd_result_selection_logits(r, &n, &k)!
        s.selection = (0..<Int(n * k)).map { sel[$0].bitPattern }
        let v = VideoDistill.vd_result_v_star(r, &n)!
        s.vStar = (0..<Int(n)).map { v[$0].bitPattern }
        return s
    }

    /// The fixture video through vd_encode_frames.
    static func encode(_ m: CModelFixture, _ video: NPYArray, threads: Int32 = 1) throws -> OpaquePointer {
        var p = vd_encode_default_params()
        p.n_threads = threads
        var v: OpaquePointer?
        let (F, H, W) = (Int32(video.shape[0]), Int32(video.shape[1]), Int32(video.shape[2]))
        let st = video.uint8s.withUnsafeBufferPointer {
            VideoDistill.vd_encode_frames(m.handle, $0.baseAddress, F, H, W, 3 * Int(W), &p, &v)
        }
        guard st == VD_OK, let v else { throw CAPIFailure(st) }
        return v
    }

    static func tokenize(_ m: CModelFixture, _ text: String) throws -> [Int32] {
        var ids = [Int32](repeating: -1, count: Int(m.info.context_length)), n: Int32 = 0
        let st = VideoDistill.vd_tokenize(m.handle, text, &ids, Int32(ids.count), &n)
        guard st == VD_OK else { throw CAPIFailure(st) }
        return ids
    }

    static func scores(_ m: CModelFixture, _ video: OpaquePointer, _ text: String) throws -> [UInt32] {
        var match: Float = 0, sim: Float = 0
        var st = VideoDistill.vd_match(m.handle, video, text, nil, &match)
        guard st == VD_OK else { throw CAPIFailure(st) }
        st = VideoDistill.vd_similarity(m.handle, video, text, nil, &sim)
        guard st == VD_OK else { throw CAPIFailure(st) }
        return [match.bitPattern, sim.bitPattern]
    }

    /// 8 threads x 100 calls (answers on a shared video, fresh encodes, tokenize, match + similarity), each
    /// compared bit for bit with the same call made alone beforehand, all with one OpenBLAS thread per call.
    @Test func eightThreadsTimesHundredCallsMatchSequentialResults() throws {
        let m = try CModelFixture("tiny_a")
        let frames = try NPYArray.load(fixturePath("tiny_a", "video.npy"))
        let questions = try JSONDecoder().decode([String].self,
                                                 from: Data(contentsOf: URL(fileURLWithPath: fixturePath("tiny_a", "questions.json"))))
        nonisolated(unsafe) let shared = try Self.encode(m, frames)
        defer { VideoDistill.vd_video_free(shared) }
        // Sequential reference, one call at a time.
        let answers = try questions.map { try Self.answer(m, shared, $0) }
        let ids = try questions.map { try Self.tokenize(m, $0) }
        let scores = try questions.map { try Self.scores(m, shared, $0) }

        let threads = 8, calls = 100
        let failures = UnsafeMutableBufferPointer<[String]>.allocate(capacity: threads)
        failures.initialize(repeating: [])
        defer { failures.deinitialize(); failures.deallocate() }
        nonisolated(unsafe) let out = failures
        onThreads(threads) { t in
            for j in 0..<calls {
                let g = t * calls + j, q = g % questions.count
                do {
                    switch g % 10 {
                    case 0:  // a fresh encode of the same frames, then the question on it
                        let v = try Self.encode(m, frames)
                        defer { VideoDistill.vd_video_free(v) }
                        if try Self.answer(m, v, questions[q]) != answers[q] { out[t].append("call \(g): fresh video answer differs") }
                    case 1:
                        if try Self.tokenize(m, questions[q]) != ids[q] { out[t].append("call \(g): token ids differ") }
                    case 2:
                        if try Self.scores(m, shared, questions[q]) != scores[q] { out[t].append("call \(g): match/similarity differ") }
                    default:
                        if try Self.answer(m, shared, questions[q]) != answers[q] { out[t].append("call \(g): answer differs") }
                    }
                } catch {
                    out[t].append("call \(g): \(error)")
                }
            }
        }
        let all = failures.flatMap { $0 }
        #expect(all.isEmpty, "\(all.count) of \(threads * calls) calls differ: \(all.prefix(5))")
    }

    /// Calls with different thread counts (1 and 2) at once; results stay within SPEC 8's tolerance of the
    /// single-threaded ones.
    @Test func mixedThreadCountsAgree() throws {
        let m = try CModelFixture("tiny_a")
        let frames = try NPYArray.load(fixturePath("tiny_a", "video.npy"))
        nonisolated(unsafe) let shared = try Self.encode(m, frames)
        defer { VideoDistill.vd_video_free(shared) }
        let question = "what colour is the ball?"
        let reference = try Self.answer(m, shared, question)
        let bad = UnsafeMutableBufferPointer<Int>.allocate(capacity: 8)
        bad.initialize(repeating: 0)
        defer { bad.deallocate() }
        nonisolated(unsafe) let out = bad
        onThreads(8) { t in
            for j in 0..<20 {
                guard let s = try? Self.answer(m, shared, question, threads: Int32(1 + (t + j) % 2)),
                      s.top == reference.top, s.frames == reference.frames,
                      withinSpecTolerance(s.vStar.map(Float.init(bitPattern:)), reference.vStar.map(Float.init(bitPattern:)))
                else { out[t] += 1; continue }
            }
        }
        #expect(bad.allSatisfy { $0 == 0 }, "calls that failed or differed, per thread: \(Array(bad))")
    }

    /// After concurrent calls with 2 threads each, the idle process uses no CPU: the calls' helper threads
    /// (Dispatch's, the int8 pool's) block, and OpenBLAS runs on one thread, so its workers, which spin on
    /// sched_yield for ~0.1 s after each product, never start. Measured in a child process so that other tests
    /// running in parallel do not count: CPU seconds in the first 0.5 s after the last call, and in the 0.5 s
    /// after that.
    @Test func idleProcessUsesNoCPUAfterConcurrentCalls() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            childReport(try { () throws -> (ok: Bool, line: String) in
                let m = try CModelFixture("tiny_a")
                let frames = try NPYArray.load(fixturePath("tiny_a", "video.npy"))
                onThreads(8) { _ in
                    for _ in 0..<10 {
                        guard let v = try? HardeningConcurrencyTests.encode(m, frames, threads: 2) else { exit(3) }
                        _ = try? HardeningConcurrencyTests.answer(m, v, "what colour is the ball?", threads: 2)
                        VideoDistill.vd_video_free(v)
                    }
                }
                let c0 = ProcessStats.cpuSeconds()
                usleep(500_000)
                let c1 = ProcessStats.cpuSeconds()
                usleep(500_000)
                let c2 = ProcessStats.cpuSeconds()
                return (c1 - c0 < 0.01 && c2 - c1 < 0.01,
                            String(format: "idle CPU: %.4f s in the first 0.5 s, %.4f s in the next 0.5 s", c1 - c0, c2 - c1))
            }())
        }
        expectChildReport(result)
    }
}
