import Testing
@testable import VideoDistill
import _VDTestSupport

/// Damaged containers: every one must end in `invalidModelFile`, never in a crash or a huge allocation.
@Suite struct ModelFileHostileTests {
    static let valid = TinyModel.file()

    /// A small GGUF file with every value type, nested arrays and three tensors.
    static let small: [UInt8] = {
        let kv: [(key: String, value: GGUFValue)] = [
            ("a.u8", .uint8(1)), ("a.i8", .int8(-1)), ("a.u16", .uint16(2)), ("a.i16", .int16(-2)),
            ("a.u32", .uint32(3)), ("a.i32", .int32(-3)), ("a.f32", .float32(0.5)), ("a.bool", .bool(true)),
            ("a.str", .string("héllo")), ("a.u64", .uint64(4)), ("a.i64", .int64(-4)), ("a.f64", .float64(0.25)),
            ("a.arr", .strings(["x", "yz"])), ("a.nested", .array(.array, [.floats([1, 2]), .floats([])])),
        ]
        let t = [GGUFTensorDeclaration(name: "t.a", shape: [2, 3], type: .f32),
                 GGUFTensorDeclaration(name: "t.b", shape: [5], type: .i8),
                 GGUFTensorDeclaration(name: "t.c", shape: [1, 1, 2, 2], type: .f64)]
        return GGUFWriter.bytes(metadata: kv, tensors: t, data: t.map { [UInt8](repeating: 7, count: $0.byteCount) },
                                alignment: 32)
    }()

    static func parse(_ bytes: [UInt8]) throws -> GGUFContents {
        try bytes.withUnsafeBytes { try GGUFContents(parsing: $0) }
    }

    static func expectParseError(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try parse(bytes)
            Issue.record("parsed a file that should fail with \"\(fragment)\"", sourceLocation: sourceLocation)
        } catch let VideoDistillError.invalidModelFile(m) {
            #expect(m.contains(fragment), "message: \(m)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("wrong error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func smallFileParses() throws {
        let c = try Self.parse(Self.small)
        #expect(c.metadata.count == 15)  // general.alignment first, then the 14 above
        #expect(c.value("a.str") == .string("héllo"))
        #expect(c.value("a.nested") == .array(.array, [.floats([1, 2]), .floats([])]))
        #expect(c.tensors.map(\.dims) == [[3, 2], [5], [2, 2, 1, 1]])
        #expect(c.dataStart % 32 == 0 && c.tensors.map(\.offset) == [0, 32, 64])
    }

    @Test func everyTruncationOfTheSmallFileFails() {
        for n in 0..<Self.small.count {
            #expect(throws: VideoDistillError.self) { try Self.parse(Array(Self.small[0..<n])) }
        }
    }

    @Test func truncatedModelFilesFail() {
        let v = Self.valid
        var cuts = Set((0..<64).map { v.count * $0 / 64 } + Array(0..<256) + [v.count - 1])
        // Every 37th byte of the tensor-info region (after the merges); the small file above gets every byte.
        let infoStart = Bytes.find("clip.visual.conv1.weight", in: v)! - 8
        let dataStart = try! Self.parse(v).dataStart
        cuts.formUnion(stride(from: infoStart, to: dataStart, by: 37))
        for n in cuts.sorted() {
            #expect(throws: VideoDistillError.self) { try ModelFile(bytes: Array(v[0..<n])) }
        }
    }

    @Test func headerFieldsAreChecked() {
        var b = Self.small
        b[0] = UInt8(ascii: "X")
        Self.expectParseError(b, "magic")
        b = Self.small
        Bytes.put(UInt32(2), at: 4, in: &b)
        Self.expectParseError(b, "version 2 is not 3")
        b = Self.small
        Bytes.put(UInt64.max, at: 8, in: &b)
        Self.expectParseError(b, "tensor count = 18446744073709551615 cannot fit")
        b = Self.small
        Bytes.put(UInt64(1) << 40, at: 16, in: &b)
        Self.expectParseError(b, "metadata count = 1099511627776 cannot fit")
        b = Self.small
        Bytes.put(UInt64(2), at: 8, in: &b)  // one tensor info fewer: t.c's bytes parse as padding/data
        #expect(throws: Never.self) { try Self.parse(b) }
    }

