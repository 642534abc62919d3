import _VDKernels

/// The transformer MLP: fc1 (W -> 4W), activation, fc2 (4W -> W).
struct MLP {
    enum Activation {
        /// CLIP's x * sigmoid(1.702 x) (SPEC 2.1)
        case quickGELU
        /// Exact erf GELU (SPEC 4)
        case gelu
    }

    let fc1: Linear          // CLIP "mlp.c_fc", FS/VR "mlp.fc1"   [4W, W]
    let fc2: Linear          // CLIP "mlp.c_proj", FS/VR "mlp.fc2" [W, 4W]
    let activation: Activation

    var hiddenWidth: Int { fc1.outputs }

    /// residual += fc2(act(fc1(x))).  x, residual: [rows, W]; hidden: scratch [rows, 4W]
    func apply(_ x: UnsafePointer<Float>, rows: Int, residual: UnsafeMutablePointer<Float>,
               hidden: UnsafeMutablePointer<Float>) {
        fc1.apply(x, rows: rows, into: hidden)
        switch activation {
        case .quickGELU: vd_quickgelu(hidden, rows * hiddenWidth)
        case .gelu: vd_gelu_erf(hidden, rows * hiddenWidth)
        }
        fc2.apply(hidden, rows: rows, into: residual, accumulate: true)
    }
}
