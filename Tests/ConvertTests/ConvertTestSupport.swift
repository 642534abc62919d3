#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import VideoDistill
@testable import VideoDistillConvert
import _VDTestSupport

/// Protobuf wire format, just enough to write ONNX ModelProtos (onnx.proto field numbers) for tests,
/// including ones no exporter would write.
struct Proto {
    var bytes: [UInt8] = []

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }
    mutating func tag(_ field: Int, _ wire: UInt64) { varint(UInt64(field) << 3 | wire) }
    mutating func int(_ field: Int, _ v: Int64) { tag(field, 0); varint(UInt64(bitPattern: v)) }
    mutating func bytes(_ field: Int, _ b: [UInt8]) { tag(field, 2); varint(UInt64(b.count)); bytes += b }
    mutating func string(_ field: Int, _ s: String) { bytes(field, Array(s.utf8)) }
    mutating func message(_ field: Int, _ m: Proto) { bytes(field, m.bytes) }
    mutating func entry(_ field: Int, _ key: String, _ value: String) {
        var e = Proto()
        e.string(1, key); e.string(2, value)
        message(field, e)
    }
}

/// One ONNX initializer as a test writes it.
struct TestInitializer {
    var name: String
    var dims: [Int64]
    var dataType: Int32 = 1
    var raw: [UInt8]? = nil
    var floats: [Float]? = nil
    var doubles: [Double]? = nil
    var int32s: [Int32]? = nil
    var external: [(String, String)]? = nil

    /// FLOAT data in raw_data.
    init(_ name: String, _ shape: [Int], _ values: [Float]) {
        self.name = name; dims = shape.map(Int64.init); raw = values.withUnsafeBytes { Array($0) }
    }

    init(name: String, dims: [Int64], dataType: Int32) {
        self.name = name; self.dims = dims; self.dataType = dataType
    }

    var proto: Proto {
        var t = Proto()
        for d in dims { t.int(1, d) }
        t.int(2, Int64(dataType))
        if let f = floats {  // packed float_data
            t.bytes(4, f.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } })
        }
        if let i = int32s {  // packed int32_data
            var p = Proto()
            for v in i { p.varint(UInt64(bitPattern: Int64(v))) }
            t.bytes(5, p.bytes)
        }
        t.string(8, name)
        if let r = raw { t.bytes(9, r) }
        if let d = doubles { t.bytes(10, d.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }) }
        if let e = external {
            for (k, v) in e { t.entry(13, k, v) }
            t.int(14, 1)  // data_location = EXTERNAL
        }
        return t
    }
}

/// A ModelProto with one graph holding `initializers`, and `metadata` as metadata_props.
func onnxModel(_ initializers: [TestInitializer], metadata: [(String, String)] = [], graph: Bool = true) -> [UInt8] {
    var m = Proto()
    m.int(1, 8)  // ir_version
    if graph {
        var g = Proto()
        g.string(2, "test")
        for t in initializers { g.message(5, t.proto) }
        m.message(7, g)
    }
    var opset = Proto()
    opset.int(2, 17)
    m.message(8, opset)
    for (k, v) in metadata { m.entry(14, k, v) }
    return m.bytes
}

/// TinyModel (ModelFileTestSupport) as ONNX exports: OpenAI names, or Hugging Face names for the towers.
enum TinyONNX {
    static let configJSON: String = {
        let c = TinyModel.config
        let sizes = ModelConfig.sizeFields.map { "\"\($0.key)\": \(c[keyPath: $0.path])" }
        return "{" + (sizes + [
            "\"mean\": [\(c.mean.map { "\($0)" }.joined(separator: ", "))]",
            "\"std\": [\(c.std.map { "\($0)" }.joined(separator: ", "))]",
            "\"clip_ln_eps\": \(c.clipLnEps)", "\"ln_eps\": \(c.lnEps)",
        ]).joined(separator: ", ") + "}"
    }()

