import Testing
@testable import VideoDistillConvert
import _VDTestSupport

/// The converter's small parts: SHA-256 (FIPS 180-2 test vectors), gunzip, the vocabulary file, arguments.
@Suite struct ConvertToolsTests {
    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Lengths around the 55/56/64-byte padding boundaries must not trap.
        for n in 54...66 { #expect(SHA256.hex([UInt8](repeating: 1, count: n)).count == 64) }
    }

    @Test func vocabularyMergesAreCLIPs() throws {
        // The built-in copy is the repository's file byte for byte, and --bpe reads the same merges from it.
        let file = try readWholeFile(TokenizerFixture.vocabularyPath.path)
        #expect(BPEMergesFile.embedded == file && SHA256.hex(file) == BPEMergesFile.sha256)
        // First and last merge as `zcat bpe_simple_vocab_16e6.txt.gz | sed -n '2p;48895p'` prints them.
        let merges = try BPEMergesFile.embeddedMerges(count: 48894)
        #expect(merges.count == 48894 && merges.first == "i n" && merges.last == "jeky ll</w>")
        #expect(try BPEMergesFile.merges(path: TokenizerFixture.vocabularyPath.path, count: 48894) == merges)
        expectConvertError("fewer than 300000") { _ = try BPEMergesFile.embeddedMerges(count: 300_000) }
        expectConvertError("not CLIP's") {
            _ = try BPEMergesFile.merges(gzip: Array(file.dropLast()), source: "cut.gz", count: 10)
        }
    }

    @Test func gunzipRefusesDamagedData() throws {
        let gz = BPEMergesFile.embedded
        #expect(try gunzip(gz).count == 3_194_984)  // `zcat ... | wc -c`
        expectConvertError("damaged or truncated") { _ = try gunzip(Array(gz.prefix(gz.count / 2))) }
        expectConvertError("damaged or truncated") { _ = try gunzip(Array("plain text".utf8)) }
        expectConvertError("expands beyond 1000 bytes") { _ = try gunzip(gz, limit: 1000) }
    }

    @Test func parsesTheCommandLine() throws {
        let a = try ConvertArguments(["x.onnx", "-o", "m.gguf", "y.onnx", "--type", "f32", "--config", "c.json",
                                      "--answers", "a.json", "--bpe", "v.gz", "--name", "n"])
        #expect(a.inputs == ["x.onnx", "y.onnx"] && a.output == "m.gguf" && !a.help)
        #expect(a.options.configPath == "c.json" && a.options.answersPath == "a.json" && a.options.bpePath == "v.gz")
        #expect(a.options.name == "n" && a.options.type == "f32")
        #expect(try ConvertArguments(["--help"]).help)
        expectConvertError("no output file") { _ = try ConvertArguments(["x.onnx"]) }
        expectConvertError("no input files") { _ = try ConvertArguments(["-o", "m.gguf"]) }
        expectConvertError("-o needs a value") { _ = try ConvertArguments(["x.onnx", "-o"]) }
        expectConvertError("unknown option --fast") { _ = try ConvertArguments(["x.onnx", "--fast"]) }
        #expect(defaultName("dir/model.v1.gguf") == "model.v1" && defaultName(".hidden") == ".hidden")
    }
}
