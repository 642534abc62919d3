import Foundation
import Testing
@testable import VideoDistill
import _VDFixtureModels

/// Choice (SPEC 7's choices made once): ranking order and ties, softmax, the multiple-choice text, the uniform
/// selection, and the refusals of choose / chooseVideo. Scores against the oracle: ModelParityTests.
@Suite struct ModelChoiceTests {
    @Test func rankingIsByScoreWithTiesToTheLowerIndexAndNaNLast() {
        #expect(Choice.ranking([0.5, 2, 2, -1, .nan, 2]) == [1, 2, 5, 0, 3, 4])
        #expect(Choice.ranking([]) == [] && Choice.best([]) == nil)
        #expect(Choice.best([.nan, -.infinity]) == 1 && Choice.best([.nan, .nan]) == 0)
        #expect(Choice.best([1, 3, 3]) == 1)
    }

    @Test func probabilitiesAreTheSoftmax() {
        // softmax([0, ln 3]) = [1/4, 3/4]; a shift changes nothing; large logits do not overflow.
        let p = Choice.probabilities([0, Float(log(3.0))])
        #expect(abs(p[0] - 0.25) < 1e-7 && abs(p[1] - 0.75) < 1e-7)
        #expect(Choice.probabilities([1000, 1000 + Float(log(3.0))]).map { ($0 * 4).rounded() } == [1, 3])
        #expect(Choice.probabilities([]) == [])
    }

    @Test func candidateTextIsQuestionSpaceCandidate() {
        #expect(Choice.candidateText(question: "what is it?", candidate: "a dog") == "what is it? a dog")
        #expect(Choice.candidateText(question: Array("é".utf8), candidate: [0xFF]) == [0xC3, 0xA9, 0x20, 0xFF])
    }

    @Test func uniformSelectionIsEvenlySpaced() throws {
        let f = try ParityFixture("tiny_a")
        let (N, K) = (f.model.config.numFrames, f.model.config.numSelected)
        #expect(f.model.uniformSelection == (0..<K).map { (2 * $0 + 1) * N / (2 * K) })
        #expect(Selection.uniform(frames: 32, slots: 4) == [4, 12, 20, 28])
    }

    @Test func chooseRefusesNoCandidatesNoVideosAndBadText() throws {
        let f = try ParityFixture("tiny_a")
        let video = try f.model.encodedVideo(tokens: f.npy("tokens").floats)
        #expect(throws: VideoDistillError.self) { _ = try f.model.choose(video, question: "q", candidates: [], threads: 1) }
        #expect(throws: VideoDistillError.self) { _ = try f.model.chooseVideo([], text: "q", threads: 1) }
        #expect(throws: VideoDistillError.self) {
            _ = try f.model.choose(video, questionUTF8: Array("q".utf8), candidatesUTF8: [[0xFF, 0xFE]], threads: 1)
        }
        let other = try ParityFixture("tiny_b")
        let foreign = try other.model.encodedVideo(tokens: other.npy("tokens").floats)
        #expect(throws: VideoDistillError.self) { _ = try f.model.chooseVideo([video, foreign], text: "q", threads: 1) }
    }
}
