import VideoDistill

/// How to convert (the command line's options).
public struct ConvertOptions: Equatable, Sendable {
    /// Weight type to write: "f32", or "int8" (SPEC 8; which weights are int8: `int8KeepF32`).
    public var type = "f32"
    /// With `type` "int8": the `int8Groups` kept fp32 (nil: `Int8Policy.defaultKeepF32`).
    public var int8KeepF32: [String]?
    /// A config JSON file overriding the inputs' `videodistill.config`.
    public var configPath: String?
    /// An answers JSON file overriding the inputs' `videodistill.answers`.
    public var answersPath: String?
    /// The BPE vocabulary .gz (default: the one shipped in tools/reference/vdref); its SHA-256 is checked.
    public var bpePath: String?
    /// `general.name` (default: the output's file name without extension).
    public var name: String?

    public init() {}
}

/// What a conversion wrote.
public struct ConvertSummary: Sendable, CustomStringConvertible {
    public let output: String
    public let tensorCount: Int
    public let parameterCount: Int
    public let fileSize: Int
    public let heads: [Head]
    public let answerCount: Int
    /// Config keys the converter does not know (SPEC 11: ignored, but listed).
    public let unknownConfigKeys: [String]
    /// Initializers dropped as SPEC 10 allows.
    public let ignoredInitializers: [String]
    /// The weights written as int8 (empty for f32).
    public let int8Tensors: [String]
    /// With --type int8: the groups kept fp32.
    public let keptF32Groups: [String]

    public var description: String {
        var lines = [
            "wrote \(output): \(tensorCount) tensors, \(parameterCount) parameters, \(fileSize) bytes",
            "heads: \(heads.isEmpty ? "none" : heads.map(\.rawValue).joined(separator: ", "))"
                + (answerCount > 0 ? " (\(answerCount) answers)" : ""),
        ]
        if !int8Tensors.isEmpty || !keptF32Groups.isEmpty {
            lines.append("int8: \(int8Tensors.count) weights (per-output-channel scales beside each); kept fp32: "
                         + (keptF32Groups.isEmpty ? "no group" : keptF32Groups.joined(separator: ", ")))
        }
        if !ignoredInitializers.isEmpty { lines.append("ignored: \(ignoredInitializers.joined(separator: ", "))") }
        if !unknownConfigKeys.isEmpty { lines.append("unknown config keys (ignored): \(unknownConfigKeys.joined(separator: ", "))") }
        return lines.joined(separator: "\n")
    }
}

/// Converts ONNX exports (SPEC 11), safetensors files and a Hugging Face CLIP folder into one model file (`ModelFileKeys`), then loads the result back
/// with `ModelFile` as a last check. The output appears only when everything succeeded.
public func convert(inputs: [String], output: String, options: ConvertOptions) throws -> ConvertSummary {
    guard !inputs.isEmpty else { throw ConvertError("no input files") }
    guard ModelFileKeys.supportedWeightTypes.contains(options.type) else {
        throw ConvertError("--type \(options.type) is not supported; use one of \(ModelFileKeys.supportedWeightTypes)")
    }
    let policy = options.type == ModelFileKeys.int8WeightType
        ? try Int8Policy(keepF32: options.int8KeepF32 ?? Int8Policy.defaultKeepF32) : nil
    if options.int8KeepF32 != nil && policy == nil { throw ConvertError("--keep-f32 needs --type int8") }
    if inputs.count == 1, inputs[0].hasSuffix(".gguf") {
        guard let policy else { throw ConvertError("a .gguf input is made int8: it needs --type int8") }
        return try requantize(input: inputs[0], output: output, policy: policy, name: options.name)
    }
    let files = try inputs.map(openInput)
    let (config, unknownKeys) = try ConvertMetadata.config(path: options.configPath, inputs: files)
    let answers = try ConvertMetadata.answers(path: options.answersPath, inputs: files)
    let plan = try ConvertPlan(inputs: files, config: config, answers: answers)
    let mergeCount = ModelFile.mergeCount(vocabSize: config.vocabSize)
    let merges = try options.bpePath.map { try BPEMergesFile.merges(path: $0, count: mergeCount) }
        ?? BPEMergesFile.embeddedMerges(count: mergeCount)
    for folder in files.compactMap({ $0 as? HFCLIPFolder }) { try checkTokenizer(folder, merges: merges) }

    let name = options.name ?? defaultName(output)
    let metadata = ModelFile.metadata(config: config, answers: answers, merges: merges,
                                      bpeSHA256: BPEMergesFile.sha256, name: name, weightType: options.type)
    let int8Names = plan.tensors.map(\.row.name).filter { policy?.quantizes($0) == true }
    let size = try writeModelFile(to: output, metadata: metadata, rows: plan.tensors.map(\.row), int8: int8Names,
                                  heads: plan.heads) { i, _ in try ConvertPlan.values(plan.tensors[i]) }
    return ConvertSummary(output: output, tensorCount: plan.tensors.count,
                          parameterCount: plan.tensors.reduce(0) { $0 + $1.row.shape.reduce(1, *) },
                          fileSize: size, heads: plan.heads.sorted(), answerCount: answers.count,
                          unknownConfigKeys: unknownKeys, ignoredInitializers: plan.ignored, int8Tensors: int8Names,
                          keptF32Groups: policy.map { p in int8Groups.filter { p.keepF32.contains($0) } } ?? [])
}

/// SPEC 2.3 fixes CLIP's BPE: a Hugging Face folder's own merges.txt, where it has one, must hold the same merges.
func checkTokenizer(_ folder: HFCLIPFolder, merges: [String]) throws {
    guard let theirs = folder.merges else { return }
    let origin = "\(folder.path)/merges.txt"
    guard theirs.count >= merges.count else {
        throw ConvertError("\(origin) holds \(theirs.count) merges; CLIP's BPE (SPEC 2.3) has \(merges.count)")
    }
    if let i = merges.indices.first(where: { theirs[$0] != merges[$0] }) {
        throw ConvertError("\(origin) differs from CLIP's BPE (SPEC 2.3) at merge \(i): \"\(theirs[i])\", not \"\(merges[i])\"")
    }
}

/// "dir/model.gguf" -> "model".
func defaultName(_ path: String) -> String {
    let file = path.split(separator: "/").last.map(String.init) ?? path
    guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
    return String(file[..<dot])
}
