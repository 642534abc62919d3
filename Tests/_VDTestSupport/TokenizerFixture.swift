import Foundation
import VideoDistill

/// The tokenizer's test inputs, loaded once: CLIP's merges from the shipped vocabulary (`vocabularyPath`,
/// decompressed with `gzip -dc`) and the corpus
/// `Tests/Fixtures/tokenizer/corpus.json` that `tools/reference/make_token_corpus.py` writes from vdref.
package struct TokenizerFixture: Sendable {
    package struct Row: Decodable, Sendable {
        package let text: String
        package let ids77: [Int32]
        package let ids16: [Int32]
    }

    package let merges: [String]
    package let tokenizer: CLIPTokenizer
    package let corpus: [Row]

    package static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The .gz that `_CLIPVocabulary` builds into the converter.
    package static let vocabularyPath = repository
        .appendingPathComponent("Sources/_CLIPVocabulary/bpe_simple_vocab_16e6.txt.gz")

    /// Loaded on first use; a failure is kept and rethrown by every test that needs the fixture.
    package static let shared: Result<TokenizerFixture, Error> = Result { try TokenizerFixture() }

    package static func load() throws -> TokenizerFixture { try shared.get() }

    private init() throws {
        merges = try Self.readMerges()
        tokenizer = try CLIPTokenizer(merges: merges)
        let corpusURL = Self.repository.appendingPathComponent("Tests/Fixtures/tokenizer/corpus.json")
        corpus = try JSONDecoder().decode([Row].self, from: Data(contentsOf: corpusURL))
    }

    /// File lines 1...48894 of the vocabulary (line 0 is the version header), as CLIP reads them.
    package static func readMerges() throws -> [String] {
        let gz = vocabularyPath
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", gz.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let text = String(data: data, encoding: .utf8) else {
            throw VideoDistillError.io("gzip -dc \(gz.path) failed")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.dropFirst().prefix(CLIPTokenizer.mergeCount).map(String.init)
    }
}
