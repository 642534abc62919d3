import Foundation

/// A Hugging Face CLIP folder (what `CLIPModel.save_pretrained` writes, e.g. openai/clip-vit-base-patch16):
/// `config.json` (`text_config`, `vision_config`, `projection_dim`), `model.safetensors` (or shards listed by
/// `model.safetensors.index.json`), optionally `preprocessor_config.json` (`image_mean`, `image_std`) and the
/// tokenizer's `merges.txt`. Its tensors appear under `clip.` + their HF name, which `NameMapping` maps to SPEC 10;
/// its config gives the towers' part of SPEC 11's config (`towerConfig`).
final class HFCLIPFolder: ConvertInput {
    let path: String
    let inputTensors: [InputTensor]
    /// SPEC 11 config values the folder fixes (sizes, `clip_ln_eps`, and `mean`/`std` where the image processor
    /// gives them), with where each came from.
    let towerConfig: [(key: String, value: JSONValue, origin: String)]
    /// The tokenizer's merges (`merges.txt` without its version line), if the folder has one.
    let merges: [Substring]?
    /// (shard, tensor index) of each input tensor.
    private let places: [(SafetensorsFile, Int)]

    static let prefix = "clip."

    init(path: String) throws {
        self.path = path
        let configPath = path + "/config.json"
        guard let config = try Self.jsonObject(configPath) else {
            throw ConvertError("\(path) is a folder but has no config.json (a Hugging Face CLIP folder has one)")
        }
        towerConfig = try Self.towerConfig(config, origin: configPath)
            + (Self.jsonObject(path + "/preprocessor_config.json").map {
                try Self.normalisation($0, origin: path + "/preprocessor_config.json") } ?? [])
        var places: [(SafetensorsFile, Int)] = []
        var tensors: [InputTensor] = []
        for shard in try Self.shardFiles(path) {
            let f = try SafetensorsFile(path: path + "/" + shard)
            for (i, t) in f.tensors.enumerated() {
                places.append((f, i))
                tensors.append(InputTensor(name: Self.prefix + t.name, shape: t.shape, count: t.count, typeProblem: nil))
            }
        }
        self.places = places
        inputTensors = tensors
        merges = try FileManager.default.fileExists(atPath: path + "/merges.txt")
            ? Self.mergeLines(readWholeFile(path + "/merges.txt")) : nil
    }

    func metadata(_ key: String) -> String? { nil }

    func floats(_ index: Int) throws -> [Float] {
        guard places.indices.contains(index) else { throw ConvertError("\(path): no tensor #\(index)") }
        return try places[index].0.floats(places[index].1)
    }

    /// `model.safetensors`, or the shard files `model.safetensors.index.json` names (plain names in the folder).
    static func shardFiles(_ path: String) throws -> [String] {
        let fm = FileManager.default
        if fm.fileExists(atPath: path + "/model.safetensors") { return ["model.safetensors"] }
        let indexPath = path + "/model.safetensors.index.json"
        if let index = try jsonObject(indexPath) {
            guard let map = index["weight_map"]?.object, !map.isEmpty, map.values.allSatisfy({ $0.string != nil }) else {
                throw ConvertError("\(indexPath) has no weight_map of tensor names to files")
            }
            let files = Set(map.values.compactMap(\.string)).sorted()
            for f in files where f.isEmpty || f.contains("/") || f == "." || f == ".." {
                throw ConvertError("\(indexPath) names \"\(f)\", not a file in the folder")
            }
            return files
        }
        let held = (try? fm.contentsOfDirectory(atPath: path))?.filter { $0.hasSuffix(".bin") || $0.hasSuffix(".pt") } ?? []
        throw ConvertError("\(path) has no model.safetensors" + (held.isEmpty ? "" :
            " (it holds \(held.sorted().joined(separator: ", ")); this converter reads safetensors, not pickles)"))
    }

