/// Element type of a stored tensor (GGML type ids, as GGUF stores them).
package enum TensorType: UInt32, Sendable {
    case f32 = 0
    case f16 = 1
    case i8 = 24
    case i32 = 26
    case f64 = 28

    /// Bytes per element.
    package var size: Int {
        switch self {
        case .f32, .i32: return 4
        case .f16: return 2
        case .i8: return 1
        case .f64: return 8
        }
    }
}

/// A read-only view of one tensor inside the mapped model file. Never copied, never freed by itself:
/// it lives as long as the `ModelFile` that made it.
///
/// `shape` is in PyTorch order (outermost first): a Linear weight is `[out, in]`.
package struct TensorView: @unchecked Sendable {
    package let name: String
    package let shape: [Int]
    package let type: TensorType
    package let data: UnsafeRawPointer

    package init(name: String, shape: [Int], type: TensorType, data: UnsafeRawPointer) {
        self.name = name; self.shape = shape; self.type = type; self.data = data
    }

    package var count: Int { shape.reduce(1, *) }

    /// Bytes of the values (the loader checked that they lie inside the file).
    package var byteCount: Int { count * type.size }

    /// The values of an f32 tensor. Precondition (checked by the loader): `type == .f32`.
    package var floats: UnsafePointer<Float> { data.assumingMemoryBound(to: Float.self) }

    package var floatBuffer: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: floats, count: count) }

    /// The values of an i8 tensor. Precondition (checked by the loader): `type == .i8`.
    package var int8s: UnsafePointer<Int8> { data.assumingMemoryBound(to: Int8.self) }
}
