#if canImport(Glibc)
import Glibc
#endif
import VideoDistill

/// `convert-weights MODEL.gguf -o OUT.gguf --type int8`: an fp32 model file (this converter's output) written
/// again with the int8 policy's weights as int8 (SPEC 8), everything else copied: metadata (but the weight
/// type), tensors in the same order. The output is loaded back with `ModelFile` before it replaces OUT.
func requantize(input: String, output: String, policy: Int8Policy, name: String?) throws -> ConvertSummary {
    let source = try ModelFile(path: input)
    guard source.weightType == "f32" else {
        throw ConvertError("\(input) has weight type \(source.weightType); only an f32 model file can be made int8")
    }
    let rows = expectedTensors(source.config, answerCount: source.answers.count).filter { source.tensors[$0.name] != nil }
    let int8Names = rows.map(\.name).filter(policy.quantizes)
    let quantized = Set(int8Names)
    let declarations = rows.flatMap { row -> [GGUFTensorDeclaration] in
        guard quantized.contains(row.name) else { return [GGUFTensorDeclaration(name: row.name, shape: row.shape, type: .f32)] }
        return [GGUFTensorDeclaration(name: row.name, shape: row.shape, type: .i8),
                GGUFTensorDeclaration(name: ModelFileKeys.scaleName(of: row.name), shape: [row.shape[0]], type: .f32)]
    }
    let metadata = source.metadata.map { kv -> (key: String, value: GGUFValue) in
        if kv.key == ModelFileKeys.weightType { return (kv.key, .string(ModelFileKeys.int8WeightType)) }
        if kv.key == ModelFileKeys.name, let name { return (kv.key, .string(name)) }
        return kv
    }
    let temporary = output + ".partial-\(getpid())"
    do {
        let writer = try GGUFFileWriter(path: temporary, metadata: metadata, tensors: declarations,
                                        alignment: ModelFileKeys.writtenAlignment)
        for row in rows {
            let values = Array(try source.tensor(row.name).floatBuffer)
            guard quantized.contains(row.name) else {
                try values.withUnsafeBytes { try writer.append($0) }
                continue
            }
            let (q, scales) = try Int8Quantizer.quantizeRows(values, rows: row.shape[0], name: row.name)
            try q.withUnsafeBytes { try writer.append($0) }
            try scales.withUnsafeBytes { try writer.append($0) }
        }
        try writer.finish()
        let check = try ModelFile(path: temporary)
        guard check.heads == source.heads, check.tensors.count == rows.count, check.int8TensorNames == int8Names.sorted() else {
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
    let size = stat(output, &st) == 0 ? Int(st.st_size) : 0
    return ConvertSummary(output: output, tensorCount: rows.count,
                          parameterCount: rows.reduce(0) { $0 + $1.shape.reduce(1, *) }, fileSize: size,
                          heads: source.heads.sorted(), answerCount: source.answers.count, unknownConfigKeys: [],
                          ignoredInitializers: [], int8Tensors: int8Names,
                          keptF32Groups: int8Groups.filter { policy.keepF32.contains($0) })
}
