import VideoDistill

/// Which weights `convert-weights --type int8` stores as int8 (SPEC 8), by group (`int8Groups`).
///
/// The default keeps fp32 the groups where int8 costs accuracy and buys no measurable speed. Measured with
/// `tools/shapesqa/shapesqa/int8_eval.py` (the int8 scheme simulated in PyTorch and run by this runtime, on random
/// models; figures in its docstring):
/// - the selection is decided by `input_proj` (on v_cls), the FS blocks and `fs.select`, which see N rows only,
///   and by t_cls, made by the text encoder from one question: int8 there moved the selection logits by up to
///   ~0.1 and flipped slots whose fp32 top-2 gap was far above SPEC 8's 1e-2; in the paper config they are
///   ~8 of an answer's ~195 GMAC (`input_proj` over the K*P chosen patches 2.5, the FS blocks 4.7, the text
///   encoder ~0.6), the VR blocks the other ~187;
/// - the patch convolution is ~0.7% of the frame encoder's work; the heads are one row each;
/// - the ViT blocks: their int8 error (v_cls ~2% relative on random models) reaches the selection through v_cls.
///   On the trained ShapesQA model an int8 ViT failed SPEC 8 (top-1 agreement 96.6%, slots flipped at fp32 gaps
///   far above 1e-2) while int8 VR blocks alone passed (99.7%, no flips). So the default keeps them fp32 and
///   makes only the VR blocks (the answer's time) int8; `fastKeepF32` ("--keep-f32 fast") makes the ViT int8
///   too, for a ~2.5x faster frame encoder where its accuracy has been checked on the model at hand.
public struct Int8Policy: Equatable, Sendable {
    /// Groups stored fp32.
    public var keepF32: Set<String>

    /// The groups the converter keeps fp32 unless told otherwise: all but the VR blocks.
    public static let defaultKeepF32 = ["vision.conv1", "vision.blocks", "text.blocks", "input_proj", "fs.gate",
                                        "fs.attn", "fs.mlp", "fs.select", "heads"]
    /// "--keep-f32 fast": the default with the ViT blocks int8 as well.
    public static let fastKeepF32 = defaultKeepF32.filter { $0 != "vision.blocks" }

    /// The groups a `--keep-f32` argument names: "none", "fast" or comma-separated groups (checked by `init`).
    public static func keepF32(argument v: String) -> [String] {
        v == "none" ? [] : v == "fast" ? fastKeepF32 : v.split(separator: ",").map(String.init)
    }

    public init(keepF32: [String] = Int8Policy.defaultKeepF32) throws {
        let unknown = keepF32.filter { !int8Groups.contains($0) }
        guard unknown.isEmpty else {
            throw ConvertError("unknown int8 groups \(unknown.joined(separator: ", ")); known: \(int8Groups.joined(separator: ", "))")
        }
        self.keepF32 = Set(keepF32)
    }

    /// True when the weight `name` is stored int8 under this policy.
    public func quantizes(_ name: String) -> Bool {
        guard let group = int8Group(of: name) else { return false }
        return !keepF32.contains(group)
    }
}

/// SPEC 8's weight quantization: symmetric, per output channel (row).
public enum Int8Quantizer {
    /// The largest magnitude of a quantized value (-128 is never used).
    public static let qmax: Float = 127

    /// For w [rows, cols] (row-major; a convolution [out, ...] is [out, product of the rest]):
    /// scale_j = max|w_j| / 127 and q = round-half-even(w / scale_j) in [-127, 127]; a zero row gets scale 0 and
    /// q = 0. The same arithmetic as `vd_quantize_rows_int8` and `tools/reference/vdref/int8.py`.
    /// Throws on a non-finite weight (naming the tensor and the element).
    public static func quantizeRows(_ w: [Float], rows: Int, name: String) throws -> (q: [Int8], scales: [Float]) {
        guard rows > 0, w.count % rows == 0 else { throw ConvertError("\(name): \(w.count) values are not \(rows) rows") }
        let cols = w.count / rows
        var q = [Int8](repeating: 0, count: w.count)
        var scales = [Float](repeating: 0, count: rows)
        for j in 0..<rows {
            let row = w[(j * cols)..<((j + 1) * cols)]
            var m: Float = 0
            for (i, v) in zip(row.indices, row) {
                guard v.isFinite else { throw ConvertError("\(name): element \(i) is \(v), not a finite number") }
                m = max(m, abs(v))
            }
            let scale = m / qmax
            scales[j] = scale
            guard scale > 0 else { continue }
            for i in row.indices {
                let r = (w[i] / scale).rounded(.toNearestOrEven)
                q[i] = Int8(min(max(r, -qmax), qmax))
            }
        }
        return (q, scales)
    }
}
