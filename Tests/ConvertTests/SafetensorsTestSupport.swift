import Foundation

/// One tensor as a test writes it into a safetensors file: raw little-endian bytes, or any header fields a test
/// wants to get wrong.
struct STTensor {
    var name: String
    var dtype = "F32"
    var shape: [Int]
    var data: [UInt8]
    /// Header text for this entry instead of the well-formed one (the offsets are the test's business then).
    var rawEntry: String? = nil

    init(_ name: String, _ shape: [Int], _ values: [Float]) {
        self.name = name; self.shape = shape
        data = values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
    }

    init(_ name: String, dtype: String, shape: [Int], data: [UInt8]) {
        self.name = name; self.dtype = dtype; self.shape = shape; self.data = data
    }
}

/// A safetensors file laid out as the format says (header length, JSON, data in the given order), for tests and
/// for writing fixtures-from-ONNX; `metadata` goes into `__metadata__`.
func safetensorsFile(_ tensors: [STTensor], metadata: [String: String] = [:]) -> [UInt8] {
    func quoted(_ s: String) -> String { String(decoding: try! JSONEncoder().encode(s), as: UTF8.self) }
    var entries: [String] = []
    var data: [UInt8] = []
    for t in tensors {
        let begin = data.count
        data += t.data
        entries.append(quoted(t.name) + ":" + (t.rawEntry ?? "{\"dtype\":\(quoted(t.dtype)),\"shape\":\(t.shape),\"data_offsets\":[\(begin),\(data.count)]}"))
    }
    if !metadata.isEmpty {
        entries.append("\"__metadata__\":{" + metadata.keys.sorted().map { quoted($0) + ":" + quoted(metadata[$0]!) }.joined(separator: ",") + "}")
    }
    return safetensorsFile(header: "{" + entries.joined(separator: ",") + "}", data: data)
}

/// Header text and data as given, the length prefix computed.
func safetensorsFile(header: String, data: [UInt8]) -> [UInt8] {
    let h = Array(header.utf8)
    return withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) } + h + data
}
