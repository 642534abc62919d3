import Foundation
import Testing
@testable import VideoDistill
@testable import VideoDistillCommandKit
import _VDTestSupport
import _VDFixtureModels

/// `videodistill eval`'s pieces: the JSON Lines reader, the counting of the report, and the run over a
/// fixture video against ONNX Runtime's answers. The uniform and blind columns are checked against the
/// PyTorch reference in Tests/command/test_cli_eval.py.
@Suite struct EvalDataTests {
    private func write(_ bytes: [UInt8], _ name: String = "test.jsonl") throws -> (URL, String) {
        let dir = try TestVideos.folder()
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (dir, path)
    }

    private func status(_ body: () throws -> Void) -> (VideoDistillCommandKit.ExitStatus, String)? {
        do { try body() } catch let e as CommandFailure { return (e.status, e.message) } catch { return (.failure, "\(error)") }
        return nil
    }

    @Test func linesResolvePathsAndIgnoreOtherKeys() throws {
        let text = """
            {"video": "a.mp4", "question": "which shape flashed?", "answer": "cross", "category": "needle", "frames": 64}

            {"video": "/abs/b.mkv", "question": "q\u{2028}two", "answer": "2", "category": "counting"}\r
              \t
            {"video": "sub/../c.mp4", "question": "", "answer": "", "category": "", "extra": {"x": [1]}}
            """
        let (dir, path) = try write(Array(text.utf8))
        defer { try? FileManager.default.removeItem(at: dir) }
        let qs = try EvalData.load(path: path)
        #expect(qs.map(\.line) == [1, 3, 5])
        #expect(qs.map(\.videoField) == ["a.mp4", "/abs/b.mkv", "sub/../c.mp4"])
        let folder = (path as NSString).deletingLastPathComponent
        #expect(qs.map(\.video) == [folder + "/a.mp4", "/abs/b.mkv", folder + "/c.mp4"])
        #expect(qs.map(\.question) == ["which shape flashed?", "q\u{2028}two", ""])
        #expect(qs.map(\.answer) == ["cross", "2", ""] && qs.map(\.category) == ["needle", "counting", ""])
    }

