import Foundation
import Testing
@testable import VideoDistill
import _VDTestSupport

/// CLIPTokenizer against the vdref corpus (ids from `tools/reference/vdref/tokenizer.py`, itself checked
/// against OpenAI's `simple_tokenizer.py` by `tools/reference/tests/test_tokenizer.py`).
@Suite struct TokenizerTests {
    /// Corpus strings whose ids are allowed to differ, each with its reason. Empty: every string matches.
    static let knownDifferences: [String: String] = [:]

    @Test func corpusIdsMatchReference() throws {
        let fixture = try TokenizerFixture.load()
        #expect(fixture.corpus.count >= 300)
        var matched = 0
        var failures: [String] = []
        for row in fixture.corpus {
            let ids77 = try fixture.tokenizer.tokenIds(row.text, contextLength: 77)
            let ids16 = try fixture.tokenizer.tokenIds(row.text, contextLength: 16)
            if ids77 == row.ids77 && ids16 == row.ids16 {
                matched += 1
            } else if Self.knownDifferences[row.text] == nil {
                failures.append("\(row.text.debugDescription): got \(ids77.prefix(12)) want \(row.ids77.prefix(12))")
            }
        }
        print("TokenizerTests: \(matched)/\(fixture.corpus.count) corpus strings identical at context 77 and 16")
        #expect(failures.isEmpty, "\(failures.count) strings differ:\n\(failures.joined(separator: "\n"))")
    }

    @Test func checkValue() throws {
        let tokenizer = try TokenizerFixture.load().tokenizer
        let ids = try tokenizer.tokenIds("a photo of a cat", contextLength: 77)
        #expect(Array(ids.prefix(8)) == [49406, 320, 1125, 539, 320, 2368, 49407, 0])
        #expect(ids.count == 77)
        #expect(try tokenizer.encode(utf8: Array("a photo of a cat".utf8)) == [320, 1125, 539, 320, 2368])
    }

    @Test func truncationAndPadding() throws {
        let tokenizer = try TokenizerFixture.load().tokenizer
        #expect(try tokenizer.tokenIds("", contextLength: 4) == [49406, 49407, 0, 0])
        #expect(try tokenizer.tokenIds("a photo of a cat", contextLength: 6) == [49406, 320, 1125, 539, 320, 49407])
        #expect(try tokenizer.tokenIds("a photo of a cat", contextLength: 1) == [49407])
        let long = try tokenizer.tokenIds(String(repeating: "word ", count: 100), contextLength: 77)
        #expect(long.count == 77 && long.first == CLIPTokenizer.sot && long.last == CLIPTokenizer.eot)
        #expect(throws: VideoDistillError.self) { try tokenizer.tokenIds("x", contextLength: 0) }
    }

    @Test(arguments: [[0xFF], [0xC3], [0x61, 0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80]]
          as [[UInt8]])
    func invalidUTF8Throws(bytes: [UInt8]) throws {
        let tokenizer = try TokenizerFixture.load().tokenizer
        #expect(throws: VideoDistillError.invalidText("text is not valid UTF-8 (\(bytes.count) bytes)")) {
            try tokenizer.tokenIds(utf8: bytes, contextLength: 77)
        }
        #expect(throws: VideoDistillError.self) { try tokenizer.encode(utf8: bytes) }
    }

    @Test func embeddedNULIsValidText() throws {
        let tokenizer = try TokenizerFixture.load().tokenizer
        // U+0000 is valid UTF-8; ftfy removes it as a control character.
        #expect(try tokenizer.encode(utf8: [0x61, 0x00, 0x62]) == tokenizer.encode(utf8: Array("ab".utf8)))
    }

    @Test func badMergesThrow() throws {
        let merges = try TokenizerFixture.load().merges
        #expect(throws: VideoDistillError.self) { try CLIPTokenizer(merges: Array(merges.dropLast())) }
        #expect(throws: VideoDistillError.self) { try CLIPTokenizer(merges: [merges[0]] + merges.dropFirst(2) + ["i n"]) }
        #expect(throws: VideoDistillError.self) { try CLIPTokenizer(merges: ["in"] + merges.dropFirst()) }
        #expect(throws: VideoDistillError.self) { try CLIPTokenizer(merges: ["q zz"] + merges.dropFirst()) }
    }

    @Test func concurrentUseGivesSameIds() async throws {
        let fixture = try TokenizerFixture.load()
        let rows = Array(fixture.corpus.prefix(64))
        let results = await withTaskGroup(of: (Int, [Int32]?).self) { group in
            for (i, row) in rows.enumerated() {
                group.addTask { (i, try? fixture.tokenizer.tokenIds(row.text, contextLength: 77)) }
            }
            var out = [[Int32]?](repeating: nil, count: rows.count)
            for await (i, ids) in group { out[i] = ids }
            return out
        }
        #expect(results == rows.map { $0.ids77 })
    }
}
