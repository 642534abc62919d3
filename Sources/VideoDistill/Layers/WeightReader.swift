/// Resolves SPEC 10 parameter names to views into the model file, once, at model load.
///
/// Each lookup states the shape the SPEC gives the tensor and refuses anything else (the loader has
/// checked the file already; this guards the layers' own reading of it) and anything that is not fp32.
struct WeightReader {
    let file: ModelFile

    /// The fp32 tensor `name` with exactly `shape` (PyTorch order).
    func tensor(_ name: String, _ shape: [Int]) throws -> TensorView {
        let t = try file.tensor(name)
        guard t.shape == shape else {
            throw VideoDistillError.invalidModelFile("tensor \(name) has shape \(t.shape), expected \(shape)")
        }
        guard t.type == .f32 else {
            throw VideoDistillError.invalidModelFile("tensor \(name) is \(t.type), this runtime computes fp32 only")
        }
        return t
    }

    /// True when the file holds `name`.
    func has(_ name: String) -> Bool { file.tensors[name] != nil }
}
