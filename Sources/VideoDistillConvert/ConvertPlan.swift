import VideoDistill

/// One tensor in one input (an ONNX initializer, a safetensors tensor).
struct Source {
    let file: ConvertInput
    let index: Int
    let info: InputTensor
    var label: String { "\(info.name) \(info.shape) in \(file.path)" }
}

/// One model-file tensor: its SPEC row and the initializers that make it.
struct PlannedTensor {
    let row: ExpectedTensor
    /// One `.whole` or `.transposed` source, or the three `.part`s in q, k, v order.
    let sources: [(Destination, Source)]
}

/// What the inputs hold, checked against SPEC 10 for the config, before any data is read in bulk.
struct ConvertPlan {
    let tensors: [PlannedTensor]
    let heads: Set<Head>
    /// Initializers dropped as SPEC 10 allows.
    let ignored: [String]

    /// ONNX data types the reader converts to float32.
    static let floatTypes: Set<Int32> = [1, 10, 11, 16]

    init(inputs: [ConvertInput], config: ModelConfig, answers: [String]) throws {
        let sources = try Self.mergeByName(inputs)
        var ignored: [String] = []
        var byTarget: [String: [(Destination, Source)]] = [:]
        for s in sources {
            if NameMapping.isIgnored(s.info.name) { ignored.append(s.info.name); continue }
            if let problem = s.info.typeProblem { throw ConvertError("\(s.label) \(problem)") }
            let d = NameMapping.destination(of: s.info.name)
            byTarget[d.target, default: []].append((d, s))
        }
        // Before the table is built: its size follows the config's layer counts (metadata or --config).
        if let refusal = tableSizeRefusal(config, tensorsHeld: byTarget.count, holder: "the inputs", verb: "hold") {
            throw ConvertError(refusal)
        }
        let expected = expectedTensors(config, answerCount: answers.count)
        let known = Set(expected.map(\.name))
        let unknown = byTarget.filter { !known.contains($0.key) }.flatMap { $0.value.map { $0.1.label } }.sorted()
        guard unknown.isEmpty else {
            throw ConvertError("initializers SPEC 10 does not name: \(unknown.joined(separator: "; "))")
        }

        var heads = Set<Head>()
        for head in Head.allCases {
            let names = expected.filter { $0.head == head }.map(\.name)
            let present = names.filter { byTarget[$0] != nil }
            if present.count == names.count { heads.insert(head) } else if !present.isEmpty {
                let missing = names.filter { byTarget[$0] == nil }
                throw ConvertError("head \(head.rawValue) is incomplete: missing \(missing.joined(separator: ", "))")
            }
        }
        if heads.contains(.qa) && answers.isEmpty {
            throw ConvertError("the QA head is present but no answers are given (videodistill.answers or --answers)")
        }
        if !heads.contains(.qa) && !answers.isEmpty {
            throw ConvertError("answers are given but the QA head (heads.qa.*) is not in the inputs")
        }

        var tensors: [PlannedTensor] = []
        var problems: [String] = []
        for row in expected where row.head == nil || heads.contains(row.head!) {
            guard let given = byTarget[row.name] else { problems.append("\(row.name) \(row.shape) is missing"); continue }
            let (ordered, shape) = try Self.assemble(row.name, given)
            if shape != row.shape {
                problems.append("\(row.name) is \(shape) (from \(ordered.map { $0.1.label }.joined(separator: ", "))), "
                                + "the config needs \(row.shape)")
            }
            tensors.append(PlannedTensor(row: row, sources: ordered))
        }
        guard problems.isEmpty else {
            throw ConvertError("tensors disagree with the config: " + problems.joined(separator: "; "))
        }
        self.tensors = tensors
        self.heads = heads
        self.ignored = ignored.sorted()
    }

    /// All initializers of all inputs; a name in several inputs must carry identical data there.
    static func mergeByName(_ inputs: [ConvertInput]) throws -> [Source] {
        var first: [String: Source] = [:]
        var order: [Source] = []
        for f in inputs {
            for (i, t) in f.inputTensors.enumerated() {
                let s = Source(file: f, index: i, info: t)
                guard let earlier = first[s.info.name] else { first[s.info.name] = s; order.append(s); continue }
                let same = try earlier.info.shape == s.info.shape
                    && earlier.file.floats(earlier.index).map(\.bitPattern) == f.floats(i).map(\.bitPattern)
                guard same else { throw ConvertError("\(s.info.name) differs between \(earlier.file.path) and \(f.path)") }
            }
        }
        return order
    }

    /// The sources of one target in concatenation order and the shape they make.
    static func assemble(_ name: String, _ given: [(Destination, Source)]) throws -> ([(Destination, Source)], [Int]) {
        let labels = given.map { $0.1.label }.joined(separator: ", ")
        if given.count == 1, case .whole = given[0].0 { return (given, given[0].1.info.shape) }
        if given.count == 1, case .transposed = given[0].0 {
            let s = given[0].1.info.shape
            guard s.count == 2 else { throw ConvertError("\(labels) is not 2-D, so it cannot be transposed into \(name)") }
            return (given, [s[1], s[0]])
        }
        let parts = given.compactMap { d, s -> (Int, (Destination, Source))? in
            if case .part(_, let i) = d { return (i, (d, s)) } else { return nil }
        }.sorted { $0.0 < $1.0 }
        guard parts.count == given.count, parts.map(\.0) == [0, 1, 2] else {
            throw ConvertError("\(name) is given more than once or lacks a q/k/v part: \(labels)")
        }
        let shape = parts[0].1.1.info.shape
        guard !shape.isEmpty, parts.allSatisfy({ $0.1.1.info.shape == shape }) else {
            throw ConvertError("the q, k, v parts of \(name) have different shapes: \(labels)")
        }
        let (rows, overflow) = shape[0].multipliedReportingOverflow(by: 3)
        guard !overflow else { throw ConvertError("the q, k, v parts of \(name) are too large: \(labels)") }
        return (parts.map(\.1), [rows] + shape.dropFirst())
    }

    /// The tensor's float32 values in PyTorch order.
    static func values(_ t: PlannedTensor) throws -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(t.row.shape.reduce(1, *))
        for (d, s) in t.sources {
            let v = try s.file.floats(s.index)
            if case .transposed = d {
                let (rows, cols) = (s.info.shape[0], s.info.shape[1])
                for c in 0..<cols { for r in 0..<rows { out.append(v[r * cols + c]) } }
            } else {
                out += v
            }
        }
        return out
    }
}
