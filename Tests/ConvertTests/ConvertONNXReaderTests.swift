#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import VideoDistillConvert
import _VDTestSupport

/// The C ONNX reader on hand-written ModelProtos: every data form it converts, every file it refuses.
/// Expected values are the ones the test wrote.
@Suite struct ConvertONNXReaderTests {
    func open(_ dir: TempDir, _ model: [UInt8]) throws -> ONNXFile {
        try ONNXFile(path: dir.write("m.onnx", model))
    }

    @Test func refusesFilesThatAreNotModels() throws {
        let dir = TempDir()
        defer { dir.remove() }
        expectConvertError("is empty") { _ = try open(dir, []) }
        expectConvertError("does not parse") { _ = try open(dir, [0xFF, 0xFF, 0xFF, 0x0F, 0x08]) }
        expectConvertError("holds no graph") { _ = try open(dir, onnxModel([], graph: false)) }
        expectConvertError("cannot open") { _ = try ONNXFile(path: dir.file("missing.onnx")) }
        expectConvertError("is not a regular file") { _ = try ONNXFile(path: dir.path) }
    }

    @Test func refusesBadInitializerLists() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let a = TestInitializer("w", [2], [1, 2])
        expectConvertError("initializer w appears twice") { _ = try open(dir, onnxModel([a, a])) }
        var neg = a
        neg.dims = [-2]
        expectConvertError("w has a negative dim") { _ = try open(dir, onnxModel([neg])) }
        var huge = a
        huge.dims = [1 << 40, 1 << 40]
        expectConvertError("w has too many elements") { _ = try open(dir, onnxModel([huge])) }
    }

    @Test func listsInitializersAndMetadata() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let f = try open(dir, onnxModel([TestInitializer("w", [2, 3], Array(repeating: 0, count: 6)),
                                         TestInitializer("s", [], [7])],
                                        metadata: [("k", "v"), ("videodistill.config", "{}")]))
        #expect(f.initializers == [ONNXInitializer(name: "w", dataType: 1, shape: [2, 3], count: 6),
                                   ONNXInitializer(name: "s", dataType: 1, shape: [], count: 1)])
        #expect(f.metadata.map(\.key) == ["k", "videodistill.config"] && f.metadata("k") == "v")
        #expect(try f.floats(1) == [7])
    }

    @Test func convertsEveryStoredForm() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var typed = TestInitializer(name: "typed", dims: [3], dataType: 1)
        typed.floats = [1.5, -2, 3e-8]
        var double = TestInitializer(name: "double", dims: [2], dataType: 11)
        double.doubles = [0.25, -1e10]
        var doubleRaw = TestInitializer(name: "doubleRaw", dims: [1], dataType: 11)
        doubleRaw.raw = withUnsafeBytes(of: (1.0 / 3.0).bitPattern.littleEndian) { Array($0) }
        // 1, -2, 65504 (largest half), 2^-24 (smallest subnormal), +inf
        var half = TestInitializer(name: "half", dims: [5], dataType: 10)
        half.int32s = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00]
        var halfRaw = TestInitializer(name: "halfRaw", dims: [2], dataType: 10)
        halfRaw.raw = [0x00, 0x3C, 0x00, 0x38]  // 1, 0.5
        var bf16 = TestInitializer(name: "bf16", dims: [2], dataType: 16)
        bf16.raw = [0x80, 0x3F, 0xC0, 0xC0]  // 1, -6
        let f = try open(dir, onnxModel([typed, double, doubleRaw, half, halfRaw, bf16]))
        #expect(try f.floats(0) == [1.5, -2, 3e-8])
        #expect(try f.floats(1) == [0.25, -1e10])
        #expect(try f.floats(2) == [Float(1.0 / 3.0)])
        #expect(try f.floats(3) == [1, -2, 65504, 0x1p-24, .infinity])
        #expect(try f.floats(4) == [1, 0.5])
        #expect(try f.floats(5) == [1, -6])
    }

    @Test func refusesDataThatDisagreesWithTheShape() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var short = TestInitializer("short", [3], [1, 2])
        short.dims = [3]
        var typed = TestInitializer(name: "typed", dims: [4], dataType: 1)
        typed.floats = [1, 2, 3]
        let empty = TestInitializer(name: "empty", dims: [2], dataType: 1)
        var ints = TestInitializer(name: "ids", dims: [2], dataType: 7)
        ints.raw = [UInt8](repeating: 0, count: 16)
        var half = TestInitializer(name: "half", dims: [1], dataType: 10)
        half.int32s = [70000]
        let f = try open(dir, onnxModel([short, typed, empty, ints, half]))
        expectConvertError("short has 8 bytes of raw_data, its shape needs 12") { _ = try f.floats(0) }
        expectConvertError("typed holds 3 values, its shape needs 4") { _ = try f.floats(1) }
        expectConvertError("empty holds 0 values") { _ = try f.floats(2) }
        expectConvertError("ids has data type 7, not a floating type") { _ = try f.floats(3) }
        expectConvertError("16-bit value out of range") { _ = try f.floats(4) }
    }

    @Test func readsExternalDataInsideTheModelFolder() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let values: [Float] = [1, 2, 3, 4]
        dir.write("w.bin", [9, 9, 9, 9] + values.withUnsafeBytes { Array($0) })
        var t = TestInitializer(name: "w", dims: [2, 2], dataType: 1)
        t.external = [("location", "w.bin"), ("offset", "4"), ("length", "16")]
        var noLength = t
        noLength.name = "w2"
        noLength.external = [("location", "./w.bin"), ("offset", "4")]
        let f = try open(dir, onnxModel([t, noLength]))
        #expect(try f.floats(0) == values)
        #expect(try f.floats(1) == values)
    }

    @Test func refusesExternalDataOutsideOrOutOfRange() throws {
        let dir = TempDir()
        let outside = TempDir()
        defer { dir.remove(); outside.remove() }
        dir.write("w.bin", [UInt8](repeating: 0, count: 16))
        outside.write("x.bin", [UInt8](repeating: 0, count: 16))
        symlink(outside.file("x.bin"), dir.file("link.bin"))
        let cases: [([(String, String)], String)] = [
            ([("location", outside.file("x.bin"))], "must be a relative path"),
            ([("location", "../" + outside.path.split(separator: "/").last! + "/x.bin")], "contains .."),
            ([("location", "sub/../w.bin")], "contains .."),
            ([("location", "link.bin")], "lies outside the model's folder"),
            ([("location", "nothere.bin")], "cannot be found"),
            ([("location", "")], "must be a relative path"),
            ([("location", "w.bin"), ("offset", "8")], "lie outside"),
            ([("location", "w.bin"), ("offset", "18446744073709551615")], "not a byte count"),
            ([("location", "w.bin"), ("offset", "-1")], "not a byte count"),
            ([("location", "w.bin"), ("length", "12")], "external length 12 is not the 16 bytes"),
        ]
        for (entries, fragment) in cases {
            var t = TestInitializer(name: "w", dims: [4], dataType: 1)
            t.external = entries
            let f = try open(dir, onnxModel([t]))
            expectConvertError(fragment) { _ = try f.floats(0) }
        }
    }
}
