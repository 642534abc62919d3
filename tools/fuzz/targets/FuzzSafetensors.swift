// Fuzz target: the safetensors side of convert-weights. The input is a whole safetensors file, read from memory by
// SafetensorsFile (the same parser the mapped file goes through), then what `convert` does before writing: the
// config and answers from its __metadata__ (else the tiny_a fixture's, VD_FUZZ_CONFIG / VD_FUZZ_ANSWERS),
// ConvertPlan against SPEC 10 (once and with the file given twice: the duplicate-name check), ConvertPlan.values.
// Invariants, re-checked from the raw bytes: the tensors tile the data section after the header exactly, each
// one's byte count is its shape's product times its dtype's size, and float32 values are its bytes.
@testable import VideoDistill
@testable import VideoDistillConvert
#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) var fallbackConfig: ModelConfig?
nonisolated(unsafe) var fallbackAnswers: [String] = []

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    if let p = environment("VD_FUZZ_CONFIG"), let text = readFile(p) {
        fallbackConfig = try? ConvertMetadata.parseConfig(String(decoding: text, as: UTF8.self), origin: p).0
    }
    if let p = environment("VD_FUZZ_ANSWERS"), let text = readFile(p) {
        fallbackAnswers = (try? ConvertMetadata.parseAnswers(String(decoding: text, as: UTF8.self), origin: p)) ?? []
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    guard let file = try? SafetensorsFile(data: bytes, path: "input.safetensors") else { return 0 }
    // Accepted: the header length is in the file and the tensors tile what follows it.
    require(bytes.count >= 8, "accepted \(bytes.count) bytes")
    let n = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    require(n <= UInt64(bytes.count - 8), "header length \(n) past the end")
    var next = 8 + Int(n)
    for (i, t) in file.tensors.enumerated() {
        var count = 1
        for d in t.shape {
            require(d >= 0, "negative dim in \(t.name)")
            let (p, o) = count.multipliedReportingOverflow(by: d)
            require(!o, "count of \(t.name) overflows")
            count = p
        }
        require(count == t.count && t.byteCount == count * t.dtype.size, "\(t.name): \(t.count) values in \(t.byteCount) bytes")
        require(t.offset == next, "\(t.name) starts at \(t.offset), not \(next)")
        next += t.byteCount
        guard let values = try? file.floats(i) else { fuzzFailure("floats(\(i)) of an accepted file failed") }
        require(values.count == count, "\(t.name): \(values.count) values")
        if t.dtype == .f32 {
            for (j, v) in values.enumerated() {
                let b = Array(bytes[(t.offset + 4 * j)..<(t.offset + 4 * j + 4)])
                let bits = UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
                require(v.bitPattern == bits, "\(t.name)[\(j)] is not its bytes")
            }
        }
    }
    require(next == bytes.count, "tensors end at \(next) of \(bytes.count)")

    // What convert does next: config and answers, the plan, then every tensor's values.
    let config = (try? ConvertMetadata.config(path: nil, inputs: [file]).0) ?? fallbackConfig
    let answers = (try? ConvertMetadata.answers(path: nil, inputs: [file])) ?? fallbackAnswers
    guard let config else { return 0 }
    for inputs in [[file], [file, file]] as [[ConvertInput]] {
        guard let plan = try? ConvertPlan(inputs: inputs, config: config, answers: answers) else { continue }
        for t in plan.tensors {
            guard let values = try? ConvertPlan.values(t) else { continue }
            require(values.count == t.row.shape.reduce(1, *), "\(t.row.name): \(values.count) values")
        }
    }
    return 0
}
