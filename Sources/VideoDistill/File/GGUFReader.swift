/// The parsed structure of a GGUF v3 file: metadata, tensor infos and where the data section starts.
///
/// Parsing checks the container, not the model: every length and count against the bytes left, UTF-8
/// strings, unique keys and names, known value and tensor types, dims (1...4 of them, each >= 1, products
/// without overflow), offsets aligned and tensor byte ranges inside the file and not overlapping.
/// `ModelFile` checks the model on top of this.
package struct GGUFContents: Sendable {
    /// Metadata in file order.
    package let metadata: [(key: String, value: GGUFValue)]
    /// Tensor infos in file order; every one checked against the file.
    package let tensors: [GGUFTensorInfo]
    /// `general.alignment`, or 32.
    package let alignment: Int
    /// Byte offset of the data section from the start of the file.
    package let dataStart: Int

    /// The value of `key`, if present.
    package func value(_ key: String) -> GGUFValue? { metadata.first { $0.key == key }?.value }

    /// Parses `bytes` (a whole file). Throws `VideoDistillError.invalidModelFile` naming the first problem.
    package init(parsing bytes: UnsafeRawBufferPointer) throws {
        var c = GGUFCursor(bytes)
        try c.need(24, "header")
        guard Array(bytes[0..<4]) == GGUF.magic else {
            throw c.fail("magic is \(Array(bytes[0..<4])), not \"GGUF\"")
        }
        try c.skip(4, "magic")
        let version = try c.read(UInt32.self, "version")
        guard version == GGUF.version else { throw c.fail("version \(version) is not 3", at: 4) }
        // Smallest tensor info: name length 8 + n_dims 4 + one dim 8 + type 4 + offset 8.
        let tensorCount = try c.readCount("tensor count", minimumSize: 32)
        // Smallest key/value: key length 8 + type 4 + one byte of value.
        let kvCount = try c.readCount("metadata count", minimumSize: 13)

        var metadata: [(key: String, value: GGUFValue)] = []
        var keys = Set<String>()
        for i in 0..<kvCount {
            let start = c.offset
            let key = try c.readString("metadata key #\(i)")
            guard keys.insert(key).inserted else { throw c.fail("metadata key \(key) appears twice", at: start) }
            let value = try Self.readValue(&c, what: key, depth: 0)
            metadata.append((key, value))
        }
        self.metadata = metadata

        var alignment = GGUF.defaultAlignment
        if let a = metadata.first(where: { $0.key == "general.alignment" })?.value {
            guard case .uint32(let v) = a, v > 0, v & (v - 1) == 0, v <= 1 << 16 else {
                throw c.fail("general.alignment is \(a), not a UInt32 power of two up to 65536")
            }
            alignment = Int(v)
        }
        self.alignment = alignment

        var infos: [GGUFTensorInfo] = []
        var names = Set<String>()
        for i in 0..<tensorCount {
            let start = c.offset
            let info = try Self.readTensorInfo(&c, index: i, alignment: alignment)
            guard names.insert(info.name).inserted else {
                throw c.fail("tensor \(info.name) appears twice", at: start)
            }
            infos.append(info)
        }
        let padding = (alignment - c.offset % alignment) % alignment
        try c.need(padding, "padding before the data section")
        dataStart = c.offset + padding
        tensors = infos
        try Self.checkRanges(infos, dataStart: dataStart, fileSize: bytes.count)
    }

    /// One value of type tag read from the file; arrays nest at most `GGUF.maxArrayDepth` deep.
    private static func readValue(_ c: inout GGUFCursor, what: String, depth: Int) throws -> GGUFValue {
        let at = c.offset
        let raw = try c.read(UInt32.self, "type of \(what)")
        guard let type = GGUFValueType(rawValue: raw) else { throw c.fail("\(what) has unknown value type \(raw)", at: at) }
        return try readValue(&c, type: type, what: what, depth: depth)
    }

    private static func readValue(_ c: inout GGUFCursor, type: GGUFValueType, what: String, depth: Int) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try c.read(UInt8.self, what))
        case .int8: return .int8(try c.read(Int8.self, what))
        case .uint16: return .uint16(try c.read(UInt16.self, what))
        case .int16: return .int16(try c.read(Int16.self, what))
        case .uint32: return .uint32(try c.read(UInt32.self, what))
        case .int32: return .int32(try c.read(Int32.self, what))
        case .float32: return .float32(Float(bitPattern: try c.read(UInt32.self, what)))
        case .uint64: return .uint64(try c.read(UInt64.self, what))
        case .int64: return .int64(try c.read(Int64.self, what))
        case .float64: return .float64(Double(bitPattern: try c.read(UInt64.self, what)))
        case .bool:
            let at = c.offset
            let b = try c.read(UInt8.self, what)
            guard b <= 1 else { throw c.fail("\(what) is a bool holding \(b)", at: at) }
            return .bool(b == 1)
        case .string: return .string(try c.readString(what))
        case .array:
            guard depth < GGUF.maxArrayDepth else { throw c.fail("\(what) nests arrays deeper than \(GGUF.maxArrayDepth)") }
            let at = c.offset
            let raw = try c.read(UInt32.self, "element type of \(what)")
            guard let elementType = GGUFValueType(rawValue: raw) else {
                throw c.fail("\(what) has unknown element type \(raw)", at: at)
            }
            let n = try c.readCount("element count of \(what)", minimumSize: elementType.minimumSize)
            var values: [GGUFValue] = []
            values.reserveCapacity(n)
            for i in 0..<n {
                values.append(try readValue(&c, type: elementType, what: "\(what)[\(i)]", depth: depth + 1))
            }
            return .array(elementType, values)
        }
    }

    /// One tensor info, with its dims, type, size and alignment checked (not yet its range).
    private static func readTensorInfo(_ c: inout GGUFCursor, index: Int, alignment: Int) throws -> GGUFTensorInfo {
        let name = try c.readString("name of tensor #\(index)")
        let at = c.offset
        let nDims = try c.read(UInt32.self, "n_dims of \(name)")
        guard nDims >= 1, nDims <= UInt32(GGUF.maxDims) else {
            throw c.fail("tensor \(name) has \(nDims) dims, not 1...\(GGUF.maxDims)", at: at)
        }
        var dims: [Int] = []
        var count = 1
        for d in 0..<Int(nDims) {
            let at = c.offset
            let v = try c.read(UInt64.self, "dim \(d) of \(name)")
            guard v >= 1, v <= UInt64(Int.max) else { throw c.fail("tensor \(name) has dim \(d) = \(v)", at: at) }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(v))
            guard !overflow else { throw c.fail("tensor \(name) has too many elements", at: at) }
            count = product
            dims.append(Int(v))
        }
        let typeAt = c.offset
        let rawType = try c.read(UInt32.self, "type of \(name)")
        guard let type = TensorType(rawValue: rawType) else {
            throw c.fail("tensor \(name) has unknown type \(rawType)", at: typeAt)
        }
        guard !count.multipliedReportingOverflow(by: type.size).overflow else {
            throw c.fail("tensor \(name) has too many bytes", at: typeAt)
        }
        let offsetAt = c.offset
        let offset = try c.read(UInt64.self, "offset of \(name)")
        guard offset <= UInt64(Int.max), offset % UInt64(alignment) == 0 else {
            throw c.fail("tensor \(name) has offset \(offset), not a multiple of the alignment \(alignment)", at: offsetAt)
        }
        return GGUFTensorInfo(name: name, dims: dims, type: type, offset: Int(offset))
    }

    /// Every tensor lies inside the file, naturally aligned, and no two overlap.
    private static func checkRanges(_ infos: [GGUFTensorInfo], dataStart: Int, fileSize: Int) throws {
        let dataSize = fileSize - dataStart
        var ranges: [(start: Int, end: Int, name: String)] = []
        for t in infos {
            // Products were checked when the info was read.
            let bytes = t.dims.reduce(1, *) * t.type.size
            guard t.offset <= dataSize, bytes <= dataSize - t.offset else {
                throw VideoDistillError.invalidModelFile(
                    "GGUF: tensor \(t.name) (\(bytes) bytes at data offset \(t.offset)) runs past the end of the "
                        + "file (data section is \(dataSize) bytes from byte \(dataStart))")
            }
            guard (dataStart + t.offset) % t.type.size == 0 else {
                throw VideoDistillError.invalidModelFile("GGUF: tensor \(t.name) is not aligned to its element size")
            }
            ranges.append((t.offset, t.offset + bytes, t.name))
        }
        ranges.sort { $0.start < $1.start }
        for (a, b) in zip(ranges, ranges.dropFirst()) where b.start < a.end {
            throw VideoDistillError.invalidModelFile("GGUF: tensors \(a.name) and \(b.name) overlap")
        }
    }
}
