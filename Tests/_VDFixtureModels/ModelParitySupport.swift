import Foundation
import Testing
import VideoDistill
import VideoDistillConvert
import _VDTestSupport

/// One fixture model (Tests/Fixtures/<name>), converted from its ONNX pair with the converter into a temp
/// directory and loaded, with the reference outputs (ONNX Runtime / PyTorch) beside it.
package struct ParityFixture {
    package let name: String
    package let model: VideoDistillModel

    /// Converts `<name>/frame_encoder.onnx` + `answerer.onnx` and loads the result.
    package init(_ name: String) throws {
        self.name = name
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("vd-parity-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("\(name).gguf").path
        _ = try VideoDistillConvert.convert(
            inputs: [fixturePath(name, "frame_encoder.onnx"), fixturePath(name, "answerer.onnx")],
            output: out, options: ConvertOptions())
        model = try VideoDistillModel(path: out)   // the mapping outlives the file's name
    }

    package func npy(_ file: String) throws -> NPYArray { try NPYArray.load(fixturePath(name, file + ".npy")) }

    package func json<T: Decodable>(_ file: String, as: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: fixturePath(name, file))))
    }
}

/// SPEC 8's fp32 tolerance for one output tensor: max |got - ref| <= 1e-4 * max(1, max |ref|).
package func withinSpecTolerance(_ got: [Float], _ ref: [Float]) -> Bool {
    guard got.count == ref.count else { return false }
    let scale = max(1, ref.map { abs($0) }.max() ?? 0)
    let err = zip(got, ref).map { abs($0 - $1) }.max() ?? 0
    return err <= 1e-4 * scale
}

/// max |got - ref| / max(1, max |ref|), for messages.
package func scaledError(_ got: [Float], _ ref: [Float]) -> Float {
    guard got.count == ref.count else { return .infinity }
    let scale = max(1, ref.map { abs($0) }.max() ?? 0)
    return (zip(got, ref).map { abs($0 - $1) }.max() ?? 0) / scale
}

/// Rows of a [Q, ...] array: row q as a flat slice.
package func row(_ a: [Float], _ q: Int, of count: Int) -> [Float] {
    let n = a.count / count
    return Array(a[q * n ..< (q + 1) * n])
}
