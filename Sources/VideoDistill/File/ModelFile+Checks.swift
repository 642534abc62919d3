/// The model-level checks of `ModelFile.init`: tokenizer, answers, tensors against SPEC 10.
extension ModelFile {
    /// CLIP's vocabulary: 256 byte symbols, the same 256 with `</w>`, one per merge, SOT and EOT.
    public static func mergeCount(vocabSize: Int) -> Int { vocabSize - 514 }

    /// Checks the tokenizer metadata and returns the merges.
    static func readTokenizer(_ kv: [String: GGUFValue], _ config: ModelConfig) throws -> [String] {
        try expect(kv, ModelFileKeys.tokenizerModel, ModelFileKeys.tokenizerModelValue)
        for (key, id) in [(ModelFileKeys.bosTokenID, config.vocabSize - 2), (ModelFileKeys.eosTokenID, config.vocabSize - 1)] {
            guard case .uint32(let v)? = kv[key], Int(v) == id else {
                throw bad("metadata \(key) is \(kv[key].map { "\($0)" } ?? "missing"), not UINT32 \(id)")
            }
        }
        guard case .string(let sha)? = kv[ModelFileKeys.bpeSHA256], sha.utf8.count == 64,
              sha.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { throw bad("metadata \(ModelFileKeys.bpeSHA256) is missing or not 64 lowercase hex digits") }

        guard case .array(.string, let items)? = kv[ModelFileKeys.merges] else {
            throw bad("metadata \(ModelFileKeys.merges) is missing or not an ARRAY of STRING")
        }
        let want = mergeCount(vocabSize: config.vocabSize)
        guard items.count == want else {
            throw bad("\(ModelFileKeys.merges) holds \(items.count) merges; vocab_size \(config.vocabSize) needs \(want)")
        }
        var merges: [String] = []
        merges.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            // A merge is two non-empty symbols separated by one space.
            guard case .string(let m) = item, let space = m.utf8.firstIndex(of: 32),
                  space != m.utf8.startIndex, m.utf8.index(after: space) != m.utf8.endIndex,
                  m.utf8[m.utf8.index(after: space)...].firstIndex(of: 32) == nil
            else { throw bad("\(ModelFileKeys.merges)[\(i)] is not two symbols separated by one space") }
            merges.append(m)
        }
        return merges
    }

    /// The answers, or `[]` when the key is absent. Present answers are non-empty, distinct strings.
    static func readAnswers(_ kv: [String: GGUFValue]) throws -> [String] {
        guard let value = kv[ModelFileKeys.answers] else { return [] }
        guard case .array(.string, let items) = value, !items.isEmpty else {
            throw bad("metadata \(ModelFileKeys.answers) is not a non-empty ARRAY of STRING")
        }
        var answers: [String] = []
        var seen = Set<String>()
        for (i, item) in items.enumerated() {
            guard case .string(let a) = item, !a.isEmpty else { throw bad("answer #\(i) is empty") }
            guard seen.insert(a).inserted else { throw bad("answer \"\(a)\" (#\(i)) appears twice") }
            answers.append(a)
        }
        return answers
    }

    /// Checks the tensors against SPEC 10 for this config and returns the heads present and the views.
    static func readTensors(_ contents: GGUFContents, _ storage: ModelStorage, _ config: ModelConfig,
                            _ answers: [String], _ weightType: String) throws -> (Set<Head>, [String: TensorView]) {
        let expected = expectedTensors(config, answerCount: answers.count)
        let byName = Dictionary(contents.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let known = Set(expected.map(\.name))
        let unknown = contents.tensors.map(\.name).filter { !known.contains($0) }
        guard unknown.isEmpty else { throw bad("unknown tensors \(list(unknown))") }

        var heads = Set<Head>()
        for head in Head.allCases {
            let rows = expected.filter { $0.head == head }
            let present = rows.filter { byName[$0.name] != nil }.map(\.name)
            if present.count == rows.count { heads.insert(head); continue }
            guard present.isEmpty else {
                let missing = rows.map(\.name).filter { byName[$0] == nil }
                throw bad("head \(head.rawValue) is incomplete: has \(list(present)) but lacks \(list(missing))")
            }
        }
        if heads.contains(.qa) != !answers.isEmpty {
            throw bad(heads.contains(.qa) ? "the QA head is present but \(ModelFileKeys.answers) is missing"
                                          : "\(ModelFileKeys.answers) is present but the QA head is not")
        }

        let missing = expected.filter { $0.head == nil && byName[$0.name] == nil }.map(\.name)
        guard missing.isEmpty else { throw bad("missing tensors \(list(missing))") }
        var views: [String: TensorView] = [:]
        for row in expected where row.head == nil || heads.contains(row.head!) {
            let info = byName[row.name]!
            guard info.shape == row.shape else {
                throw bad("tensor \(row.name) has shape \(info.shape), the config needs \(row.shape)")
            }
            guard info.type == .f32 else {
                throw bad("tensor \(row.name) is \(info.type), weight type \(weightType) needs f32")
            }
            // The range was checked by the parser.
            let data = storage.bytes.baseAddress! + contents.dataStart + info.offset
            views[row.name] = TensorView(name: row.name, shape: row.shape, type: info.type, data: data)
        }
        return (heads, views)
    }
}