    @Test func metadataValuesAreChecked() {
        func at(_ key: String) -> Int { Bytes.after(key, in: Self.small) }
        var b = Self.small
        Bytes.put(UInt64.max - 3, at: at("a.u8") - 4 - 8, in: &b)  // key length of "a.u8"
        Self.expectParseError(b, "metadata key #1 length")
        b = Self.small
        Bytes.put(UInt32(13), at: at("a.u8"), in: &b)
        Self.expectParseError(b, "a.u8 has unknown value type 13")
        b = Self.small
        b[at("a.bool") + 4] = 2
        Self.expectParseError(b, "a.bool is a bool holding 2")
        b = Self.small
        Bytes.put(UInt64(1) << 62, at: at("a.str") + 4, in: &b)
        Self.expectParseError(b, "a.str length")
        b = Self.small
        b[Bytes.find("héllo", in: b)! + 1] = 0xFF
        Self.expectParseError(b, "a.str is not valid UTF-8")
        b = Self.small
        Bytes.put(UInt64(1) << 61, at: at("a.arr") + 8, in: &b)  // element count of a string array
        Self.expectParseError(b, "element count of a.arr")
        b = Self.small
        Bytes.put(UInt32(99), at: at("a.arr") + 4, in: &b)
        Self.expectParseError(b, "a.arr has unknown element type 99")
        b = Self.small
        b[Bytes.find("a.i8", in: b)! + 2] = UInt8(ascii: "u")  // rename a.i8 to a.u8
        Self.expectParseError(b, "metadata key a.u8 appears twice")
    }

    @Test func deeplyNestedArraysAreRefused() {
        var v: GGUFValue = .floats([1])
        for _ in 0..<6 { v = .array(.array, [v]) }
        let b = GGUFWriter.bytes(metadata: [("deep", v)], tensors: [], data: [])
        Self.expectParseError(b, "nests arrays deeper")
    }

    @Test func alignmentIsChecked() {
        for bad: GGUFValue in [.uint32(0), .uint32(48), .uint64(32), .uint32(1 << 20)] {
            let b = GGUFWriter.bytes(metadata: [("general.alignment", bad)], tensors: [], data: [])
            Self.expectParseError(b, "general.alignment")
        }
    }

    @Test func tensorInfosAreChecked() {
        func info(_ name: String) -> Int { Bytes.after(name, in: Self.small) }  // offset of n_dims
        let a = info("t.a"), c = info("t.c")
        var b = Self.small
        Bytes.put(UInt32(0), at: a, in: &b)
        Self.expectParseError(b, "t.a has 0 dims")
        b = Self.small
        Bytes.put(UInt32(5), at: a, in: &b)
        Self.expectParseError(b, "t.a has 5 dims")
        b = Self.small
        Bytes.put(UInt64(0), at: a + 4, in: &b)
        Self.expectParseError(b, "t.a has dim 0 = 0")
        b = Self.small
        Bytes.put(UInt64(1) << 62, at: a + 4, in: &b)
        Bytes.put(UInt64(1) << 62, at: a + 12, in: &b)
        Self.expectParseError(b, "t.a has too many elements")
        b = Self.small
        Bytes.put(UInt64(1) << 61, at: a + 4, in: &b)  // 2^62 elements, 2^64 bytes
        Self.expectParseError(b, "t.a has too many bytes")
        b = Self.small
        Bytes.put(UInt64(1) << 40, at: a + 4, in: &b)
        Self.expectParseError(b, "t.a (")  // runs past the end
        b = Self.small
        Bytes.put(UInt32(2), at: a + 20, in: &b)  // Q4_0: not a type this runtime knows
        Self.expectParseError(b, "t.a has unknown type 2")
        b = Self.small
        Bytes.put(UInt64(4), at: a + 24, in: &b)
        Self.expectParseError(b, "t.a has offset 4, not a multiple of the alignment 32")
        b = Self.small
        Bytes.put(UInt64(1) << 40, at: a + 24, in: &b)
        Self.expectParseError(b, "runs past the end")
        b = Self.small
        Bytes.put(UInt64(32), at: c + 4 * 8 + 4 + 4, in: &b)  // t.c onto t.b
        Self.expectParseError(b, "overlap")
        b = Self.small
        b[Bytes.find("t.b", in: b)! + 2] = UInt8(ascii: "a")
        Self.expectParseError(b, "tensor t.a appears twice")
    }

    /// Random byte damage in the header region: any outcome but a crash is fine.
    @Test func randomDamageNeverCrashes() {
        var rng = SplitMix64(seed: 42)
        let header = (try? Self.parse(Self.small).dataStart) ?? Self.small.count
        for _ in 0..<3000 {
            var b = Self.small
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                b[Int(rng.next() % UInt64(header))] = UInt8(truncatingIfNeeded: rng.next())
            }
            _ = try? Self.parse(b)
        }
    }
}
