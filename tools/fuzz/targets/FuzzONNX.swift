// Fuzz target: the ONNX side of convert-weights. The input is written as model.onnx in a private folder (in
// /dev/shm when there is one), next to a small external-data file (weights.bin, data/w.bin) and a link that
// points outside the folder, then goes through what `convert` does before writing: ONNXFile (the C++ reader),
// the config and answers from its metadata (else the tiny_a fixture's, VD_FUZZ_CONFIG / VD_FUZZ_ANSWERS),
// ConvertPlan against SPEC 10, and ConvertPlan.values for every planned tensor. The same file given twice
// exercises the duplicate-name check. Invariants: every value count matches the declared shape.
// With VD_FUZZ_CONVERT="OUT IN..." set it converts the inputs to a model file and exits (run.sh uses it).
@testable import VideoDistill
@testable import VideoDistillConvert
#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) var folder = ""
nonisolated(unsafe) var fallbackConfig: ModelConfig?
nonisolated(unsafe) var fallbackAnswers: [String] = []

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    // Helper mode for run.sh: VD_FUZZ_CONVERT="OUT.gguf IN1.onnx IN2.onnx" converts and exits.
    if let job = environment("VD_FUZZ_CONVERT") {
        let words = job.split(separator: " ").map(String.init)
        do {
            print(try convert(inputs: Array(words.dropFirst()), output: words[0], options: ConvertOptions()))
            exit(0)
        } catch { fuzzFailure("conversion failed: \(error)") }
    }
    // A private folder in memory when /dev/shm is there (one file write per input), else under TMPDIR or /tmp.
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (environment("TMPDIR") ?? "/tmp")
    folder = "\(base)/vd-fuzz-onnx-\(getpid())"
    mkdir(folder, 0o700)
    mkdir(folder + "/data", 0o700)
    writeFile(folder + "/weights.bin", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37) })
    writeFile(folder + "/data/w.bin", [UInt8](repeating: 0x3C, count: 512))
    symlink("/etc/hostname", folder + "/outside.bin")
    if let p = environment("VD_FUZZ_CONFIG"), let text = readFile(p) {
        fallbackConfig = try? ConvertMetadata.parseConfig(String(decoding: text, as: UTF8.self), origin: p).0
    }
    if let p = environment("VD_FUZZ_ANSWERS"), let text = readFile(p) {
        fallbackAnswers = (try? ConvertMetadata.parseAnswers(String(decoding: text, as: UTF8.self), origin: p)) ?? []
    }
    atexit { _ = try? removeFolder() }
    return 0
}

func removeFolder() throws {
    for f in ["model.onnx", "weights.bin", "data/w.bin", "outside.bin"] { unlink(folder + "/" + f) }
    rmdir(folder + "/data")
    rmdir(folder)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let path = folder + "/model.onnx"
    guard writeFile(path, Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))) else {
        fuzzFailure("cannot write \(path)")
    }
    guard let file = try? ONNXFile(path: path) else { return 0 }
    for t in file.initializers {
        var n = 1
        for d in t.shape {
            require(d >= 0, "negative dim in \(t.name)")
            let (p, o) = n.multipliedReportingOverflow(by: d)
            require(!o, "count of \(t.name) overflows")
            n = p
        }
        require(n == t.count, "count of \(t.name) is \(t.count), its shape \(t.shape) gives \(n)")
    }
    // What convert does next: config and answers, the plan, then every tensor's values.
    let config = (try? ConvertMetadata.config(path: nil, inputs: [file]).0) ?? fallbackConfig
    let answers = (try? ConvertMetadata.answers(path: nil, inputs: [file])) ?? fallbackAnswers
    guard let config else { return 0 }
    for inputs in [[file], [file, file]] {
        guard let plan = try? ConvertPlan(inputs: inputs, config: config, answers: answers) else { continue }
        for t in plan.tensors {
            guard let values = try? ConvertPlan.values(t) else { continue }
            require(values.count == t.row.shape.reduce(1, *), "\(t.row.name): \(values.count) values")
        }
    }
    return 0
}
