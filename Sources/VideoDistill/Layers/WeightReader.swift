/// Resolves SPEC 10 parameter names to views into the model file, once, at model load.
///
/// Each lookup states the shape the SPEC gives the tensor and refuses anything else (the loader has
/// checked the file already; this guards the layers' own reading of it). Only the weights of Linear layers
/// and of the patch convolution may be int8 (`linearWeight`); every other tensor is fp32.
struct WeightReader {
    let file: ModelFile

    /// The fp32 tensor `name` with exactly `shape` (PyTorch order).
    func tensor(_ name: String, _ shape: [Int]) throws -> TensorView {
        let t = try file.tensor(name)
        guard t.shape == shape else {
            throw VideoDistillError.invalidModelFile("tensor \(name) has shape \(t.shape), expected \(shape)")
        }
        guard t.type == .f32 else {
            throw VideoDistillError.invalidModelFile("tensor \(name) is \(t.type); only Linear weights may be int8")
        }
        return t
    }

    /// The weight of a Linear [out, in] (stored with `shape`, whose first dim is out): the fp32 view, or the
    /// int8 values and scales packed for the int8 kernels.
    func linearWeight(_ name: String, _ shape: [Int], out: Int, in inputs: Int) throws -> LinearWeight {
        let t = try file.tensor(name)
        guard t.shape == shape, shape.first == out, t.count == out * inputs else {
            throw VideoDistillError.invalidModelFile("tensor \(name) has shape \(t.shape), expected \(shape)")
        }
        switch t.type {
        case .f32:
            return .f32(t)
        case .i8:
            guard let scales = file.scales[name], scales.type == .f32, scales.shape == [out] else {
                throw VideoDistillError.invalidModelFile("int8 tensor \(name) has no f32 scales [\(out)]")
            }
            let packed = try PackedS8Weights(q: t.int8s, scales: scales.floats, out: out, in: inputs, name: name)
            file.dropPages(of: t)   // the kernels read the packed copy only
            return .s8(packed)
        default:
            throw VideoDistillError.invalidModelFile("tensor \(name) is \(t.type), expected f32 or i8")
        }
    }

    /// True when the file holds `name`.
    func has(_ name: String) -> Bool { file.tensors[name] != nil }
}
