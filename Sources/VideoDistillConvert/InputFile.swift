#if canImport(Glibc)
import Glibc
#endif

/// One tensor of an input, as the plan sees it: a name (SPEC 10 or Hugging Face), a PyTorch-order shape.
struct InputTensor: Equatable {
    let name: String
    let shape: [Int]
    /// Product of `shape`, checked by the reader.
    let count: Int
    /// Why the reader cannot give float32 values (a non-floating type), or nil.
    let typeProblem: String?
}

/// What the converter reads: an ONNX export, a safetensors file, or a Hugging Face CLIP folder.
protocol ConvertInput: AnyObject {
    var path: String { get }
    var inputTensors: [InputTensor] { get }
    /// A SPEC 11 metadata value (`videodistill.config`, `videodistill.answers`), if the input carries it.
    func metadata(_ key: String) -> String?
    /// Tensor `index`'s values as float32.
    func floats(_ index: Int) throws -> [Float]
}

extension ONNXFile: ConvertInput {
    var inputTensors: [InputTensor] {
        initializers.map { i in
            InputTensor(name: i.name, shape: i.shape, count: i.count,
                        typeProblem: ConvertPlan.floatTypes.contains(i.dataType) ? nil
                            : "has ONNX data type \(i.dataType), not a floating type")
        }
    }
}

extension SafetensorsFile: ConvertInput {
    var inputTensors: [InputTensor] {
        tensors.map { InputTensor(name: $0.name, shape: $0.shape, count: $0.count, typeProblem: nil) }
    }

    /// The header's `__metadata__` carries SPEC 11's keys as an ONNX export's metadata_props do.
    func metadata(_ key: String) -> String? { metadata[key] }
}

/// Opens `path` by what it is: a folder is a Hugging Face CLIP folder, `*.safetensors` a safetensors file, anything
/// else an ONNX file.
func openInput(_ path: String) throws -> ConvertInput {
    var st = stat()
    if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return try HFCLIPFolder(path: path) }
    if path.hasSuffix(".safetensors") { return try SafetensorsFile(path: path) }
    return try ONNXFile(path: path)
}
