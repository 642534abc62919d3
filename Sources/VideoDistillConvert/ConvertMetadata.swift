import Foundation
import VideoDistill

/// SPEC 11's `videodistill.config` and `videodistill.answers`, from an override file or the inputs'
/// metadata (which must then agree across inputs).
enum ConvertMetadata {
    static let configKey = "videodistill.config"
    static let answersKey = "videodistill.answers"

    /// The config JSON text and where it came from: `path` when given, else the inputs' metadata.
    static func source(_ key: String, path: String?, inputs: [ConvertInput]) throws -> (text: String, origin: String)? {
        if let p = path { return (String(decoding: try readWholeFile(p), as: UTF8.self), p) }
        let found = inputs.compactMap { f in f.metadata(key).map { ($0, f.path) } }
        guard let first = found.first else { return nil }
        return (first.0, "\(key) of \(first.1)")
    }

    /// The config, validated, and the unknown keys it carried. Inputs that carry a config must agree.
    static func config(path: String?, inputs: [ConvertInput]) throws -> (ModelConfig, unknownKeys: [String]) {
        let folders = inputs.compactMap { $0 as? HFCLIPFolder }
        guard folders.count <= 1 else {
            throw ConvertError("\(folders.map(\.path).joined(separator: " and ")) are two Hugging Face folders; give one")
        }
        let given = try source(configKey, path: path, inputs: inputs)
        let text: String, origin: String
        if let folder = folders.first {
            (text, origin) = try withTowers(given, folder)
        } else {
            guard let given else { throw ConvertError("no config: the inputs lack \(configKey) metadata; pass --config FILE") }
            (text, origin) = given
        }
        let (config, unknown) = try parseConfig(text, origin: origin)
        if path == nil {
            for f in inputs {
                guard let other = f.metadata(configKey) else { continue }
                guard try parseConfig(other, origin: f.path).0 == config else {
                    throw ConvertError("\(f.path) carries a different \(configKey) than \(origin)")
                }
            }
        }
        return (config, unknown)
    }

    /// The config `given` (possibly partial, or none) completed with the towers' values of a Hugging Face folder;
    /// a key both give must agree.
    static func withTowers(_ given: (text: String, origin: String)?, _ folder: HFCLIPFolder) throws -> (String, String) {
        var merged: [String: JSONValue] = [:]
        if let given {
            guard let o = JSONValue.parse(Array(given.text.utf8))?.object else {
                throw ConvertError("\(given.origin): config is not a JSON object")
            }
            merged = o
        }
        for (key, value, origin) in folder.towerConfig {
            guard let other = merged[key] else { merged[key] = value; continue }
            guard sameConfigValue(other, value) else {
                throw ConvertError("\(given!.origin) has \(key) = \(other) but \(origin) is \(value)")
            }
        }
        let origin = (given.map { "\($0.origin) with " } ?? "") + "the towers of \(folder.path) "
            + "(the folder gives the towers' sizes, clip_ln_eps and, where its image processor has them, mean and std; "
            + "--config gives the rest)"
        return (JSONValue.object(merged).jsonText, origin)
    }

    /// Equal as the model file stores them: integers exactly, numbers as Float.
    static func sameConfigValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.int, let y = b.int { return x == y }
        if let x = a.number, let y = b.number, a.int == nil || b.int == nil { return Float(x) == Float(y) }
        if let x = a.array, let y = b.array { return x.count == y.count && zip(x, y).allSatisfy(sameConfigValue) }
        return a == b
    }

    static func parseConfig(_ text: String, origin: String) throws -> (ModelConfig, [String]) {
        let data = Data(text.utf8)
        guard let object = try? JSONSerialization.jsonObject(with: data), let dict = object as? [String: Any] else {
            throw ConvertError("\(origin): config is not a JSON object")
        }
        let missing = ModelConfig.keys.filter { dict[$0] == nil }
        guard missing.isEmpty else { throw ConvertError("\(origin): config lacks \(missing.joined(separator: ", "))") }
        let config: ModelConfig
        do {
            config = try JSONDecoder().decode(ModelConfig.self, from: data)
        } catch {
            throw ConvertError("\(origin): config does not decode: \(error)")
        }
        do { try config.validate() } catch { throw ConvertError("\(origin): \(error)") }
        return (config, dict.keys.filter { !ModelConfig.keys.contains($0) }.sorted())
    }

    /// The answers (empty when nobody gives any): non-empty, distinct strings.
    static func answers(path: String?, inputs: [ConvertInput]) throws -> [String] {
        guard let (text, origin) = try source(answersKey, path: path, inputs: inputs) else { return [] }
        let answers = try parseAnswers(text, origin: origin)
        if path == nil {
            for f in inputs {
                guard let other = f.metadata(answersKey) else { continue }
                guard try parseAnswers(other, origin: f.path) == answers else {
                    throw ConvertError("\(f.path) carries different \(answersKey) than \(origin)")
                }
            }
        }
        return answers
    }

    static func parseAnswers(_ text: String, origin: String) throws -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)), let list = object as? [Any],
              let answers = list as? [String], answers.count == list.count else {
            throw ConvertError("\(origin): answers are not a JSON array of strings")
        }
        guard !answers.isEmpty else { throw ConvertError("\(origin): the answer list is empty") }
        var seen = Set<String>()
        for (i, a) in answers.enumerated() {
            guard !a.isEmpty else { throw ConvertError("\(origin): answer #\(i) is empty") }
            guard seen.insert(a).inserted else { throw ConvertError("\(origin): answer \"\(a)\" appears twice") }
        }
        return answers
    }
}
