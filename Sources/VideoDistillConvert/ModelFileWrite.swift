#if canImport(Glibc)
import Glibc
#endif
import VideoDistill

/// The one model-file write loop of convert-weights, its requantization and vd-bench's random models: declare
/// every tensor (an int8 one with its `.scale` companion, SPEC 8), append each in order (quantized per row where
/// it is int8; `values` gives row i's floats), finish, load the file back with `ModelFile` and check it holds what was written, and only then
/// move it to `output` (a failed write leaves no file there). Returns the file's size in bytes.
package func writeModelFile(to output: String, metadata: [(key: String, value: GGUFValue)], rows: [ExpectedTensor],
                           int8 int8Names: [String], heads: Set<Head>,
                           values: (_ index: Int, ExpectedTensor) throws -> [Float]) throws -> Int {
    let quantized = Set(int8Names)
    let declarations = rows.flatMap { row -> [GGUFTensorDeclaration] in
        guard quantized.contains(row.name) else { return [GGUFTensorDeclaration(name: row.name, shape: row.shape, type: .f32)] }
        return [GGUFTensorDeclaration(name: row.name, shape: row.shape, type: .i8),
                GGUFTensorDeclaration(name: ModelFileKeys.scaleName(of: row.name), shape: [row.shape[0]], type: .f32)]
    }
    let temporary = output + ".partial-\(getpid())"
    do {
        let writer = try GGUFFileWriter(path: temporary, metadata: metadata, tensors: declarations,
                                        alignment: ModelFileKeys.writtenAlignment)
        for (i, row) in rows.enumerated() {
            let v = try values(i, row)
            guard quantized.contains(row.name) else {
                try v.withUnsafeBytes { try writer.append($0) }
                continue
            }
            let (q, scales) = try Int8Quantizer.quantizeRows(v, rows: row.shape[0], name: row.name)
            try q.withUnsafeBytes { try writer.append($0) }
            try scales.withUnsafeBytes { try writer.append($0) }
        }
        try writer.finish()
        let check = try ModelFile(path: temporary)
        guard check.heads == heads, check.tensors.count == rows.count, check.int8TensorNames == int8Names.sorted() else {
            throw ConvertError("the written file does not read back as written")
        }
        guard rename(temporary, output) == 0 else {
            throw ConvertError("cannot move \(temporary) to \(output): \(String(cString: strerror(errno)))")
        }
    } catch {
        unlink(temporary)
        throw error
    }
    var st = stat()
    return stat(output, &st) == 0 ? Int(st.st_size) : 0
}
