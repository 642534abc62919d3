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
    let metadata = source.metadata.map { kv -> (key: String, value: GGUFValue) in
        if kv.key == ModelFileKeys.weightType { return (kv.key, .string(ModelFileKeys.int8WeightType)) }
        if kv.key == ModelFileKeys.name, let name { return (kv.key, .string(name)) }
        return kv
    }
    let size = try writeModelFile(to: output, metadata: metadata, rows: rows, int8: int8Names, heads: source.heads) {
        Array(try source.tensor($1.name).floatBuffer)
    }
    return ConvertSummary(output: output, tensorCount: rows.count,
                          parameterCount: rows.reduce(0) { $0 + $1.shape.reduce(1, *) }, fileSize: size,
                          heads: source.heads.sorted(), answerCount: source.answers.count, unknownConfigKeys: [],
                          ignoredInitializers: [], int8Tensors: int8Names,
                          keptF32Groups: int8Groups.filter { policy.keepF32.contains($0) })
}
