import _ONNXReader

/// One initializer of an ONNX file: name, ONNX data type, PyTorch-order shape.
public struct ONNXInitializer: Equatable, Sendable {
    public let name: String
    /// TensorProto.DataType (1 = FLOAT).
    public let dataType: Int32
    public let shape: [Int]
    /// Product of `shape`, computed without overflow by the reader.
    public let count: Int
}

/// An opened ONNX model (through `_ONNXReader`): its initializers, their values, its metadata.
public final class ONNXFile {
    public let path: String
    public let initializers: [ONNXInitializer]
    /// `metadata_props`, in file order.
    public let metadata: [(key: String, value: String)]
    private let handle: OpaquePointer

    public init(path: String) throws {
        var err = [CChar](repeating: 0, count: 1024)
        guard let h = vd_onnx_open(path, &err, err.count) else { throw ConvertError(Self.message(err)) }
        handle = h
        self.path = path
        var inits: [ONNXInitializer] = []
        for i in 0..<vd_onnx_initializer_count(h) {
            var t = vd_onnx_initializer()
            guard vd_onnx_initializer_info(h, i, &t) == 0, let name = t.name else { continue }
            let shape = (0..<t.n_dims).map { Int(t.dims[$0]) }
            inits.append(ONNXInitializer(name: String(cString: name), dataType: t.data_type, shape: shape,
                                         count: Int(t.n_elements)))
        }
        initializers = inits
        var kv: [(key: String, value: String)] = []
        for i in 0..<vd_onnx_metadata_count(h) {
            var key: UnsafePointer<CChar>?, value: UnsafePointer<CChar>?
            guard vd_onnx_metadata(h, i, &key, &value) == 0, let k = key, let v = value else { continue }
            kv.append((String(cString: k), String(cString: v)))
        }
        metadata = kv
    }

    deinit { vd_onnx_close(handle) }

    /// The value of metadata `key`, if present.
    public func metadata(_ key: String) -> String? { metadata.first { $0.key == key }?.value }

    /// Initializer `index`'s values as float32.
    public func floats(_ index: Int) throws -> [Float] {
        let t = initializers[index]
        var err = [CChar](repeating: 0, count: 1024)
        var out = [Float](repeating: 0, count: t.count)
        let r = out.withUnsafeMutableBufferPointer { vd_onnx_initializer_read_f32(handle, index, $0.baseAddress, t.count, &err, err.count) }
        guard r == 0 else { throw ConvertError("\(path): \(Self.message(err))") }
        return out
    }

    private static func message(_ err: [CChar]) -> String {
        String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
