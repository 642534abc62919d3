import Foundation
import Testing
@testable import VideoDistill
@testable import VideoDistillCommandKit
@testable import VideoDistillVideo
import _VDTestSupport
import _VDFixtureModels

/// The command's path from a video file to answers (`SampledVideo`): decode only SPEC 1's frames, then
/// preprocess and encode them; checked against the in-memory path and ONNX Runtime's fixture outputs.
@Suite(.enabled(if: TestVideos.ffmpeg != nil && fixtureExists("tiny_b", "tokens.npy"), "needs ffmpeg and the fixtures"))
struct VideoIOPipelineTests {
    /// tiny_a: F = 9 > N = 6; tiny_b: F = 5 < N = 8 (repeated frames, each encoded once).
    @Test(arguments: ["tiny_a", "tiny_b"])
    func losslessVideoGivesTheFixtureAnswers(_ name: String) throws {
        let f = try ParityFixture(name)
        let v = try FixtureVideo(name)
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("video.mkv").path
        try TestVideos.encode(v.frames, height: v.height, width: v.width, to: path, args: ["-c:v", "ffv1"])

        var phases: [SampledVideo.Phase: Int] = [:]
        let video = try SampledVideo(source: try openFrameSource(path: path, threads: 1), model: f.model, threads: 2) {
            phase, done, total in
            #expect(done >= 1 && done <= total)
            phases[phase] = done
        }
        let sourceFrames = try f.npy("source_frames").int64s.map { Int($0) }
        #expect(video.frameCount == v.count)
        #expect(video.sourceFrames == sourceFrames)
        #expect(video.encoded.sourceFrameIndices == sourceFrames)
        let distinct = Set(sourceFrames).count
        #expect(phases == [.decoding: distinct, .encoding: distinct])

        // Same tokens, bit for bit, as the core's in-memory path over all F frames.
        let inMemory = try v.frames.withUnsafeBufferPointer {
            try f.model.encode(frames: $0.baseAddress!, frameCount: v.count, height: v.height, width: v.width,
                               rowStride: 3 * v.width, threads: 2)
        }
        #expect(video.encoded.tokens == inMemory.tokens)
        // ONNX Runtime's tokens (from float64-pipeline pixels): the uint8 pipeline's tolerance (x10, SPEC 8).
        let ref = try f.npy("tokens").floats
        #expect(scaledError(video.encoded.tokens, ref) <= 1e-3, "\(name): tokens error \(scaledError(video.encoded.tokens, ref))")

        // Each fixture question's answer and selection are ONNX Runtime's.
        let questions = try f.json("questions.json", as: [String].self)
        let qa = try f.npy("qa_logits"), selected = try f.npy("selected").int64s
        let A = qa.shape[1], K = f.model.config.numSelected
        for (q, question) in questions.enumerated() {
            let out = try f.model.answer(video.encoded, question: question, threads: 2)
            let refLogits = row(qa.floats, q, of: questions.count)
            let refTop = refLogits.indices.max { refLogits[$0] < refLogits[$1] }!
            #expect(out.topAnswer == refTop, "\(name) q\(q)")
            #expect(out.selected == selected[q * K ..< (q + 1) * K].map { Int($0) }, "\(name) q\(q)")
            let report = try AnswerReport(question: question, outputs: out, model: f.model, video: video, topK: A)
            #expect(report.answer == f.model.answers[refTop])
            #expect(report.selectedFrames == out.selected.map { sourceFrames[$0] })
            #expect(abs(report.probabilities.reduce(0, +) - 1) < 1e-9)
            #expect(report.top.map(\.index) == refLogits.indices.sorted { refLogits[$0] > refLogits[$1] })
        }
    }
}

/// Small pieces of the command: name order of image folders, UTF-8 checks of questions.
@Suite struct VideoIOCommandPartsTests {
    @Test func imageNamesSortWithNumbersAsNumbers() {
        let names = ["frame10.png", "frame9.png", "frame010.png", "a.png", "frame2.jpg", "frame1.png", "b1c2.png", "b1c10.png",
                     "frame123456789012345678901234567890.png", "frame99.png"]
        #expect(names.sorted(by: ImageFolder.nameOrder) == [
            "a.png", "b1c2.png", "b1c10.png", "frame1.png", "frame2.jpg", "frame9.png", "frame010.png", "frame10.png",
            "frame99.png", "frame123456789012345678901234567890.png",
        ])
    }

    @Test func questionsMustBeUTF8() throws {
        #expect(try QuestionText.decode(Array("¿qué? 雪".utf8), what: "q") == "¿qué? 雪")
        #expect(try QuestionText.decode([], what: "q") == "")
        for bad: [UInt8] in [[0xFF], [0x61, 0xC3], [0x61, 0x62, 0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]] {
            do {
                _ = try QuestionText.decode(bad, what: "q")
                Issue.record("\(bad) accepted")
            } catch let e as CommandFailure {
                #expect(e.status == .badQuestion)
            }
        }
        #expect(QuestionText.firstInvalidOffset([0x61, 0x62, 0xFF, 0x63]) == 2)
    }

    /// Arguments arrive as Swift strings with U+FFFD for bad bytes; the raw bytes decide.
    @Test func invalidUTF8ArgumentsAreFound() throws {
        let raw: [[UInt8]] = [Array("videodistill".utf8), Array("--question".utf8), [0x77, 0x68, 0xFF, 0x3F],
                              Array("--question=".utf8) + [0xC3, 0x28]]
        for value in ["wh\u{FFFD}?", "\u{FFFD}("] {
            do {
                try QuestionText.checkArgument(value, what: "the question", arguments: raw)
                Issue.record("\(value) accepted")
            } catch let e as CommandFailure {
                #expect(e.status == .badQuestion)
            }
        }
        // A real U+FFFD typed as valid UTF-8 is a fine question.
        try QuestionText.checkArgument("what is \u{FFFD}?", what: "the question",
                                       arguments: [Array("what is \u{FFFD}?".utf8)])
    }
}
