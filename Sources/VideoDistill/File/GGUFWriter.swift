#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tensor to be written: SPEC name, PyTorch shape (outermost first), element type.
package struct GGUFTensorDeclaration: Equatable, Sendable {
    package var name: String
    package var shape: [Int]
    package var type: TensorType

    package init(name: String, shape: [Int], type: TensorType) {
        self.name = name; self.shape = shape; self.type = type
    }

    /// Bytes of data. Precondition: the shape is small enough not to overflow (callers check shapes).
    package var byteCount: Int { shape.reduce(1, *) * type.size }
}

/// Serializes GGUF v3 (layout in `GGUF`): the header once, then each tensor's bytes in declaration order,
/// each starting at a multiple of the alignment, zero-padded.
package enum GGUFWriter {
    /// The header bytes up to the data section (padding included) and the tensor infos with their offsets.
    ///
    /// `general.alignment` is written first unless `metadata` already has it (then the caller's value is
    /// written as given, which lets tests write inconsistent files).
    package static func header(metadata: [(key: String, value: GGUFValue)], tensors: [GGUFTensorDeclaration],
                              alignment: Int) -> (bytes: [UInt8], infos: [GGUFTensorInfo]) {
        var out: [UInt8] = GGUF.magic
        append(GGUF.version, to: &out)
        var kvs = metadata
        if !kvs.contains(where: { $0.key == "general.alignment" }) {
            kvs.insert(("general.alignment", .uint32(UInt32(alignment))), at: 0)
        }
        append(UInt64(tensors.count), to: &out)
        append(UInt64(kvs.count), to: &out)
        for (key, value) in kvs {
            append(key, to: &out)
            append(value.type.rawValue, to: &out)
            append(value, to: &out)
        }
        var infos: [GGUFTensorInfo] = []
        var offset = 0
        for t in tensors {
            let info = GGUFTensorInfo(name: t.name, dims: t.shape.reversed(), type: t.type, offset: offset)
            append(info.name, to: &out)
            append(UInt32(info.dims.count), to: &out)
            for d in info.dims { append(UInt64(d), to: &out) }
            append(info.type.rawValue, to: &out)
            append(UInt64(info.offset), to: &out)
            infos.append(info)
            offset = alignUp(offset + t.byteCount, alignment)
        }
        out += [UInt8](repeating: 0, count: alignUp(out.count, alignment) - out.count)
        return (out, infos)
    }

    /// A whole file in memory (for tests and small models). `data[i]` must hold `tensors[i].byteCount` bytes.
    package static func bytes(metadata: [(key: String, value: GGUFValue)], tensors: [GGUFTensorDeclaration],
                             data: [[UInt8]], alignment: Int = 64) -> [UInt8] {
        var (out, _) = header(metadata: metadata, tensors: tensors, alignment: alignment)
        for (i, d) in data.enumerated() {
            out += d
            if i + 1 < data.count { out += [UInt8](repeating: 0, count: alignUp(out.count, alignment) - out.count) }
        }
        return out
    }

    static func alignUp(_ n: Int, _ alignment: Int) -> Int { (n + alignment - 1) / alignment * alignment }

    static func append<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out += $0 }
    }

    static func append(_ s: String, to out: inout [UInt8]) {
        append(UInt64(s.utf8.count), to: &out)
        out += s.utf8
    }

    static func append(_ v: GGUFValue, to out: inout [UInt8]) {
        switch v {
        case .uint8(let x): append(x, to: &out)
        case .int8(let x): append(x, to: &out)
        case .uint16(let x): append(x, to: &out)
        case .int16(let x): append(x, to: &out)
        case .uint32(let x): append(x, to: &out)
        case .int32(let x): append(x, to: &out)
        case .float32(let x): append(x.bitPattern, to: &out)
        case .bool(let x): append(UInt8(x ? 1 : 0), to: &out)
        case .string(let x): append(x, to: &out)
        case .uint64(let x): append(x, to: &out)
        case .int64(let x): append(x, to: &out)
        case .float64(let x): append(x.bitPattern, to: &out)
        case .array(let type, let values):
            append(type.rawValue, to: &out)
            append(UInt64(values.count), to: &out)
            for e in values { append(e, to: &out) }
        }
    }
}

/// Writes a GGUF file to disk tensor by tensor, so a model never has to sit in memory whole.
///
/// ```
/// let w = try GGUFFileWriter(path: p, metadata: kv, tensors: decls, alignment: 64)
/// for t in decls { try w.append(bytesOf(t)) }
/// try w.finish()
/// ```
package final class GGUFFileWriter {
    private var file: UnsafeMutablePointer<FILE>?
    private let path: String
    private let declarations: [GGUFTensorDeclaration]
    private let alignment: Int
    private var next = 0
    private var position = 0
    private var dataStart = 0
    private var infos: [GGUFTensorInfo] = []

    package init(path: String, metadata: [(key: String, value: GGUFValue)], tensors: [GGUFTensorDeclaration],
                alignment: Int) throws {
        guard let f = fopen(path, "wb") else {
            throw VideoDistillError.io("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        file = f
        self.path = path
        declarations = tensors
        self.alignment = alignment
        let (bytes, infos) = GGUFWriter.header(metadata: metadata, tensors: tensors, alignment: alignment)
        self.infos = infos
        try write(bytes)
        dataStart = position
    }

    deinit { if let f = file { fclose(f) } }

    /// The next tensor's bytes, exactly `byteCount` of its declaration.
    package func append(_ data: UnsafeRawBufferPointer) throws {
        guard next < declarations.count else { throw VideoDistillError.io("\(path): more tensors than declared") }
        let d = declarations[next]
        guard data.count == d.byteCount else {
            throw VideoDistillError.io("\(path): tensor \(d.name) got \(data.count) bytes, expected \(d.byteCount)")
        }
        let pad = dataStart + infos[next].offset - position
        if pad > 0 { try write([UInt8](repeating: 0, count: pad)) }
        try write(data)
        next += 1
    }

    /// Checks that every declared tensor was written and closes the file.
    package func finish() throws {
        guard next == declarations.count else {
            throw VideoDistillError.io("\(path): \(declarations.count - next) tensors were never written")
        }
        guard let f = file else { return }
        file = nil
        guard fclose(f) == 0 else { throw VideoDistillError.io("cannot finish \(path): \(String(cString: strerror(errno)))") }
    }

    private func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let f = file else { throw VideoDistillError.io("\(path) is already closed") }
        guard bytes.isEmpty || fwrite(bytes.baseAddress, 1, bytes.count, f) == bytes.count else {
            throw VideoDistillError.io("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        position += bytes.count
    }
}