    /// SPEC 11 config values from a CLIPModel config.json; refuses what SPEC 2 cannot compute.
    static func towerConfig(_ c: JSONValue, origin: String) throws -> [(key: String, value: JSONValue, origin: String)] {
        if let type = c["model_type"], type.string != "clip" {
            throw ConvertError("\(origin): model_type is \(type); this converter reads CLIP (\"clip\") folders")
        }
        guard let vision = c["vision_config"], vision.object != nil, let text = c["text_config"], text.object != nil else {
            throw ConvertError("\(origin) lacks text_config or vision_config: a CLIPModel folder holds both towers")
        }
        func int(_ d: JSONValue, _ side: String, _ key: String) throws -> Int {
            guard let i = d[key]?.int else {
                throw ConvertError("\(origin): \(side).\(key) is \(d[key].map { "\($0)" } ?? "missing"), not an integer")
            }
            return i
        }
        func number(_ d: JSONValue, _ side: String, _ key: String) throws -> Double {
            guard let v = d[key]?.number else {
                throw ConvertError("\(origin): \(side).\(key) is \(d[key].map { "\($0)" } ?? "missing"), not a number")
            }
            return v
        }
        // SPEC 2: QuickGELU MLPs of width 4 x the tower's, RGB input, one LayerNorm eps for both towers.
        for (side, d) in [("vision_config", vision), ("text_config", text)] {
            let act = d["hidden_act"]?.string
            guard act == "quick_gelu" else {
                throw ConvertError("\(origin): \(side).hidden_act is \(act.map { "\"\($0)\"" } ?? "missing"); "
                                   + "SPEC 2 computes CLIP's QuickGELU (\"quick_gelu\") only")
            }
            let (width, mlp) = (try int(d, side, "hidden_size"), try int(d, side, "intermediate_size"))
            guard mlp == 4 * width else {
                throw ConvertError("\(origin): \(side).intermediate_size = \(mlp) is not 4 x hidden_size = \(4 * width), "
                                   + "which SPEC 2 fixes")
            }
        }
        if vision["num_channels"] != nil, try int(vision, "vision_config", "num_channels") != 3 {
            throw ConvertError("\(origin): vision_config.num_channels must be 3 (RGB)")
        }
        let eps = try number(vision, "vision_config", "layer_norm_eps")
        guard try number(text, "text_config", "layer_norm_eps") == eps else {
            throw ConvertError("\(origin): text_config.layer_norm_eps differs from vision_config's; SPEC 2 has one clip_ln_eps")
        }
        // SPEC 2.2 takes the row at the first EOT (49407); HF pools at the first eos_token_id, or (legacy value 2)
        // at the largest id, which is the first EOT of SPEC 2.3's ids too.
        if text["eos_token_id"] != nil, ![2, 49407].contains(try int(text, "text_config", "eos_token_id")) {
            throw ConvertError("\(origin): text_config.eos_token_id is not CLIP's 49407; SPEC 2.2 pools at the first 49407")
        }
        let projection = try int(c, "config", "projection_dim")
        let out: [(String, JSONValue, String)] = try [
            ("image_size", .int(int(vision, "vision_config", "image_size")), "vision_config.image_size"),
            ("patch_size", .int(int(vision, "vision_config", "patch_size")), "vision_config.patch_size"),
            ("vision_width", .int(int(vision, "vision_config", "hidden_size")), "vision_config.hidden_size"),
            ("vision_layers", .int(int(vision, "vision_config", "num_hidden_layers")), "vision_config.num_hidden_layers"),
            ("vision_heads", .int(int(vision, "vision_config", "num_attention_heads")), "vision_config.num_attention_heads"),
            ("text_width", .int(int(text, "text_config", "hidden_size")), "text_config.hidden_size"),
            ("text_layers", .int(int(text, "text_config", "num_hidden_layers")), "text_config.num_hidden_layers"),
            ("text_heads", .int(int(text, "text_config", "num_attention_heads")), "text_config.num_attention_heads"),
            ("vocab_size", .int(int(text, "text_config", "vocab_size")), "text_config.vocab_size"),
            ("context_length", .int(int(text, "text_config", "max_position_embeddings")), "text_config.max_position_embeddings"),
            ("text_embed_dim", .int(projection), "projection_dim"),
            ("clip_ln_eps", .number(eps), "vision_config.layer_norm_eps"),
        ]
        return out.map { ($0.0, $0.1, "\(origin) \($0.2)") }
    }

    /// `mean` and `std` from a CLIPImageProcessor's preprocessor_config.json (SPEC 1.1 step 3 is its
    /// rescale by 1/255 and normalisation; a processor that skips either is refused).
    static func normalisation(_ p: JSONValue, origin: String) throws -> [(key: String, value: JSONValue, origin: String)] {
        for key in ["do_rescale", "do_normalize"] where p[key]?.bool == false {
            throw ConvertError("\(origin): \(key) is false; SPEC 1.1 always rescales by 1/255 and normalises")
        }
        var out: [(String, JSONValue, String)] = []
        for (key, ours) in [("image_mean", "mean"), ("image_std", "std")] {
            guard let v = p[key] else { continue }
            guard let list = v.array, list.count == 3, list.allSatisfy({ $0.number != nil }) else {
                throw ConvertError("\(origin): \(key) is \(v), not 3 numbers")
            }
            out.append((ours, v, "\(origin) \(key)"))
        }
        return out
    }

    /// merges.txt: a "#version" line, then one merge per line.
    static func mergeLines(_ bytes: [UInt8]) throws -> [Substring] {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ConvertError("merges.txt is not UTF-8") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.first?.hasPrefix("#version") == true { lines.removeFirst() }
        return lines
    }

    /// The JSON object in `path`, nil when there is no such file.
    static func jsonObject(_ path: String) throws -> JSONValue? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let o = JSONValue.parse(try readWholeFile(path)), o.object != nil else {
            throw ConvertError("\(path) is not a JSON object")
        }
        return o
    }
}
