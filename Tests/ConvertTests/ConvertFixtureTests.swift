import Foundation
import Testing
@testable import VideoDistill
@testable import VideoDistillConvert
import _VDTestSupport

/// The lead's fixtures (tools/reference/make_fixtures.py) converted: config and answers equal the JSON
/// files beside them, every tensor has its SPEC shape and equals the ONNX initializer of that name.
@Suite struct ConvertFixtureTests {
    static let fixtures: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(2)  // .../Tests/ConvertTests/ConvertFixtureTests.swift -> .../Tests
        return (parts + ["Fixtures"]).joined(separator: "/")
    }()

    static func available(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(fixtures)/\(name)/answerer.onnx")
    }

    @Test(arguments: ["tiny_a", "tiny_b"])
    func convertsFixture(_ name: String) throws {
        try #require(Self.available(name), "fixture \(name) is not there yet")
        let dir = TempDir()
        defer { dir.remove() }
        let folder = "\(Self.fixtures)/\(name)"
        let inputs = ["\(folder)/frame_encoder.onnx", "\(folder)/answerer.onnx"]
        let summary = try convert(inputs: inputs, output: dir.file("model.gguf"), options: ConvertOptions())
        let m = try ModelFile(path: dir.file("model.gguf"))

        let config = try JSONDecoder().decode(ModelConfig.self, from: Data(contentsOf: URL(fileURLWithPath: "\(folder)/config.json")))
        let answers = try JSONDecoder().decode([String].self, from: Data(contentsOf: URL(fileURLWithPath: "\(folder)/answers.json")))
        #expect(m.config == config)
        #expect(m.answers == answers)
        #expect(m.heads == [.qa, .vtm, .cl] && summary.heads == [.qa, .vtm, .cl])
        #expect(m.bpeMerges.count == 48894 && m.bpeMerges.first == "i n" && m.bpeMerges.last == "jeky ll</w>")

        let rows = expectedTensors(config, answerCount: answers.count)
        #expect(Set(m.tensors.keys) == Set(rows.map(\.name)))
        for row in rows { #expect(m.tensors[row.name]?.shape == row.shape, "\(row.name)") }

        var seen = Set<String>()
        for path in inputs {
            let onnx = try ONNXFile(path: path)
            for (i, t) in onnx.initializers.enumerated() {
                guard let v = m.tensors[t.name] else { Issue.record("\(t.name) of \(path) is not in the model file"); continue }
                #expect(v.shape == t.shape)
                #expect(Array(v.floatBuffer).map(\.bitPattern) == (try onnx.floats(i)).map(\.bitPattern), "\(t.name)")
                seen.insert(t.name)
            }
        }
        #expect(seen.count == m.tensors.count)
    }
}
