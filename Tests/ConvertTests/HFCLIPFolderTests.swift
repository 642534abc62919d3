import Foundation
import Testing
@testable import VideoDistill
@testable import VideoDistillConvert
import _VDTestSupport

/// A Hugging Face folder's config and files, where they break what SPEC can compute or disagree with the rest:
/// each refused with a message that names the file and key. Folders are copies of Tests/Fixtures/hf_p32 with one
/// thing changed.
@Suite struct HFCLIPFolderTests {
    static let name = "hf_p32"

    /// hf_p32's folder copied into `dir`/hf, config.json edited by `edit` (a JSON object).
    func folder(_ dir: TempDir, _ edit: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        let hf = dir.file("hf")
        try FileManager.default.copyItem(atPath: fixturePath(Self.name, "hf"), toPath: hf)
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: hf + "/config.json"))) as! [String: Any]
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: hf + "/config.json"))
        return hf
    }

    func convertFolder(_ hf: String, _ dir: TempDir, config: String? = fixturePath(name, "config.json")) throws {
        var o = ConvertOptions()
        o.configPath = config
        _ = try convert(inputs: [hf, fixturePath(Self.name, "videodistill.safetensors")], output: dir.file("m.gguf"), options: o)
    }

    static func set(_ side: String, _ key: String, _ value: Any) -> (inout [String: Any]) -> Void {
        { c in var d = c[side] as! [String: Any]; d[key] = value; c[side] = d }
    }

    @Test func refusesWhatSPECCannotCompute() throws {
        try #require(fixtureExists(Self.name, "hf", "config.json"), "fixture is not there yet")
        let cases: [((inout [String: Any]) -> Void, [String])] = [
            (Self.set("vision_config", "hidden_act", "gelu"), ["vision_config.hidden_act is \"gelu\"", "quick_gelu"]),
            (Self.set("text_config", "hidden_act", "gelu_new"), ["text_config.hidden_act is \"gelu_new\""]),
            (Self.set("vision_config", "intermediate_size", 100), ["vision_config.intermediate_size = 100 is not 4 x hidden_size = 160"]),
            (Self.set("text_config", "layer_norm_eps", 1e-6), ["text_config.layer_norm_eps differs"]),
            (Self.set("vision_config", "num_channels", 1), ["num_channels must be 3"]),
            (Self.set("text_config", "eos_token_id", 7), ["eos_token_id is not CLIP's 49407"]),
            (Self.set("text_config", "hidden_size", true), ["text_config.hidden_size is true, not an integer"]),
            (Self.set("vision_config", "patch_size", 32.5), ["vision_config.patch_size is 32.5, not an integer"]),
            ({ c in c["model_type"] = "siglip" }, ["model_type is \"siglip\"", "CLIP"]),
            ({ c in c["text_config"] = nil }, ["lacks text_config or vision_config"]),
            ({ c in c["projection_dim"] = nil }, ["config.projection_dim is missing"]),
            // A folder that is not what --config's model was trained with: the tensors disagree with the config.
            (Self.set("vision_config", "num_hidden_layers", 2), ["tensors disagree with the config", "resblocks.1"]),
        ]
        for (edit, fragments) in cases {
            let dir = TempDir()
            defer { dir.remove() }
            let hf = try folder(dir, edit)
            do {
                try convertFolder(hf, dir)
                Issue.record("no error; expected \(fragments)")
            } catch let e as ConvertError {
                for f in fragments { #expect(e.message.contains(f), "message: \(e.message)") }
            }
        }
    }

    @Test func refusesConfigsThatDisagreeOrLackKeys() throws {
        try #require(fixtureExists(Self.name, "hf", "config.json"), "fixture is not there yet")
        let dir = TempDir()
        defer { dir.remove() }
        let hf = try folder(dir)
        var rest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixturePath(Self.name, "config.json")))) as! [String: Any]
        rest["vision_width"] = 48
        let conflicting = dir.write("conflict.json", String(decoding: try JSONSerialization.data(withJSONObject: rest), as: UTF8.self))
        expectConvertError("conflict.json has vision_width = 48", "vision_config.hidden_size is 40") { try convertFolder(hf, dir, config: conflicting) }
        rest["vision_width"] = nil
        rest["ln_eps"] = nil
        let lacking = dir.write("lacking.json", String(decoding: try JSONSerialization.data(withJSONObject: rest), as: UTF8.self))
        expectConvertError("config lacks ln_eps", "--config gives the rest") { try convertFolder(hf, dir, config: lacking) }
        // Equal values given twice are fine (eps as a different but equal float spelling).
        rest["ln_eps"] = 1e-5
        rest["clip_ln_eps"] = 0.00002
        let same = dir.write("same.json", String(decoding: try JSONSerialization.data(withJSONObject: rest), as: UTF8.self))
        try convertFolder(hf, dir, config: same)
        // mean/std come from preprocessor_config.json; without it they must come from --config.
        try FileManager.default.removeItem(atPath: hf + "/preprocessor_config.json")
        expectConvertError("config lacks mean, std") { try convertFolder(hf, dir) }
        _ = dir.write("hf/preprocessor_config.json", "{\"image_mean\": [0.5, 0.5], \"image_std\": [1, 1, 1]}")
        expectConvertError("image_mean is [0.5, 0.5], not 3 numbers") { try convertFolder(hf, dir) }
        _ = dir.write("hf/preprocessor_config.json", "{\"do_normalize\": false}")
        expectConvertError("do_normalize is false") { try convertFolder(hf, dir) }
    }

    @Test func refusesFoldersWithoutSafetensorsOrWithAnotherTokenizer() throws {
        try #require(fixtureExists(Self.name, "hf", "config.json"), "fixture is not there yet")
        let dir = TempDir()
        defer { dir.remove() }
        let hf = try folder(dir)
        // merges.txt as HF writes it: a version line, then CLIP's merges; one changed merge is refused.
        let merges = try BPEMergesFile.embeddedMerges(count: 48894)
        _ = dir.write("hf/merges.txt", "#version: 0.2\n" + merges.joined(separator: "\n") + "\n")
        try convertFolder(hf, dir)
        var other = merges
        other[7] = "x y"
        _ = dir.write("hf/merges.txt", "#version: 0.2\n" + other.joined(separator: "\n") + "\n")
        expectConvertError("merges.txt differs from CLIP's BPE (SPEC 2.3) at merge 7: \"x y\"") { try convertFolder(hf, dir) }
        _ = dir.write("hf/merges.txt", "#version: 0.2\na b\n")
        expectConvertError("merges.txt holds 2 merges") { try convertFolder(hf, dir) }
        try FileManager.default.removeItem(atPath: hf + "/merges.txt")

        try FileManager.default.moveItem(atPath: hf + "/model.safetensors", toPath: hf + "/shard-1.safetensors")
        _ = dir.write("hf/pytorch_model.bin", [0])
        expectConvertError("has no model.safetensors", "pytorch_model.bin", "not pickles") { try convertFolder(hf, dir) }
        // Shards through the index: the same model; a name outside the folder is refused.
        _ = dir.write("hf/model.safetensors.index.json", "{\"weight_map\": {\"logit_scale\": \"shard-1.safetensors\"}}")
        try convertFolder(hf, dir)
        _ = dir.write("hf/model.safetensors.index.json", "{\"weight_map\": {\"logit_scale\": \"../shard-1.safetensors\"}}")
        expectConvertError("names \"../shard-1.safetensors\", not a file in the folder") { try convertFolder(hf, dir) }
        _ = dir.write("hf/model.safetensors.index.json", "{\"weight_map\": 3}")
        expectConvertError("has no weight_map") { try convertFolder(hf, dir) }
        try FileManager.default.removeItem(atPath: hf + "/config.json")
        expectConvertError("has no config.json") { try convertFolder(hf, dir) }
    }
}