    @Test func badFilesExitWithTheirStatusAndLine() throws {
        #expect(status { _ = try EvalData.load(path: "/nonexistent/test.jsonl") }?.0 == .missingFile)
        let good = #"{"video": "v", "question": "q", "answer": "a", "category": "c"}"#
        let cases: [([UInt8], String)] = [
            (Array((good + "\n[1]").utf8), "line 2: not a JSON object"),
            (Array((good + "\n{\"video\": 1").utf8), "line 2: not a JSON object"),
            (Array(#"{"video": "v", "question": "q", "category": "c"}"#.utf8), "line 1: no \"answer\""),
            (Array(#"{"video": "v", "question": null, "answer": "a", "category": "c"}"#.utf8), "line 1: \"question\" is not a string"),
            (Array(#"{"video": "", "question": "q", "answer": "a", "category": "c"}"#.utf8), "line 1: empty \"video\""),
            (Array("\n \n".utf8), "has no questions"),
            (Array(good.utf8) + [0xFF], "not valid UTF-8"),
        ]
        for (bytes, message) in cases {
            let (dir, path) = try write(bytes)
            defer { try? FileManager.default.removeItem(at: dir) }
            let got = status { _ = try EvalData.load(path: path) }
            #expect(got?.0 == .badQuestion, "\(message)")
            #expect(got?.1.contains(message) == true, "\(got?.1 ?? "no error") lacks \(message)")
        }
    }
}

@Suite struct EvalReportTests {
    private func q(_ line: Int, _ answer: String, _ category: String) -> EvalQuestion {
        EvalQuestion(line: line, videoField: "v\(line % 2).mp4", video: "/v\(line % 2).mp4", question: "q\(line)",
                     answer: answer, category: category)
    }

    /// Counting by hand: 6 questions in two categories, a NaN answer, an answer the model lacks, a majority tie.
    @Test func countsPerCategoryAndOverall() throws {
        let questions = [q(1, "red", "colour"), q(2, "blue", "colour"), q(3, "blue", "colour"), q(4, "red", "colour"),
                         q(5, "3", "count"), q(6, "purple", "count")]
        let p = { (a: String) in Evaluation.Prediction(answer: a, probability: 0.5) }
        let e = Evaluation(questions: questions, modes: [.learned, .blind], predictions: [
            .learned: [p("red"), p("blue"), nil, p("blue"), p("3"), p("red")],
            .blind: [p("red"), p("red"), p("red"), p("red"), p("2"), p("2")],
        ], videoCount: 2, uniformSelection: [1, 3])
        let r = EvalReport(model: "m", data: "d", evaluation: e, answers: ["red", "blue", "2", "3"], imageSize: 8, seconds: 1)
        #expect(r.columns == ["videodistill", "blind", "majority"])
        // Ties go to the answer met first: colour has red 2, blue 2 -> red; count has 3 and purple once -> 3.
        #expect(r.majorityAnswers == ["colour": "red", "count": "3"])
        #expect(r.categories.map(\.category) == ["colour", "count"])
        let colour = r.categories[0], count = r.categories[1]
        #expect(colour.count == 4 && colour.correct == ["videodistill": 2, "blind": 2, "majority": 2] && colour.unknownAnswers == 0)
        #expect(count.count == 2 && count.correct == ["videodistill": 1, "blind": 0, "majority": 1] && count.unknownAnswers == 1)
        #expect(r.overall.correct == ["videodistill": 3, "blind": 2, "majority": 3] && r.overall.count == 6)
        #expect(r.overall.accuracy["videodistill"] == 0.5 && r.overall.unknownAnswers == 1)
        #expect(r.unknownAnswerList == ["purple"] && r.uniformSelection == nil && r.blindVideo != nil)
        #expect(r.questions[2].predicted["videodistill"]! == nil && r.questions[2].correct["videodistill"] == false)

        let json = try JSONSerialization.jsonObject(with: Data(jsonText(r).utf8)) as! [String: Any]
        let third = (json["questions"] as! [[String: Any]])[2]
        #expect((third["predicted"] as! [String: Any])["videodistill"] is NSNull)
        #expect(json["uniform_selection"] == nil)
        let lines = r.text.split(separator: "\n").map(String.init)
        #expect(lines[0].split(separator: " ") == ["category", "count", "videodistill", "blind", "majority"])
        #expect(lines[3].split(separator: " ") == ["overall", "6", "50.0%", "33.3%", "50.0%"])
        #expect(r.text.contains("answers the model cannot give (counted wrong): 1 questions; purple"))
    }
}

@Suite(.enabled(if: TestVideos.ffmpeg != nil && fixtureExists("tiny_b", "qa_logits.npy"), "needs ffmpeg and the fixtures"))
struct EvalRunTests {
    /// Two files of the same frames: each video encoded once; the learned answers are ONNX Runtime's top-1;
    /// the blind video's answers do not depend on the grey frame's size (a constant frame resizes to itself).
    @Test(arguments: ["tiny_a", "tiny_b"])
    func answersAreONNXRuntimesAndVideosAreReadOnce(_ name: String) throws {
        let f = try ParityFixture(name)
        let v = try FixtureVideo(name)
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = ["a.mkv", "b.mkv"].map { dir.appendingPathComponent($0).path }
        for p in paths { try TestVideos.encode(v.frames, height: v.height, width: v.width, to: p, args: ["-c:v", "ffv1"]) }
        let questions = try f.json("questions.json", as: [String].self)
        let qa = try f.npy("qa_logits"), A = qa.shape[1]
        let top = (0..<questions.count).map { q in (0..<A).max { qa.floats[q * A + $0] < qa.floats[q * A + $1] }! }
        let items = (0..<(2 * questions.count)).map { i in
            EvalQuestion(line: i + 1, videoField: paths[i % 2], video: paths[i % 2], question: questions[i / 2],
                         answer: f.model.answers[top[i / 2]], category: "c")
        }
        var calls: [Int] = []
        let e = try Evaluation(model: f.model, questions: items, modes: [.learned, .blind], threads: 2) { done, total in
            #expect(total == items.count)
            calls.append(done)
        }
        #expect(calls == Array(1...items.count) && e.videoCount == 2)
        #expect(e.predictions[.learned]!.map { $0?.answer } == items.map(\.answer))

        let S = f.model.config.imageSize, (h, w) = (S + 7, 2 * S + 1)
        let grey = [UInt8](repeating: Evaluation.blindGrey, count: 2 * h * w * 3)
        let other = try grey.withUnsafeBufferPointer {
            try f.model.encode(frames: $0.baseAddress!, frameCount: 2, height: h, width: w, rowStride: 3 * w, threads: 2)
        }
        for (i, item) in items.enumerated() {
            let out = try f.model.answer(other, question: item.question, threads: 2)
            #expect(e.predictions[.blind]![i]?.answer == f.model.answers[out.topAnswer!])
        }
    }

    @Test func missingVideosAreFoundFirst() throws {
        let f = try ParityFixture("tiny_a")
        let items = [EvalQuestion(line: 7, videoField: "gone.mp4", video: "/nonexistent/gone.mp4", question: "q", answer: "a", category: "c")]
        do {
            _ = try Evaluation(model: f.model, questions: items, modes: [.learned], threads: 1)
            Issue.record("no error")
        } catch let e as CommandFailure {
            #expect(e.status == .missingFile && e.message.contains("line 7: video gone.mp4 not found"))
        }
        // Blind alone reads no video.
        let blind = try Evaluation(model: f.model, questions: items, modes: [.blind], threads: 1)
        #expect(blind.videoCount == 0 && blind.predictions[.blind]!.count == 1)
    }
}
