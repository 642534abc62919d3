import Foundation

/// A NumPy `.npy` array read whole (format versions 1-3, little-endian or byte dtypes, C order): enough
/// for the fixtures `tools/reference` writes.
package struct NPYArray {
    /// Shape, outermost first ([] for a scalar).
    package let shape: [Int]
    /// NumPy's dtype string: "<f4", "<f8", "<i8", "<i4", "|u1", "|b1".
    package let dtype: String
    /// The raw little-endian element bytes, C order.
    package let data: [UInt8]

    /// Number of elements (product of the shape).
    package var count: Int { shape.reduce(1, *) }

    /// Elements as Float, from float32 or float64 (rounded).
    package var floats: [Float] {
        switch dtype {
        case "<f4": return elements(Float.self)
        case "<f8": return elements(Double.self).map(Float.init)
        default: fatalError("NPY: \(dtype) is not a float dtype")
        }
    }

    /// Elements as Double, from float32 or float64.
    package var doubles: [Double] {
        switch dtype {
        case "<f4": return elements(Float.self).map(Double.init)
        case "<f8": return elements(Double.self)
        default: fatalError("NPY: \(dtype) is not a float dtype")
        }
    }

    /// Elements as Int64, from int64 or int32.
    package var int64s: [Int64] {
        switch dtype {
        case "<i8": return elements(Int64.self)
        case "<i4": return elements(Int32.self).map(Int64.init)
        default: fatalError("NPY: \(dtype) is not an integer dtype")
        }
    }

    /// Elements as bytes, from uint8 or bool.
    package var uint8s: [UInt8] {
        precondition(dtype == "|u1" || dtype == "|b1", "NPY: \(dtype) is not a byte dtype")
        return data
    }

    private func elements<T>(_: T.Type) -> [T] {
        precondition(data.count == count * MemoryLayout<T>.size, "NPY: data size does not match shape")
        return data.withUnsafeBytes { raw in
            (0 ..< count).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) }
        }
    }

    /// Reads and checks a whole `.npy` file.
    package static func load(_ path: String) throws -> NPYArray {
        guard let file = FileManager.default.contents(atPath: path) else { throw NPYError("cannot read \(path)") }
        let bytes = [UInt8](file)
        guard bytes.count >= 10, bytes[0 ..< 6].elementsEqual([0x93] + Array("NUMPY".utf8)) else {
            throw NPYError("\(path): not an .npy file")
        }
        let major = bytes[6]
        let headerStart = major == 1 ? 10 : 12
        guard (1 ... 3).contains(major), bytes.count >= headerStart else { throw NPYError("\(path): version \(major)") }
        let headerLength = major == 1
            ? Int(bytes[8]) | Int(bytes[9]) << 8
            : Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        guard bytes.count >= headerStart + headerLength,
              let header = String(bytes: bytes[headerStart ..< headerStart + headerLength], encoding: .utf8)
        else { throw NPYError("\(path): truncated header") }
        guard !header.contains("'fortran_order': True") else { throw NPYError("\(path): Fortran order") }
        guard let dtype = field("descr", in: header)?.trimmingCharacters(in: CharacterSet(charactersIn: "'")),
              ["<f4", "<f8", "<i8", "<i4", "|u1", "|b1"].contains(dtype),
              let shapeText = field("shape", in: header)
        else { throw NPYError("\(path): unsupported header \(header)") }
        let shape = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .compactMap { Int($0) }
        let itemSize = Int(dtype.dropFirst(2))!
        let data = Array(bytes[(headerStart + headerLength)...])
        guard data.count == shape.reduce(1, *) * itemSize else { throw NPYError("\(path): data size does not match shape \(shape)") }
        return NPYArray(shape: shape, dtype: dtype, data: data)
    }

    /// The text of `'key': value` in the header dict (a quoted string or a parenthesised tuple).
    private static func field(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)':") else { return nil }
        let rest = header[keyRange.upperBound...].drop(while: { $0 == " " })
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        guard let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) else { return nil }
        return String(rest[..<end]).trimmingCharacters(in: .whitespaces)
    }
}

/// A malformed or unreadable `.npy` file.
package struct NPYError: Error, CustomStringConvertible {
    package let description: String
    package init(_ message: String) { description = message }
}

/// Path of a file under the repository's Tests/Fixtures, e.g. `fixturePath("tiny_a", "video.npy")`.
package func fixturePath(_ parts: String...) -> String {
    var url = URL(fileURLWithPath: #filePath)   // Tests/_VDTestSupport/NPY.swift
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    for part in parts { url.appendPathComponent(part) }
    return url.path
}

/// Whether a fixture file exists (tests skip cleanly when the lead's fixtures are absent).
package func fixtureExists(_ parts: String...) -> Bool {
    var url = URL(fileURLWithPath: fixturePath())
    for part in parts { url.appendPathComponent(part) }
    return FileManager.default.fileExists(atPath: url.path)
}
