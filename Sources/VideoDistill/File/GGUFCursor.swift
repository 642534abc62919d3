/// Reads GGUF's little-endian fields from a byte buffer, checking every read against the buffer's end.
///
/// Every failure is `VideoDistillError.invalidModelFile` naming what was being read and its byte offset.
struct GGUFCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Bytes left after the cursor.
    var remaining: Int { bytes.count - offset }

    func fail(_ what: String, at position: Int? = nil) -> VideoDistillError {
        .invalidModelFile("GGUF: \(what) (at byte \(position ?? offset))")
    }

    /// Throws unless `count` more bytes exist.
    func need(_ count: Int, _ what: String) throws {
        guard count >= 0, count <= remaining else {
            throw fail("\(what) needs \(count) bytes but the file ends \(remaining) bytes later")
        }
    }

    mutating func skip(_ count: Int, _ what: String) throws {
        try need(count, what)
        offset += count
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        try need(MemoryLayout<T>.size, what)
        let v = T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return v
    }

    /// A u64 count of items, each at least `minimumSize` bytes: refused when the rest of the file cannot
    /// hold that many, so no caller ever allocates from an unchecked count.
    mutating func readCount(_ what: String, minimumSize: Int) throws -> Int {
        let start = offset
        let n = try read(UInt64.self, what)
        guard n <= UInt64(remaining / max(minimumSize, 1)) else {
            throw fail("\(what) = \(n) cannot fit in the \(remaining) bytes left", at: start)
        }
        return Int(n)
    }

    /// A GGUF string: u64 length and that many bytes of valid UTF-8.
    mutating func readString(_ what: String) throws -> String {
        let start = offset
        let n = try readCount("\(what) length", minimumSize: 1)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
        guard let s = String(validating: slice, as: UTF8.self) else {
            throw fail("\(what) is not valid UTF-8", at: start)
        }
        offset += n
        return s
    }
}
