/// The model-level checks of `ModelFile.init`: tokenizer, answers, tensors against SPEC 10.
extension ModelFile {
    /// CLIP's vocabulary: 256 byte symbols, the same 256 with `</w>`, one per merge, SOT and EOT.
    package static func mergeCount(vocabSize: Int) -> Int { vocabSize - 514 }

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

    /// Checks the tensors against SPEC 10 for this config and returns the heads present, the views and the
    /// scales of the int8 weights (an int8 file's rules are in `ModelFileKeys`).
    static func readTensors(_ contents: GGUFContents, _ storage: ModelStorage, _ config: ModelConfig,
                            _ answers: [String], _ weightType: String)
        throws -> (Set<Head>, [String: TensorView], [String: TensorView]) {
        // Before the table is built: its size follows the config's layer counts, which the file declares.
        if let refusal = tableSizeRefusal(config, tensorsHeld: contents.tensors.count, holder: "the file") {
            throw bad(refusal)
        }
        let expected = expectedTensors(config, answerCount: answers.count)
        let byName = Dictionary(contents.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let int8File = weightType == ModelFileKeys.int8WeightType
        // An int8 file may hold a scale beside each quantizable weight (checked below against its weight).
        var known = Set(expected.map(\.name))
        if int8File { known.formUnion(expected.filter(\.isQuantizable).map { ModelFileKeys.scaleName(of: $0.name) }) }
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
        func view(_ info: GGUFTensorInfo, _ shape: [Int]) -> TensorView {
            // The range was checked by the parser.
            let data = storage.bytes.baseAddress! + contents.dataStart + info.offset
            return TensorView(name: info.name, shape: shape, type: info.type, data: data)
        }
        var views: [String: TensorView] = [:]
        var scales: [String: TensorView] = [:]
        for row in expected where row.head == nil || heads.contains(row.head!) {
            let info = byName[row.name]!
            guard info.shape == row.shape else {
                throw bad("tensor \(row.name) has shape \(info.shape), the config needs \(row.shape)")
            }
            let scaleName = ModelFileKeys.scaleName(of: row.name)
            if int8File && row.isQuantizable && info.type == .i8 {
                guard let scaleInfo = byName[scaleName] else {
                    throw bad("int8 tensor \(row.name) has no scale tensor \(scaleName)")
                }
                guard scaleInfo.type == .f32, scaleInfo.shape == [row.shape[0]] else {
                    throw bad("scale \(scaleName) is \(scaleInfo.type) \(scaleInfo.shape), expected f32 [\(row.shape[0])]")
                }
                let weight = view(info, row.shape), scale = view(scaleInfo, [row.shape[0]])
                try checkInt8(weight, scale)
                views[row.name] = weight
                scales[row.name] = scale
                continue
            }
            guard info.type == .f32 else {
                let allowed = int8File && row.isQuantizable ? "f32 or i8" : "f32"
                throw bad("tensor \(row.name) is \(info.type), weight type \(weightType) needs \(allowed)")
            }
            if byName[scaleName] != nil { throw bad("tensor \(scaleName) is the scale of \(row.name), which is not int8") }
            views[row.name] = view(info, row.shape)
        }
        return (heads, views, scales)
    }

    /// An int8 weight's values lie in [-127, 127] (symmetric: -128 never occurs) and its scales are finite and
    /// >= 0. weight: .i8 [out, ...]; scale: .f32 [out]
    static func checkInt8(_ weight: TensorView, _ scale: TensorView) throws {
        if let j = scale.floatBuffer.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw bad("scale \(scale.name)[\(j)] is \(scale.floatBuffer[j]), not a finite number >= 0")
        }
        let q = UnsafeRawBufferPointer(start: weight.data, count: weight.count)
        // -128 is the only byte outside [-127, 127]; memchr finds it at memory speed.
        if let hit = q.firstIndex(of: 0x80) {
            throw bad("int8 tensor \(weight.name) holds -128 at element \(hit); symmetric int8 is [-127, 127]")
        }
    }
}
