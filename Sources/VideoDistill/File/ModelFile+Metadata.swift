/// Building a model file's metadata, in the order `ModelFileKeys` documents.
extension ModelFile {
    /// Metadata for a model file with this config, answers (empty: no QA head) and merges.
    /// Precondition: `config.validate()` passed.
    package static func metadata(config: ModelConfig, answers: [String], merges: [String], bpeSHA256: String,
                                name: String, weightType: String = "f32") -> [(key: String, value: GGUFValue)] {
        var kv: [(key: String, value: GGUFValue)] = [
            (ModelFileKeys.alignment, .uint32(UInt32(ModelFileKeys.writtenAlignment))),
            (ModelFileKeys.architecture, .string(ModelFileKeys.architectureValue)),
            (ModelFileKeys.name, .string(name)),
            (ModelFileKeys.weightType, .string(weightType)),
        ]
        kv += config.metadata
        if !answers.isEmpty { kv.append((ModelFileKeys.answers, .strings(answers))) }
        kv += [
            (ModelFileKeys.tokenizerModel, .string(ModelFileKeys.tokenizerModelValue)),
            (ModelFileKeys.merges, .strings(merges)),
            (ModelFileKeys.bosTokenID, .uint32(UInt32(config.vocabSize - 2))),
            (ModelFileKeys.eosTokenID, .uint32(UInt32(config.vocabSize - 1))),
            (ModelFileKeys.bpeSHA256, .string(bpeSHA256)),
        ]
        return kv
    }
}
