import Foundation
import Testing
@testable import VideoDistillConvert
import _VDTestSupport

/// The onnx fuzz target's committed inputs (tools/fuzz/regressions/onnx), replayed in-process through what the
/// target calls; the other targets' are VideoDistillTests' RegressionFuzzInputsTests.
@Suite struct RegressionFuzzONNXInputsTests {
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
}
