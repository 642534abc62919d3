import Foundation
import VideoDistill

/// `videodistill eval`: accuracy per category and overall, one column per mode plus the majority baseline.
///
/// Accuracy is top-1: the model's answer string equals the data's `answer`. A data answer that is not among
/// the model's answers cannot be given, so it counts as wrong (and is counted in `unknown_answers`).
/// `majority`: in each category, the answer most frequent among that category's questions of the data file
/// (ties: the one met first), given to every question of the category; its overall row adds the categories up.
public struct EvalReport: Encodable {
    /// One row of the table.
    public struct Row: Encodable {
        public let category: String
        public let count: Int
        /// Right answers, and their fraction of `count`, per column.
        public let correct: [String: Int]
        public let accuracy: [String: Double]
        /// Questions whose data answer is not among the model's answers.
        public let unknownAnswers: Int
        enum CodingKeys: String, CodingKey { case category, count, correct, accuracy, unknownAnswers = "unknown_answers" }
    }

    /// One question's outcome.
    public struct Outcome: Encodable {
        public let line: Int
        public let video: String
        public let question: String
        public let category: String
        public let answer: String
        /// Per column: the answer given (null: NaN logits), whether it is right, and (model columns) its
        /// softmax probability.
        public let predicted: [String: String?]
        public let correct: [String: Bool]
        public let probability: [String: Double]
        /// Per model column: the K source frames the answer came from, in slot order.
        public let selectedFrames: [String: [Int]]
        enum CodingKeys: String, CodingKey {
            case line, video, question, category, answer, predicted, correct, probability, selectedFrames = "selected_frames"
        }
    }

    public let model: String
    public let data: String
    /// Column names: the modes run ("videodistill", "uniform", "blind"), then "majority".
    public let columns: [String]
    public let categories: [Row]
    public let overall: Row
    public let majorityAnswers: [String: String]
    /// Distinct data answers the model cannot give, sorted.
    public let unknownAnswerList: [String]
    public let questionCount: Int
    public let videoCount: Int
    /// The uniform mode's sampled frames, and the blind video (absent when the mode did not run).
    public let uniformSelection: [Int]?
    public let blindVideo: String?
    public let seconds: Double
    public let questions: [Outcome]

    enum CodingKeys: String, CodingKey {
        case model, data, columns, categories, overall, majorityAnswers = "majority_answers"
        case unknownAnswerList = "unknown_answer_list", questionCount = "question_count", videoCount = "video_count"
        case uniformSelection = "uniform_selection", blindVideo = "blind_video", seconds, questions
    }

    public init(model: String, data: String, evaluation e: Evaluation, answers: [String], imageSize S: Int, seconds: Double) {
        let qs = e.questions
        var majority: [String: String] = [:]
        for category in Set(qs.map(\.category)) {
            var counts: [String: Int] = [:], first: [String] = []
            for q in qs where q.category == category {
                if counts[q.answer] == nil { first.append(q.answer) }
                counts[q.answer, default: 0] += 1
            }
            majority[category] = first.max { counts[$0]! < counts[$1]! }   // max(by:) keeps the first of equals
        }
        let known = Set(answers)
        let columns = e.modes.map(\.rawValue) + ["majority"]
        let outcomes = qs.indices.map { i in
            let q = qs[i]
            var predicted: [String: String?] = [:], correct: [String: Bool] = [:], probability: [String: Double] = [:]
            var selected: [String: [Int]] = [:]
            for mode in e.modes {
                let p = e.predictions[mode]?[i]
                predicted[mode.rawValue] = .some(p?.answer)
                correct[mode.rawValue] = p?.answer == q.answer
                probability[mode.rawValue] = p?.probability
                selected[mode.rawValue] = p?.selectedFrames
            }
            predicted["majority"] = majority[q.category]
            correct["majority"] = majority[q.category] == q.answer
            return Outcome(line: q.line, video: q.videoField, question: q.question, category: q.category, answer: q.answer,
                           predicted: predicted, correct: correct, probability: probability, selectedFrames: selected)
        }
        func row(_ name: String, _ members: [Int]) -> Row {
            var right: [String: Int] = [:], accuracy: [String: Double] = [:]
            for c in columns {
                right[c] = members.filter { outcomes[$0].correct[c]! }.count
                accuracy[c] = members.isEmpty ? 0 : Double(right[c]!) / Double(members.count)
            }
            return Row(category: name, count: members.count, correct: right, accuracy: accuracy,
                       unknownAnswers: members.filter { !known.contains(qs[$0].answer) }.count)
        }
        (self.columns, questions) = (columns, outcomes)
        categories = Set(qs.map(\.category)).sorted().map { c in row(c, qs.indices.filter { qs[$0].category == c }) }
        overall = row("overall", Array(qs.indices))
        majorityAnswers = majority
        unknownAnswerList = Set(qs.map(\.answer)).subtracting(known).sorted()
        (self.model, self.data, questionCount, videoCount) = (model, data, qs.count, e.videoCount)
        uniformSelection = e.modes.contains(.uniform) ? e.uniformSelection : nil
        blindVideo = e.modes.contains(.blind)
            ? "one \(S) x \(S) frame, every channel \(Evaluation.blindGrey) (mid-grey), as the whole video" : nil
        self.seconds = seconds
    }

    /// The table and notes for a terminal.
    public var text: String {
        let name = max("category".count, ("overall" as String).count, categories.map(\.category.count).max() ?? 0)
        let widths = columns.map { max($0.count, 6) }
        func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, w - s.count))
            return left ? s + fill : fill + s
        }
        var lines = [pad("category", name, left: true) + "  " + pad("count", 6)
            + zip(columns, widths).map { "  " + pad($0, $1) }.joined()]
        for r in categories + [overall] {
            lines.append(pad(r.category, name, left: true) + "  " + pad(String(r.count), 6)
                + zip(columns, widths).map { "  " + pad(String(format: "%.1f%%", 100 * r.accuracy[$0]!), $1) }.joined())
        }
        lines.append("")
        lines.append("\(questionCount) questions, \(videoCount) video\(videoCount == 1 ? "" : "s"), \(String(format: "%.1f", seconds)) s")
        lines.append("majority: the most frequent answer of each category in the data: "
            + majorityAnswers.keys.sorted().map { "\($0) = \(majorityAnswers[$0]!)" }.joined(separator: ", "))
        if let u = uniformSelection {
            lines.append("uniform: sampled frames \(u.map(String.init).joined(separator: " ")) instead of the learned selection")
        }
        if let b = blindVideo { lines.append("blind: \(b)") }
        if overall.unknownAnswers > 0 {
            lines.append("answers the model cannot give (counted wrong): \(overall.unknownAnswers) questions; "
                + unknownAnswerList.prefix(10).joined(separator: ", ") + (unknownAnswerList.count > 10 ? ", ..." : ""))
        }
        return lines.joined(separator: "\n")
    }
}
