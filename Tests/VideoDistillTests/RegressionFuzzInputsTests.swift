import Foundation
import Testing
@testable import VideoDistill
import _VDTestSupport

/// Every input committed under tools/fuzz/regressions/TARGET, replayed in-process through what its fuzz target
/// calls (the capi target's C harness replays its own with `tools/fuzz/run.sh capi -runs=0`; the onnx target's are
/// ConvertTests' RegressionFuzzONNXInputsTests). A regression here
/// is a crash of the test process; the explicit expectations are the ones each finding's fix made true.
@Suite struct RegressionFuzzInputsTests {
    /// gguf: raw model-file bytes. Whatever ModelFile makes of them, it throws or loads; never traps.
    @Test func ggufInputs() {
        for (name, bytes) in fuzzRegressions("gguf") {
            if let file = try? ModelFile(bytes: bytes) { _ = try? VideoDistillModel(file: file) }
            #expect(Bool(true), "\(name)")
        }
    }

    /// tokenizer: byte 0 is the context length - 1 (mod 80), the rest the text; invalid UTF-8 is invalidText.
    @Test func tokenizerInputs() throws {
        let inputs = fuzzRegressions("tokenizer")
        guard !inputs.isEmpty else { return }
        let tokenizer = try TokenizerFixture.load().tokenizer   // the vocabulary convert-weights builds in
        for (name, bytes) in inputs {
            let context = Int((bytes.first ?? 0) % 80) + 1, text = Array(bytes.dropFirst())
            do {
                let ids = try tokenizer.tokenIds(utf8: text, contextLength: context)
                #expect(ids.count == context, "\(name)")
            } catch VideoDistillError.invalidText {
                #expect(String(validating: text, as: UTF8.self) == nil, "\(name)")
            }
        }
    }
}
