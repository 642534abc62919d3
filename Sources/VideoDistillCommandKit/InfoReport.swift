import VideoDistill

/// `videodistill info`: what a model file holds.
public struct InfoReport: Encodable {
    public let model: String
    public let name: String?
    public let weightType: String
    /// SPEC 11's config, under its JSON keys.
    public let config: ModelConfig
    /// The optional heads present (SPEC 7): "qa", "vtm", "cl".
    public let heads: [String]
    public let answerCount: Int
    public let answers: [String]
    public let tensorCount: Int
    public let parameterCount: Int
    /// Every metadata entry but the long ones (answers, BPE merges), which `answers` and `merge_count` summarise.
    public let metadata: [String: MetadataValue]
    public let mergeCount: Int
    /// What computes on this machine: OpenBLAS's core, the C kernels' SIMD path, the int8 path.
    public let compute: [String: String]
    /// Set when OpenBLAS runs older kernels than this CPU supports (ComputeInfo.blasWarning).
    public let computeWarning: String?

    enum CodingKeys: String, CodingKey {
        case model, name, weightType = "weight_type", config, heads, answerCount = "answer_count", answers
        case tensorCount = "tensor_count", parameterCount = "parameter_count", metadata, mergeCount = "merge_count"
        case compute, computeWarning = "compute_warning"
    }

    package init(path: String, file: ModelFile) {
        model = path
        name = file.name
        weightType = file.weightType
        config = file.config
        heads = file.heads.sorted().map(\.rawValue)
        answerCount = file.answers.count
        answers = file.answers
        tensorCount = file.tensors.count
        parameterCount = file.tensors.values.reduce(0) { $0 + $1.count }
        mergeCount = file.bpeMerges.count
        var kv: [String: MetadataValue] = [:]
        for (key, value) in file.metadata where key != ModelFileKeys.answers && key != ModelFileKeys.merges {
            kv[key] = MetadataValue(value)
        }
        metadata = kv
        compute = ["blas_core": ComputeInfo.blasCore, "kernels": ComputeInfo.kernelPath, "int8": ComputeInfo.int8Path]
            .merging(ComputeInfo.isaCap.map { ["vd_isa": $0] } ?? [:]) { a, _ in a }
        computeWarning = ComputeInfo.blasWarning
    }

    /// The report as lines for a terminal.
    public var text: String {
        let c = config
        var lines = [
            "model:        \(model)" + (name.map { " (\($0))" } ?? ""),
            "weights:      \(weightType), \(parameterCount) parameters in \(tensorCount) tensors",
            "heads:        \(heads.isEmpty ? "none" : heads.joined(separator: ", "))",
            "answers:      \(answerCount)" + (answers.isEmpty ? "" : ": " + answers.prefix(8).joined(separator: ", ") + (answerCount > 8 ? ", ..." : "")),
            "frames:       N = \(c.numFrames) of any video, K = \(c.numSelected) selected; S = \(c.imageSize), R = \(c.resizeShort), patch = \(c.patchSize)",
            "vision:       width \(c.visionWidth), \(c.visionLayers) layers, \(c.visionHeads) heads",
            "text:         width \(c.textWidth), \(c.textLayers) layers, \(c.textHeads) heads, context \(c.contextLength), Dt = \(c.textEmbedDim)",
            "model:        D = \(c.modelDim), \(c.modelHeads) heads, L_fs = \(c.fsLayers), L_vr = \(c.vrLayers), D_qa = \(c.qaHidden)",
            "normalise:    mean \(c.mean), std \(c.std); eps clip \(c.clipLnEps), model \(c.lnEps)",
            "tokenizer:    CLIP BPE, \(mergeCount) merges",
            "compute:      OpenBLAS \(compute["blas_core"]!), kernels \(compute["kernels"]!), int8 \(compute["int8"]!)"
                + (compute["vd_isa"].map { " (capped by VD_ISA=\($0))" } ?? ""),
        ]
        if let warning = computeWarning { lines.append("warning:      \(warning)") }
        lines.append("metadata:")
        for key in metadata.keys.sorted() { lines.append("  \(key) = \(metadata[key]!.text)") }
        return lines.joined(separator: "\n")
    }
}

/// A metadata value as JSON: numbers, strings, booleans; arrays longer than 16 as their type and count.
public enum MetadataValue: Encodable {
    case int(Int64), uint(UInt64), float(Double), bool(Bool), string(String), array([MetadataValue])
    case longArray(type: String, count: Int)

    init(_ v: GGUFValue) {
        switch v {
        case .uint8(let x): self = .uint(UInt64(x))
        case .uint16(let x): self = .uint(UInt64(x))
        case .uint32(let x): self = .uint(UInt64(x))
        case .uint64(let x): self = .uint(x)
        case .int8(let x): self = .int(Int64(x))
        case .int16(let x): self = .int(Int64(x))
        case .int32(let x): self = .int(Int64(x))
        case .int64(let x): self = .int(x)
        case .float32(let x): self = .float(Double(x))
        case .float64(let x): self = .float(x)
        case .bool(let x): self = .bool(x)
        case .string(let x): self = .string(x)
        case .array(let type, let items):
            self = items.count > 16 ? .longArray(type: "\(type)", count: items.count) : .array(items.map(MetadataValue.init))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let x): try c.encode(x)
        case .uint(let x): try c.encode(x)
        case .float(let x): try c.encode(x)
        case .bool(let x): try c.encode(x)
        case .string(let x): try c.encode(x)
        case .array(let x): try c.encode(x)
        case .longArray(let type, let count): try c.encode(LongArray(array_of: type, count: count))
        }
    }

    private struct LongArray: Encodable {
        let array_of: String
        let count: Int
    }

    /// One line for a terminal.
    var text: String {
        switch self {
        case .int(let x): return "\(x)"
        case .uint(let x): return "\(x)"
        case .float(let x): return "\(x)"
        case .bool(let x): return "\(x)"
        case .string(let x): return x.count > 80 ? "\"\(x.prefix(77))...\"" : "\"\(x)\""
        case .array(let x): return "[" + x.map(\.text).joined(separator: ", ") + "]"
        case .longArray(let type, let count): return "[\(count) x \(type)]"
        }
    }
}
