import _VDKernels

/// An int8 weight [out, in] with its per-output-channel scales, packed once (`vd_int8_weights_pack`) into the
/// kernels' layout and freed with the model.
final class PackedInt8Weights: @unchecked Sendable {
    let packed: OpaquePointer   // vd_int8_weights *
    let outputs: Int
    let inputs: Int

    /// Packs q [out, in] with scales [out]. Throws when the kernels cannot allocate the packed copy.
    init(q: UnsafePointer<Int8>, scales: UnsafePointer<Float>, out: Int, in inputs: Int, name: String) throws {
        guard let p = vd_int8_weights_pack(q, scales, Int32(out), Int32(inputs)) else {
            throw VideoDistillError.invalidModelFile("cannot pack int8 tensor \(name) [\(out), \(inputs)] (out of memory)")
        }
        packed = p
        outputs = out
        self.inputs = inputs
    }

    deinit { vd_int8_weights_free(packed) }

    /// Bytes the packed copy holds.
    var bytes: Int { vd_int8_weights_bytes(packed) }

    /// y = dequant(quant_rows(x) W^T) + b, or y += that when `accumulate`.
    /// x: [rows, in] (row stride ldx); y: [rows, out]; bias: [out] or nil.
    ///
    /// Threads: the call's (`ComputeThreads.count`).
    /// The kernels allocate their scratch per call; running out of memory there is a fatal error, like any
    /// allocation of the fp32 path's scratch.
    func apply(_ x: UnsafePointer<Float>, rows: Int, ldx: Int, bias: UnsafePointer<Float>?,
               into y: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let threads = Int32(ComputeThreads.count)
        // The residual form adds in the kernels' epilogue: no scratch, no second pass. x and y never overlap here.
        let r = accumulate
            ? vd_linear_int8_acc(y, Int64(outputs), x, Int32(rows), Int32(inputs), Int64(ldx), packed, bias, threads)
            : vd_linear_int8(y, Int64(outputs), x, Int32(rows), Int32(inputs), Int64(ldx), packed, bias, threads)
        guard r == 0 else { fatalError("int8 Linear: out of memory for the \(rows) x \(inputs) activations' scratch") }
    }
}
