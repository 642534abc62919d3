import Foundation
import Testing
@testable import VideoDistillConvert
import _VDTestSupport

/// The safetensors reader on hand-written files: every dtype it widens (expected values are IEEE facts, written
/// out as bit patterns), every hostile header it refuses with a message instead of a trap.
@Suite struct SafetensorsReaderTests {
    func open(_ bytes: [UInt8]) throws -> SafetensorsFile { try SafetensorsFile(data: bytes, path: "t.safetensors") }

    func entry(_ dtype: String, _ shape: [Int], _ offsets: [Int]) -> String {
        "{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    @Test func readsEveryDtypeAndTheMetadata() throws {
        // F16 and BF16 bit patterns of 1, -2, 65504 (largest half), 2^-24 (smallest half subnormal), +inf.
        let half: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00]
        let bf16: [UInt16] = [0x3F80, 0xC000, 0x477F, 0x0001, 0x7F80]   // 1, -2, 65280, 2^-133 (subnormal), +inf
        func le(_ v: [UInt16]) -> [UInt8] { v.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }
        let f = try open(safetensorsFile([
            STTensor("w", [2, 3], [1.5, -2, 3e-8, 0, -0.0, 7]),
            STTensor("h", dtype: "F16", shape: [5], data: le(half)),
            STTensor("b", dtype: "BF16", shape: [5], data: le(bf16)),
            STTensor("s", [], [42]),
            STTensor("empty", [0, 4], []),
        ], metadata: ["videodistill.config": "{\"a\": 1}", "format": "pt"]))
        #expect(f.tensors.map(\.name) == ["w", "h", "b", "s", "empty"])   // offset order
        #expect(f.tensors[0].shape == [2, 3] && f.tensors[0].count == 6 && f.tensors[3].count == 1 && f.tensors[4].count == 0)
        #expect(try f.floats(0) == [1.5, -2, 3e-8, 0, -0.0, 7])
        #expect(try f.floats(1) == [1, -2, 65504, Float(sign: .plus, exponent: -24, significand: 1), .infinity])
        #expect(try f.floats(2) == [1, -2, 65280, Float(sign: .plus, exponent: -133, significand: 1), .infinity])
        #expect(try f.floats(3) == [42] && f.floats(4) == [])
        #expect(f.metadata == ["videodistill.config": "{\"a\": 1}", "format": "pt"])
        #expect(f.metadata("videodistill.config") == "{\"a\": 1}")
    }

    /// Offsets are relative to the data section and the tensors may be listed in any order; the header may carry
    /// trailing spaces (the reference writer pads it to 8 bytes).
    @Test func readsOffsetsInAnyOrderAndPaddedHeaders() throws {
        let data: [UInt8] = [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40]   // 1.0, 2.0
        let header = "{\"second\":\(entry("F32", [1], [4, 8])),\"first\":\(entry("F32", [1], [0, 4]))}    "
        let f = try open(safetensorsFile(header: header, data: data))
        #expect(f.tensors.map(\.name) == ["first", "second"])
        #expect(try f.floats(0) == [1] && f.floats(1) == [2])
        #expect(f.index(of: "second") == 1 && f.index(of: "third") == nil)
    }

    @Test func refusesTruncatedFilesAndBadHeaderLengths() throws {
        let good = safetensorsFile([STTensor("w", [2], [1, 2])])
        expectConvertError("too short") { _ = try open([]) }
        expectConvertError("too short") { _ = try open(Array(good.prefix(7))) }
        for cut in [8, 9, good.count - 9] {   // into the header: the length now exceeds the file
            expectConvertError("header length") { _ = try open(Array(good.prefix(cut))) }
        }
        expectConvertError("bytes after the last tensor", "belong to no tensor") { _ = try open(good + [0, 0, 0, 0]) }
        // Cut into the data: the tensor's end is past the data section.
        expectConvertError("outside the 4 data bytes") { _ = try open(Array(good.dropLast(4))) }
        var huge = good
        for i in 0..<8 { huge[i] = 0xFF }   // 2^64 - 1
        expectConvertError("header length 18446744073709551615") { _ = try open(huge) }
        expectConvertError("header length") { _ = try open(withUnsafeBytes(of: UInt64(1 << 62).littleEndian) { Array($0) } + [0x7B]) }
    }

    @Test func refusesHeadersThatAreNotTheLayout() throws {
        let cases: [(String, String)] = [
            ("", "does not start with {"),
            ("{", "invalid JSON"),
            ("[1, 2]", "does not start with {"),
            ("{\"a\": [1, 2]}", "wrong type at a"),
            ("null", "does not start with {"),
            (" {}", "does not start with {"),
            ("{\"w\": 3}", "wrong type at w"),
            ("{\"w\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", "no \"dtype\""),
            ("{\"w\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}", "invalid JSON"),
            ("{\"w\": {\"dtype\": \"F32\", \"shape\": [true], \"data_offsets\": [0, 4]}}", "w.shape"),
            ("{\"w\": {\"dtype\": \"F32\", \"shape\": [1e30], \"data_offsets\": [0, 4]}}", "invalid JSON"),
            ("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": \"0-4\"}}", "w.data_offsets"),
            ("{\"__metadata__\": {\"k\": 1}}", "__metadata__"),
            ("\u{FEFF}{}", "does not start with {"),
        ]
        for (header, fragment) in cases {
            expectConvertError("not a valid safetensors file", fragment) { _ = try open(safetensorsFile(header: header, data: [])) }
        }
        // Not UTF-8.
        expectConvertError("not a valid safetensors file") { _ = try open(safetensorsFile(header: "{}", data: []).dropLast(2) + [0xFF, 0xFE]) }
        // Deep nesting is refused by the JSON decoder, not by a stack overflow.
        let deep = "{\"__metadata__\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        expectConvertError("not a valid safetensors file") { _ = try open(safetensorsFile(header: deep, data: [])) }
    }

    @Test func refusesDtypesItCannotWiden() throws {
        for dtype in ["F64", "I8", "I64", "U8", "BOOL", "F8_E4M3", "f32", ""] {
            var t = STTensor("w", dtype: dtype, shape: [2], data: [0, 0, 0, 0, 0, 0, 0, 0])
            t.rawEntry = entry(dtype, [2], [0, 8])
            expectConvertError("tensor \"w\" has dtype \(dtype)", "F32, F16 and BF16") { _ = try open(safetensorsFile([t])) }
        }
    }

    @Test func refusesBadShapesAndOffsets() throws {
        func one(_ e: String, data: Int = 8) throws -> SafetensorsFile {
            try open(safetensorsFile(header: "{\"w\":\(e)}", data: [UInt8](repeating: 0, count: data)))
        }
        expectConvertError("negative dimension") { _ = try one(entry("F32", [-2], [0, 8])) }
        expectConvertError("overflows") { _ = try one(entry("F32", [1 << 40, 1 << 40], [0, 8])) }
        expectConvertError("overflows") { _ = try one(entry("F16", [1 << 62, 2], [0, 8])) }   // count fits, bytes do not
        expectConvertError("overflows") { _ = try one(entry("F32", [Int.max, 2, 0], [0, 8])) }
        expectConvertError("holds 8 bytes; F32 [3] needs 12") { _ = try one(entry("F32", [3], [0, 8])) }
        expectConvertError("holds 8 bytes; F32 [1] needs 4") { _ = try one(entry("F32", [1], [0, 8])) }
        expectConvertError("data_offsets is not [begin, end]") { _ = try one("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}") }
        expectConvertError("data_offsets is not [begin, end]") { _ = try one("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}") }
        expectConvertError("outside the 8 data bytes") { _ = try one(entry("F32", [2], [8, 0])) }
        expectConvertError("outside the 8 data bytes") { _ = try one(entry("F32", [2], [-8, 0])) }
        expectConvertError("outside the 8 data bytes") { _ = try one(entry("F32", [2], [4, 12])) }
        expectConvertError("outside the 8 data bytes") { _ = try one(entry("F32", [2], [Int.max - 7, Int.max])) }
        expectConvertError("a tensor has an empty name") {
            _ = try open(safetensorsFile(header: "{\"\":\(entry("F32", [2], [0, 8]))}", data: [UInt8](repeating: 0, count: 8)))
        }
    }

    @Test func refusesOverlapsAndGaps() throws {
        let data = [UInt8](repeating: 0, count: 12)
        func two(_ a: [Int], _ b: [Int], dataCount: Int = 12) throws -> SafetensorsFile {
            try open(safetensorsFile(header: "{\"a\":\(entry("F32", [(a[1] - a[0]) / 4], a)),\"b\":\(entry("F32", [(b[1] - b[0]) / 4], b))}",
                                     data: Array(data.prefix(dataCount))))
        }
        _ = try two([0, 4], [4, 12])   // the well-formed neighbour of the cases below
        expectConvertError("overlaps the one before it") { _ = try two([0, 8], [4, 12]) }
        expectConvertError("overlaps the one before it") { _ = try two([0, 8], [0, 8], dataCount: 8) }
        expectConvertError("overlaps the one before it") { _ = try two([0, 12], [4, 8]) }
        expectConvertError("4 bytes before tensor \"b\" belong to no tensor") { _ = try two([0, 4], [8, 12]) }
        expectConvertError("4 bytes before tensor \"a\" belong to no tensor") { _ = try two([4, 8], [8, 12]) }
        // An empty tensor inside another one's bytes.
        expectConvertError("overlaps") {
            _ = try open(safetensorsFile(header: "{\"a\":\(entry("F32", [2], [0, 8])),\"e\":\(entry("F32", [0], [4, 4]))}",
                                         data: Array(data.prefix(8))))
        }
    }

    @Test func refusesWhatIsNotAFile() throws {
        let dir = TempDir()
        defer { dir.remove() }
        expectConvertError("cannot open") { _ = try SafetensorsFile(path: dir.file("missing.safetensors")) }
        expectConvertError("is not a regular file") { _ = try SafetensorsFile(path: dir.path) }
        expectConvertError("too short") { _ = try SafetensorsFile(path: dir.write("short.safetensors", [1, 2])) }
        let f = try SafetensorsFile(path: dir.write("ok.safetensors", safetensorsFile([STTensor("w", [2], [3, 4])])))
        #expect(try f.floats(0) == [3, 4])
        expectConvertError("no tensor #1") { _ = try f.floats(1) }
    }
}
