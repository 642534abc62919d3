import Foundation

/// Question and candidate text from the command line or a file, checked to be UTF-8 (SPEC 12: invalid
/// UTF-8 is an error; empty text is allowed).
public enum QuestionText {
    /// The text of `bytes`, or `.badQuestion` naming `what` when they are not UTF-8.
    public static func decode(_ bytes: [UInt8], what: String) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let offset = firstInvalidOffset(bytes)
            throw CommandFailure(.badQuestion, "\(what) is not valid UTF-8 (bad byte at offset \(offset))")
        }
        return text
    }

    /// The lines of a UTF-8 file (`-`: standard input) that are not blank, each without its line ending; a file
    /// without any exits 6.
    public static func readLines(file path: String) throws -> [String] {
        let lines = try read(file: path).split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }.filter { !$0.allSatisfy(\.isWhitespace) }
        guard !lines.isEmpty else { throw CommandFailure(.badQuestion, "the question file \(path) holds no question") }
        return lines
    }

    /// The UTF-8 text of a file (`-`: standard input); a trailing newline is dropped.
    public static func read(file path: String) throws -> String {
        let data: Data?
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = FileManager.default.contents(atPath: path)
        }
        guard let data else { throw CommandFailure(.badQuestion, "cannot read the question file \(path)") }
        var bytes = [UInt8](data)
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.last == 0x0D { bytes.removeLast() }
        return try decode(bytes, what: "the question in \(path)")
    }

    /// Swift turns invalid UTF-8 in the process arguments into U+FFFD: throws `.badQuestion` when the
    /// argument behind `value` (`value` itself, or `--option=value`) was invalid UTF-8.
    public static func checkArgument(_ value: String, what: String, arguments: [[UInt8]] = rawArguments()) throws {
        guard value.unicodeScalars.contains("\u{FFFD}") else { return }
        for raw in arguments where String(validating: raw, as: UTF8.self) == nil {
            let repaired = String(decoding: raw, as: UTF8.self)
            if repaired == value {
                _ = try decode(raw, what: what)
            } else if repaired.hasPrefix("-"), repaired.hasSuffix("=" + value), let eq = raw.firstIndex(of: UInt8(ascii: "=")) {
                _ = try decode(Array(raw[(eq + 1)...]), what: what)
            }
        }
    }

    /// The process arguments as the bytes the kernel passed.
    public static func rawArguments() -> [[UInt8]] {
        (0 ..< Int(CommandLine.argc)).compactMap { i in
            CommandLine.unsafeArgv[i].map { p in
                UnsafeRawBufferPointer(start: p, count: strlen(p)).map { $0 }
            }
        }
    }

    /// Offset of the first byte that does not start or continue a well-formed UTF-8 sequence.
    static func firstInvalidOffset(_ bytes: [UInt8]) -> Int {
        var it = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while case .scalarValue(let s) = decoder.decode(&it) { offset += UTF8.width(s) }
        return offset
    }
}
