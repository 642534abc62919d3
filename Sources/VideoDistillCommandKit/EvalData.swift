import Foundation

/// One question of an evaluation file.
public struct EvalQuestion: Sendable {
    /// 1-based line in the file.
    public let line: Int
    /// The video's path as written, and resolved (relative paths are relative to the file's folder).
    public let videoField: String, video: String
    public let question: String
    /// The expected answer, compared as an exact string with the model's top answer.
    public let answer: String
    public let category: String
}

/// Evaluation data in JSON Lines: one object per line with the strings `video` (a path, relative to the
/// file's folder unless absolute), `question`, `answer` and `category`; other keys are ignored, blank lines
/// skipped. A file that is missing exits 3; one that is not UTF-8, a line that is not such an object, or a
/// file without questions exits 6 (bad question file), naming the line.
public enum EvalData {
    private struct Row: Decodable {
        let video: String, question: String, answer: String, category: String
    }

    public static func load(path: String) throws -> [EvalQuestion] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(.missingFile, "data: cannot read \(path)")
        }
        let bytes = [UInt8](data)
        _ = try QuestionText.decode(bytes, what: "the data file \(path)")
        let folder = (path as NSString).deletingLastPathComponent
        var questions: [EvalQuestion] = []
        // Lines end at LF (a CR before it is JSON whitespace); U+2028 and the like may sit inside strings.
        for (i, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) else { continue }
            let row: Row
            do {
                row = try JSONDecoder().decode(Row.self, from: Data(line))
            } catch {
                throw CommandFailure(.badQuestion, "\(path) line \(i + 1): \(reason(error))")
            }
            guard !row.video.isEmpty else { throw CommandFailure(.badQuestion, "\(path) line \(i + 1): empty \"video\"") }
            let resolved = row.video.hasPrefix("/") ? row.video : (folder as NSString).appendingPathComponent(row.video)
            questions.append(EvalQuestion(line: i + 1, videoField: row.video, video: (resolved as NSString).standardizingPath,
                                          question: row.question, answer: row.answer, category: row.category))
        }
        guard !questions.isEmpty else { throw CommandFailure(.badQuestion, "\(path) has no questions") }
        return questions
    }

    /// A short reason for a line that does not decode.
    private static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "no \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let c) where c.codingPath.isEmpty: return "not a JSON object"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "\"\(c.codingPath.map(\.stringValue).joined(separator: "."))\" is not a string"
        case DecodingError.dataCorrupted: return "not a JSON object"
        default: return "\(error)"
        }
    }
}
