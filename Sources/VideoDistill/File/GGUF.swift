/// GGUF version 3, the container of a model file (the format of ggml/llama.cpp, `docs/gguf.md` there).
///
/// Byte layout, all integers little-endian:
/// ```
/// header        "GGUF" (4 bytes), version u32 = 3, tensor_count u64, kv_count u64
/// kv_count  x   key: string, value_type u32, value
/// tensor_count x name: string, n_dims u32, dims u64[n_dims] (ne[0] first = innermost), type u32, offset u64
/// padding       zeros up to a multiple of `general.alignment` (u32, default 32)
/// data          tensor bytes; each tensor at data start + offset, offset a multiple of the alignment
/// ```
/// A string is a u64 byte count and that many UTF-8 bytes (no terminator). An array value is an element
/// type u32, a count u64 and the elements.
package enum GGUF {
    /// "GGUF" as bytes.
    package static let magic: [UInt8] = Array("GGUF".utf8)
    /// The only version this runtime reads and writes.
    package static let version: UInt32 = 3
    /// The alignment a file has when it does not say (`general.alignment` absent).
    package static let defaultAlignment = 32
    /// Deepest nesting of arrays in arrays the reader accepts (GGUF allows nesting; files of this
    /// project never nest). Bounds the reader's recursion on hostile files.
    package static let maxArrayDepth = 4
    /// Most dimensions a tensor may have (ggml's GGML_MAX_DIMS).
    package static let maxDims = 4
}

/// Type tag of a metadata value (`gguf_metadata_value_type`).
package enum GGUFValueType: UInt32, Sendable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// Fewest bytes one value of this type takes in a file (strings: the length; arrays: type + count).
    var minimumSize: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64, .string: return 8
        case .array: return 12
        }
    }
}

/// One metadata value.
package indirect enum GGUFValue: Equatable, Sendable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case float32(Float), bool(Bool), string(String)
    /// Element type and elements (all of that type).
    case array(GGUFValueType, [GGUFValue])
    case uint64(UInt64), int64(Int64), float64(Double)

    package var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        }
    }

    /// An array of strings.
    package static func strings(_ values: [String]) -> GGUFValue { .array(.string, values.map { .string($0) }) }
    /// An array of float32.
    package static func floats(_ values: [Float]) -> GGUFValue { .array(.float32, values.map { .float32($0) }) }
}

/// One tensor-info record. `dims` is in GGUF order (innermost first), the reverse of PyTorch's shape.
package struct GGUFTensorInfo: Equatable, Sendable {
    package var name: String
    package var dims: [Int]
    package var type: TensorType
    /// Byte offset from the start of the data section.
    package var offset: Int

    package init(name: String, dims: [Int], type: TensorType, offset: Int) {
        self.name = name; self.dims = dims; self.type = type; self.offset = offset
    }

    /// The PyTorch shape (outermost first).
    package var shape: [Int] { dims.reversed() }
}