    static let answersJSON = "[\"yes\", \"no\", \"a cat\"]"

    static var metadata: [(String, String)] {
        [("videodistill.config", configJSON), ("videodistill.answers", answersJSON)]
    }

    /// Every TinyModel tensor with OpenAI names and TinyModel's values.
    static func openAI(heads: Set<Head> = Set(Head.allCases)) -> [TestInitializer] {
        TinyModel.tensors(heads: heads).map { decl, bytes in
            TestInitializer(decl.name, decl.shape, bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
        }
    }

    /// The same model (or `tensors`, OpenAI-named FLOAT raw_data initializers) with Hugging Face names: q/k/v
    /// split, text projection transposed.
    static func huggingFace(_ tensors: [TestInitializer] = openAI()) -> [TestInitializer] {
        let renames: [(String, String)] = [
            ("clip.visual.conv1.weight", "clip.vision_model.embeddings.patch_embedding.weight"),
            ("clip.visual.class_embedding", "clip.vision_model.embeddings.class_embedding"),
            ("clip.visual.positional_embedding", "clip.vision_model.embeddings.position_embedding.weight"),
            ("clip.visual.ln_pre.", "clip.vision_model.pre_layrnorm."),
            ("clip.visual.ln_post.", "clip.vision_model.post_layernorm."),
            ("clip.visual.transformer.resblocks.", "clip.vision_model.encoder.layers."),
            ("clip.token_embedding.weight", "clip.text_model.embeddings.token_embedding.weight"),
            ("clip.positional_embedding", "clip.text_model.embeddings.position_embedding.weight"),
            ("clip.ln_final.", "clip.text_model.final_layer_norm."),
            ("clip.transformer.resblocks.", "clip.text_model.encoder.layers."),
        ]
        let inner: [(String, String)] = [
            (".attn.out_proj.", ".self_attn.out_proj."), (".ln_1.", ".layer_norm1."), (".ln_2.", ".layer_norm2."),
            (".mlp.c_fc.", ".mlp.fc1."), (".mlp.c_proj.", ".mlp.fc2."),
        ]
        var out: [TestInitializer] = []
        for t in tensors {
            let values = t.raw!.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            let shape = t.dims.map(Int.init)
            if t.name == "clip.text_projection" {
                let (r, c) = (shape[0], shape[1])
                let transposed = (0..<(r * c)).map { i in values[(i % r) * c + i / r] }
                out.append(TestInitializer("clip.text_projection.weight", [c, r], transposed))
                continue
            }
            guard let (from, to) = renames.first(where: { t.name.hasPrefix($0.0) }) else { out.append(t); continue }
            var name = to + t.name.dropFirst(from.count)
            for (a, b) in inner { name = name.replacing(a, with: b, maxReplacements: 1) }
            for (suffix, part) in [(".attn.in_proj_weight", "weight"), (".attn.in_proj_bias", "bias")] where name.hasSuffix(suffix) {
                let base = String(name.dropLast(suffix.count))
                let third = values.count / 3
                for (i, qkv) in ["q", "k", "v"].enumerated() {
                    out.append(TestInitializer("\(base).self_attn.\(qkv)_proj.\(part)", [shape[0] / 3] + shape.dropFirst(),
                                               Array(values[(i * third)..<((i + 1) * third)])))
                }
            }
            if !name.hasSuffix("in_proj_weight") && !name.hasSuffix("in_proj_bias") {
                out.append(TestInitializer(name, shape, values))
            }
        }
        return out
    }
}

/// Expects `body` to throw a `ConvertError` whose message contains every fragment.
func expectConvertError(_ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("no error; expected \(fragments)", sourceLocation: sourceLocation)
    } catch let e as ConvertError {
        for f in fragments { #expect(e.message.contains(f), "message: \(e.message)", sourceLocation: sourceLocation) }
    } catch {
        Issue.record("wrong error \(error)", sourceLocation: sourceLocation)
    }
}
