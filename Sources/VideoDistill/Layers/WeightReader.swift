/// Resolves SPEC 10 parameter names to views into the model file, once, at model load; or, made by
/// `recording`, reads nothing and notes each name, shape, head and int8 group the layers ask for: that list
/// is SPEC 10's table (`expectedTensors`), so each name and shape is spelled once, where a layer reads it.
///
/// Each lookup states the shape the SPEC gives the tensor and refuses anything else (the loader has
/// checked the file already; this guards the layers' own reading of it). Only the weights of Linear layers
/// and of the patch convolution may be int8 (`linearWeight`); every other tensor is fp32.
struct WeightReader {
    /// The model file read from (nil: recording).
    private let file: ModelFile?
    /// Where a recording reader notes what it is asked for (nil: reading a file).
    private let table: Recorder?
    /// The optional head whose tensors are being read (`head(_:_:)`); nil for the required tensors.
    private var head: Head? = nil

    /// The rows a recording reader has noted, in the order the layers asked for them.
    final class Recorder {
        var rows: [ExpectedTensor] = []
    }

    /// Reads the tensors of `file`.
    init(file: ModelFile) {
        self.file = file
        table = nil
    }

    /// Notes every tensor asked for in `table` and returns placeholders (views of nothing, never read).
    static func recording(into table: Recorder) -> WeightReader { WeightReader(table: table) }

    private init(table: Recorder) {
        file = nil
        self.table = table
    }

    /// A view standing in for a tensor while recording; the layers built from it are thrown away unused.
    private static let placeholder = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 4, alignment: 64))

    /// Notes `name` while recording and returns its placeholder view; nil when reading a file.
    private func record(_ name: String, _ shape: [Int], int8Group: String?) -> TensorView? {
        guard let table else { return nil }
        table.rows.append(ExpectedTensor(name: name, shape: shape, head: head, int8Group: int8Group))
        return TensorView(name: name, shape: shape, type: .f32, data: Self.placeholder)
    }

    /// The fp32 tensor `name` with exactly `shape` (PyTorch order).
    func tensor(_ name: String, _ shape: [Int]) throws -> TensorView {
        if let recorded = record(name, shape, int8Group: nil) { return recorded }
        let t = try file!.tensor(name)
        guard t.shape == shape else {
            throw VideoDistillError.invalidModelFile("tensor \(name) has shape \(t.shape), expected \(shape)")
        }
        guard t.type == .f32 else {
            throw VideoDistillError.invalidModelFile("tensor \(name) is \(t.type); only Linear weights may be int8")
        }
        return t
    }

    /// The weight of a Linear [out, in] (stored with `shape`, whose first dim is out): the fp32 view, or the
    /// int8 values and scales packed for the int8 kernels. `int8Group` is the SPEC 8 group the weight belongs to
    /// (`int8Groups`): which weights an int8 file may store as int8 is decided here, where they are read.
    func linearWeight(_ name: String, _ shape: [Int], out: Int, in inputs: Int, int8Group: String) throws
        -> LinearWeight {
        if let recorded = record(name, shape, int8Group: int8Group) { return .f32(recorded) }
        let file = file!
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
            let packed = try PackedInt8Weights(q: t.int8s, scales: scales.floats, out: out, in: inputs, name: name)
            file.dropPages(of: t)   // the kernels read the packed copy only
            return .int8(packed)
        default:
            throw VideoDistillError.invalidModelFile("tensor \(name) is \(t.type), expected f32 or i8")
        }
    }

    /// What `body` reads for the optional `head` (SPEC 7), or nil when the file lacks that head (the loader
    /// checked that a head is all there or absent). Recording: `body` runs and its tensors are noted as the head's.
    func head<T>(_ head: Head, _ body: (WeightReader) throws -> T) rethrows -> T? {
        if let file, !file.heads.contains(head) { return nil }
        var w = self
        w.head = head
        return try body(w)
    }
}
