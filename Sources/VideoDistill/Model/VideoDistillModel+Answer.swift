/// The question side (SPEC 2.2-7): text -> t_cls, then frame sampling, selection, refinement and heads.
extension VideoDistillModel {
    /// t_cls [Dt] of token ids (1...context_length ids, each < V, holding an EOT; padding after the first
    /// EOT does not matter).
    public func textEmbedding(tokenIds: [Int32], threads: Int) throws -> [Float] {
        try Self.checkThreads(threads)
        return try ComputeThreads.run(threads: threads) { try textEncoder.encode(tokenIds) }
    }

    /// Every output of one (video, question) (SPEC 8), with each head this model has.
    ///
    /// `selection`, when given, replaces SPEC 5's learned selection with these K frame indices (slot order,
    /// each in 0..<N): the ablations of the paper (e.g. `Selection.uniform`) — not VideoDistill itself.
    public func answer(_ video: EncodedVideo, tokenIds: [Int32], threads: Int,
                       selection: [Int]? = nil) throws -> AnswerOutputs {
        try Self.checkThreads(threads)
        try check(video)
        if let selection {
            guard selection.count == config.numSelected, selection.allSatisfy({ (0..<config.numFrames).contains($0) }) else {
                throw VideoDistillError.invalidArgument(
                    "a selection override needs K = \(config.numSelected) indices in 0..<\(config.numFrames)")
            }
        }
        _ = try textEncoder.eotPosition(tokenIds)
        return try ComputeThreads.run(threads: threads) {
            let tCls = try textEncoder.encode(tokenIds)
            let r = try video.withFrameTokens { frames in
                try tCls.withUnsafeBufferPointer { try samplingAndRefinement.run(frames: frames, tCls: $0.baseAddress!, selection: selection) }
            }
            return r.vStar.withUnsafeBufferPointer { v in
                tCls.withUnsafeBufferPointer { t in
                    AnswerOutputs(tCls: tCls, selectionLogits: r.selectionLogits, selected: r.selected, vStar: r.vStar,
                                  qaLogits: headLayers.qa?.logits(v.baseAddress!),
                                  vtmLogits: headLayers.vtmLogits(v.baseAddress!),
                                  clSim: headLayers.clSimilarity(v.baseAddress!, tCls: t.baseAddress!),
                                  fsGates: r.fsGates, vrGates: r.vrGates)
                }
            }
        }
    }

    /// `answer` with the question tokenized by SPEC 2.3.
    public func answer(_ video: EncodedVideo, question: String, threads: Int,
                       selection: [Int]? = nil) throws -> AnswerOutputs {
        try answer(video, tokenIds: tokenIds(question), threads: threads, selection: selection)
    }

    /// SPEC 7's VTM match score log_softmax(vtm_logits)[1] of the video with this text as the question.
    /// Throws `.missingHead` without a VTM head.
    public func matchScore(_ video: EncodedVideo, tokenIds: [Int32], threads: Int) throws -> Float {
        try require(.vtm)
        guard let score = try answer(video, tokenIds: tokenIds, threads: threads).matchScore else {
            throw VideoDistillError.missingHead("the model has no VTM head (heads.vtm)")
        }
        return score
    }

    /// `matchScore` of a text, tokenized by SPEC 2.3 (for multiple choice: `question + " " + candidate`).
    public func matchScore(_ video: EncodedVideo, text: String, threads: Int) throws -> Float {
        try matchScore(video, tokenIds: tokenIds(text), threads: threads)
    }

    /// SPEC 7's CL similarity of the video (v_star with this text as the question) and the text.
    /// Throws `.missingHead` without a CL head.
    public func similarity(_ video: EncodedVideo, tokenIds: [Int32], threads: Int) throws -> Float {
        try require(.cl)
        guard let sim = try answer(video, tokenIds: tokenIds, threads: threads).clSim else {
            throw VideoDistillError.missingHead("the model has no CL head (heads.cl_text_proj)")
        }
        return sim
    }

    /// `similarity` of a text, tokenized by SPEC 2.3.
    public func similarity(_ video: EncodedVideo, text: String, threads: Int) throws -> Float {
        try similarity(video, tokenIds: tokenIds(text), threads: threads)
    }

    /// Throws `.missingHead` unless the model has `head`.
    func require(_ head: Head) throws {
        guard heads.contains(head) else {
            throw VideoDistillError.missingHead("the model has no \(head.rawValue.uppercased()) head (\(head.prefix)*)")
        }
    }

    /// Throws unless `video` was made by this model and has its sizes.
    func check(_ video: EncodedVideo) throws {
        guard video.modelIdentity == identity else {
            throw VideoDistillError.invalidArgument("the video was encoded by another model (identity \(video.modelIdentity), this model is \(identity))")
        }
        let c = config
        var sized = video.frameCount == c.numFrames && video.tokensPerFrame == c.tokensPerFrame && video.width == c.visionWidth
        if case .memory(let tokens) = video.storage { sized = sized && tokens.floats.count == c.numFrames * c.tokensPerFrame * c.visionWidth }
        guard sized else {
            throw VideoDistillError.invalidArgument("the video's tokens do not have this model's sizes [N, 1+P, Dv]")
        }
    }
}
