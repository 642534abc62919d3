import Foundation
import Testing
@testable import VideoDistill
@testable import VideoDistillConvert

/// Every input committed under tools/fuzz/regressions/TARGET, replayed in-process through what its fuzz target
/// calls (the capi target's C harness replays its own with `tools/fuzz/run.sh capi -runs=0`). A regression here
/// is a crash of the test process; the explicit expectations are the ones each finding's fix made true.
@Suite struct RegressionFuzzInputsTests {
    /// gguf: raw model-file bytes. Whatever ModelFile makes of them, it throws or loads; never traps.
    @Test func ggufInputs() {
        for (name, bytes) in fuzzRegressions("gguf") {
            if let file = try? ModelFile(bytes: bytes) { _ = try? VideoDistillModel(file: file) }
            #expect(Bool(true), "\(name)")
        }
    }

    /// onnx: ONNX bytes written next to the harness's side files, then ONNXFile and ConvertPlan (once and with the
    /// file given twice) against the tiny_a config; every value count must match its shape.
    @Test func onnxInputs() throws {
        let config = try ConvertMetadata.parseConfig(
            String(decoding: readBytes(fixturePath("tiny_a", "config.json")) ?? [], as: UTF8.self), origin: "tiny_a").0
        for (name, bytes) in fuzzRegressions("onnx") {
            let dir = TempDir()
            defer { dir.remove() }
            dir.write("weights.bin", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37) })
            guard let file = try? ONNXFile(path: dir.write("model.onnx", bytes)) else { continue }
            for inputs in [[file], [file, file]] {
                guard let plan = try? ConvertPlan(inputs: inputs, config: config, answers: []) else { continue }
                for t in plan.tensors {
                    if let v = try? ConvertPlan.values(t) { #expect(v.count == t.row.shape.reduce(1, *), "\(name)") }
                }
            }
        }
    }

    /// tokenizer: byte 0 is the context length - 1 (mod 80), the rest the text; invalid UTF-8 is invalidText.
    @Test func tokenizerInputs() throws {
        let inputs = fuzzRegressions("tokenizer")
        guard !inputs.isEmpty else { return }
        let tokenizer = try CLIPTokenizer(merges: BPEMergesFile.embeddedMerges(count: CLIPTokenizer.mergeCount))
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
