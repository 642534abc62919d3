/// CLIP's BPE vocabulary, built from the merges exactly as `simple_tokenizer.py` builds it (SPEC 2.3):
/// ids 0..<256 are the 256 bytes in CLIP's byte-to-unicode order, 256..<512 the same symbols with `</w>`
/// (end of word), then one id per merge (its two halves joined) in rank order, then SOT and EOT.
/// Merging works on ids: a table maps each merge's pair of ids to its rank and the joined symbol's id.
struct BPEVocabulary: Sendable {
    /// One merge rule: its rank (lower merges first) and the id of the joined symbol.
    struct Merge: Sendable { let rank: Int32; let id: Int32 }

    /// Id of each byte as a symbol inside a word (add 256 for the word's last symbol, `</w>`).
    let byteID: [Int32]
    /// (left id << 32 | right id) -> merge.
    let merges: [UInt64: Merge]

    /// CLIP's byte -> printable scalar table: `!`..`~`, `¡`..`¬`, `®`..`ÿ` map to themselves, the other 68
    /// bytes to U+0100 onwards in byte order. Returns the symbols in vocabulary order and each byte's index.
    static func byteAlphabet() -> (symbols: [Unicode.Scalar], byteID: [Int32]) {
        let printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        var codes = printable.map(UInt32.init)
        var bytes = printable
        for b in 0..<256 where !printable.contains(b) {
            bytes.append(b)
            codes.append(UInt32(256 + bytes.count - printable.count - 1))
        }
        var byteID = [Int32](repeating: 0, count: 256)
        for (index, b) in bytes.enumerated() { byteID[b] = Int32(index) }
        return (codes.map { Unicode.Scalar($0)! }, byteID)
    }

    /// Builds the vocabulary from the merge lines (`"a b"`, file lines 1..48894 of
    /// `bpe_simple_vocab_16e6.txt`). Throws `invalidModelFile` unless there are exactly
    /// `CLIPTokenizer.mergeCount` well-formed, distinct merges whose halves are symbols of the vocabulary.
    init(merges lines: [String]) throws {
        guard lines.count == CLIPTokenizer.mergeCount else {
            throw VideoDistillError.invalidModelFile(
                "BPE vocabulary: \(lines.count) merges, CLIP's vocabulary has \(CLIPTokenizer.mergeCount)")
        }
        let (symbols, byteID) = Self.byteAlphabet()
        var vocabulary = symbols.map { String($0) } + symbols.map { String($0) + "</w>" }
        var halves: [(Substring, Substring)] = []
        halves.reserveCapacity(lines.count)
        for (rank, line) in lines.enumerated() {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw VideoDistillError.invalidModelFile("BPE merge \(rank + 1) is not two symbols: \(line.debugDescription)")
            }
            halves.append((parts[0], parts[1]))
            vocabulary.append(String(parts[0] + parts[1]))
        }
        vocabulary += ["<|startoftext|>", "<|endoftext|>"]
        var idOf: [String: Int32] = [:]
        idOf.reserveCapacity(vocabulary.count)
        for (id, symbol) in vocabulary.enumerated() {
            guard idOf.updateValue(Int32(id), forKey: symbol) == nil else {
                throw VideoDistillError.invalidModelFile("BPE vocabulary: symbol \(symbol.debugDescription) occurs twice")
            }
        }
        var table: [UInt64: Merge] = [:]
        table.reserveCapacity(halves.count)
        for (rank, (left, right)) in halves.enumerated() {
            guard let a = idOf[String(left)], let b = idOf[String(right)] else {
                throw VideoDistillError.invalidModelFile("BPE merge \(rank + 1) joins an unknown symbol")
            }
            let merge = Merge(rank: Int32(rank), id: Int32(512 + rank))
            guard table.updateValue(merge, forKey: UInt64(UInt32(a)) << 32 | UInt64(UInt32(b))) == nil else {
                throw VideoDistillError.invalidModelFile("BPE merge \(rank + 1) repeats an earlier merge")
            }
        }
        self.byteID = byteID
        self.merges = table
    }

    /// Appends the ids of one pre-token (its UTF-8 bytes) to `ids`: start from one symbol per byte, the last
    /// with `</w>`, and merge the lowest-ranked adjacent pair everywhere (left to right) until none applies.
    func encode(word bytes: [UInt8], into ids: inout [Int32]) {
        guard !bytes.isEmpty else { return }
        var word = bytes.map { byteID[Int($0)] }
        word[word.count - 1] += 256
        while word.count > 1 {
            var best: Merge?
            var left: Int32 = 0, right: Int32 = 0
            for i in 0..<(word.count - 1) {
                if let m = merges[Self.key(word[i], word[i + 1])], m.rank < best?.rank ?? .max {
                    (best, left, right) = (m, word[i], word[i + 1])
                }
            }
            guard let best else { break }
            var merged: [Int32] = []
            merged.reserveCapacity(word.count)
            var i = 0
            while i < word.count {
                if i + 1 < word.count && word[i] == left && word[i + 1] == right {
                    merged.append(best.id)
                    i += 2
                } else {
                    merged.append(word[i])
                    i += 1
                }
            }
            word = merged
        }
        ids.append(contentsOf: word)
    }

    private static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }
}
