// Helpers shared by the Swift fuzz targets: reading the fuzz input field by field, files, failing loudly.
#if canImport(Glibc)
import Glibc
#endif

/// The value of an environment variable, if set.
func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

/// Ends the process the way libFuzzer records as a crash (it saves the input that got here).
func fuzzFailure(_ message: String) -> Never {
    fputs("FUZZ INVARIANT BROKEN: \(message)\n", stderr)
    abort()
}

/// Checks an invariant of the code under test; a failure is a finding.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fuzzFailure(message()) }
}

/// The bytes of a file, or nil.
func readFile(_ path: String) -> [UInt8]? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        if n <= 0 { break }
        out += chunk[0..<n]
    }
    return out
}

/// Writes `bytes` to `path` (whole file); false on failure.
@discardableResult
func writeFile(_ path: String, _ bytes: [UInt8]) -> Bool {
    guard let f = fopen(path, "wb") else { return false }
    defer { fclose(f) }
    return bytes.isEmpty || fwrite(bytes, 1, bytes.count, f) == bytes.count
}

/// Reads little-endian fields from the fuzz input; past the end every read gives zeros.
struct FuzzReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    }

    var remaining: Int { bytes.count - position }

    mutating func u8() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u16() -> UInt16 { UInt16(u8()) | UInt16(u8()) << 8 }
    mutating func u32() -> UInt32 { UInt32(u16()) | UInt32(u16()) << 16 }
    mutating func u64() -> UInt64 { UInt64(u32()) | UInt64(u32()) << 32 }

    /// Up to `count` bytes.
    mutating func take(_ count: Int) -> [UInt8] {
        let n = max(0, min(count, remaining))
        defer { position += n }
        return Array(bytes[position ..< position + n])
    }

    /// Everything left.
    mutating func rest() -> [UInt8] { take(remaining) }
}
