#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The element types this reader converts to float32. Others (integers, F64, FP8, ...) are refused by name.
public enum SafetensorsDType: String, Sendable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16"

    public var size: Int { self == .f32 ? 4 : 2 }
}

/// One tensor of a safetensors file: name, type, shape and its bytes' place in the file.
public struct SafetensorsTensor: Equatable, Sendable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    /// Product of `shape` (1 for a scalar), checked against overflow.
    public let count: Int
    /// Byte range in the file (the header's `data_offsets`, moved past the header).
    public let offset: Int
    public let byteCount: Int
}

/// A safetensors file (the Hugging Face format): an 8-byte little-endian header length n, n bytes of JSON
/// `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}`, then the data,
/// little-endian, offsets relative to the data's start. The file is taken as hostile: every size, offset and
/// product is checked before it is used, and the tensors must tile the data exactly (no gap, no overlap), as
/// the format's own rules say. The file is memory-mapped; `floats` copies one tensor out as float32.
public final class SafetensorsFile {
    public let path: String
    /// In file-offset order.
    public let tensors: [SafetensorsTensor]
    /// The header's `__metadata__` (empty when absent).
    public let metadata: [String: String]
    private let bytes: UnsafeRawBufferPointer
    private let release: () -> Void

    /// The format's reference reader refuses headers over 100 MB; so do we (before reading one).
    public static let maxHeaderSize = 100_000_000

    /// Maps and checks the file at `path`.
    public convenience init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ConvertError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ConvertError("cannot stat \(path)") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ConvertError("\(path) is not a regular file") }
        let size = Int(st.st_size)
        guard size >= 8 else { throw ConvertError("\(path): \(size) bytes is too short for a safetensors file") }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw ConvertError("cannot map \(path): \(String(cString: strerror(errno)))")
        }
        try self.init(bytes: UnsafeRawBufferPointer(start: base, count: size), path: path) { munmap(base, size) }
    }

    /// Checks `data` (a whole file's bytes, copied) as a safetensors file; `path` names it in errors.
    public convenience init(data: [UInt8], path: String) throws {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 16)
        copy.copyBytes(from: data)
        try self.init(bytes: UnsafeRawBufferPointer(rebasing: copy[0..<data.count]), path: path) { copy.deallocate() }
    }

    private init(bytes: UnsafeRawBufferPointer, path: String, release: @escaping () -> Void) throws {
        do {
            (tensors, metadata) = try Self.parse(bytes, path: path)
        } catch {
            release()
            throw error
        }
        self.bytes = bytes
        self.path = path
        self.release = release
    }

    deinit { release() }

    /// The index of tensor `name`, if present.
    public func index(of name: String) -> Int? { tensors.firstIndex { $0.name == name } }

    /// Tensor `index`'s values as float32 (F16 and BF16 widened exactly).
    public func floats(_ index: Int) throws -> [Float] {
        guard tensors.indices.contains(index) else { throw ConvertError("\(path): no tensor #\(index)") }
        let t = tensors[index]
        let src = UnsafeRawBufferPointer(rebasing: bytes[t.offset ..< t.offset + t.byteCount])
        switch t.dtype {
        case .f32:
            return (0..<t.count).map { Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        case .f16:
            return (0..<t.count).map { Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)))) }
        case .bf16:
            // bfloat16 is the top half of a float32.
            return (0..<t.count).map { Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) << 16) }
        }
    }

    // MARK: Header

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let data_offsets: [Int]
    }

    /// The header's entries in any order, and `__metadata__`.
    private struct Header: Decodable {
        var entries: [(String, Entry)] = []
        var metadata: [String: String] = [:]

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            for key in c.allKeys {
                if key.stringValue == "__metadata__" {
                    metadata = try c.decode([String: String].self, forKey: key)
                } else {
                    entries.append((key.stringValue, try c.decode(Entry.self, forKey: key)))
                }
            }
        }
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> ([SafetensorsTensor], [String: String]) {
        func fail(_ why: String) -> ConvertError { ConvertError("\(path): not a valid safetensors file: \(why)") }
        guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes is too short") }
        let n = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard n <= UInt64(min(maxHeaderSize, bytes.count - 8)) else {
            throw fail("header length \(n) exceeds the file's \(bytes.count - 8) bytes after the length (or 100 MB)")
        }
        let headerEnd = 8 + Int(n)
        // As the format's reference reader: the JSON object starts at once (no BOM, no other top-level value).
        guard n > 0, bytes[8] == UInt8(ascii: "{") else { throw fail("header does not start with {") }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[8 ..< headerEnd]))
        } catch let e as DecodingError {
            throw fail("header is not the expected JSON (\(describe(e)))")
        } catch {
            throw fail("header is not JSON")
        }
        let dataSize = bytes.count - headerEnd
        var tensors: [SafetensorsTensor] = []
        for (name, e) in header.entries {
            let label = "tensor \"\(name)\""
            guard !name.isEmpty else { throw fail("a tensor has an empty name") }
            guard let dtype = SafetensorsDType(rawValue: e.dtype) else {
                throw fail("\(label) has dtype \(e.dtype); this converter reads F32, F16 and BF16")
            }
            var count = 1
            for d in e.shape {
                guard d >= 0 else { throw fail("\(label) has a negative dimension in \(e.shape)") }
                let (p, o) = count.multipliedReportingOverflow(by: d)
                guard !o else { throw fail("\(label) shape \(e.shape) overflows") }
                count = p
            }
            let (byteCount, o) = count.multipliedReportingOverflow(by: dtype.size)
            guard !o else { throw fail("\(label) shape \(e.shape) overflows") }
            guard e.data_offsets.count == 2 else { throw fail("\(label) data_offsets is not [begin, end]") }
            let (begin, end) = (e.data_offsets[0], e.data_offsets[1])
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw fail("\(label) data_offsets [\(begin), \(end)] are outside the \(dataSize) data bytes")
            }
            guard end - begin == byteCount else {
                throw fail("\(label) holds \(end - begin) bytes; \(e.dtype) \(e.shape) needs \(byteCount)")
            }
            tensors.append(SafetensorsTensor(name: name, dtype: dtype, shape: e.shape, count: count,
                                             offset: headerEnd + begin, byteCount: byteCount))
        }
        // The format's rule: the tensors tile the data section, in some order, with neither gap nor overlap.
        tensors.sort { ($0.offset, $0.byteCount, $0.name) < ($1.offset, $1.byteCount, $1.name) }
        var next = headerEnd
        for t in tensors {
            guard t.offset == next else {
                throw fail(t.offset < next ? "tensor \"\(t.name)\" overlaps the one before it"
                                           : "\(t.offset - next) bytes before tensor \"\(t.name)\" belong to no tensor")
            }
            next += t.byteCount
        }
        guard next == bytes.count else { throw fail("\(bytes.count - next) bytes after the last tensor belong to no tensor") }
        return (tensors, header.metadata)
    }

    /// A short reason for a JSON decoding failure (the full DecodingError is long and unstable).
    private static func describe(_ e: DecodingError) -> String {
        func at(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map(\.stringValue).joined(separator: ".")
            return p.isEmpty ? "at the top" : "at \(p)"
        }
        switch e {
        case .typeMismatch(_, let c): return "wrong type \(at(c))"
        case .valueNotFound(_, let c): return "missing value \(at(c))"
        case .keyNotFound(let k, let c): return "no \"\(k.stringValue)\" \(at(c))"
        case .dataCorrupted(let c): return c.codingPath.isEmpty ? "invalid JSON" : "invalid value \(at(c))"
        @unknown default: return "invalid"
        }
    }
}
