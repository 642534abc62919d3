import Foundation
import VideoDistill

/// SPEC 11's `videodistill.config` and `videodistill.answers`, from an override file or the inputs'
/// metadata (which must then agree across inputs).
enum ConvertMetadata {
    static let configKey = "videodistill.config"
    static let answersKey = "videodistill.answers"

    /// The config JSON text and where it came from: `path` when given, else the inputs' metadata.
    static func source(_ key: String, path: String?, inputs: [ONNXFile]) throws -> (text: String, origin: String)? {
        if let p = path { return (String(decoding: try readWholeFile(p), as: UTF8.self), p) }
        let found = inputs.compactMap { f in f.metadata(key).map { ($0, f.path) } }
        guard let first = found.first else { return nil }
        return (first.0, "\(key) of \(first.1)")
    }

    /// The config, validated, and the unknown keys it carried. Inputs that carry a config must agree.
    static func config(path: String?, inputs: [ONNXFile]) throws -> (ModelConfig, unknownKeys: [String]) {
        guard let (text, origin) = try source(configKey, path: path, inputs: inputs) else {
            throw ConvertError("no config: the inputs lack \(configKey) metadata; pass --config FILE")
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
    static func answers(path: String?, inputs: [ONNXFile]) throws -> [String] {
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
