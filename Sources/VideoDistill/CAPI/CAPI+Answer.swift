import CVideoDistillAPI
import Foundation

// Questions: answer, match, choose, similarity, tokenize (include/videodistill.h, "Questions").

/// Checked answer params: thread count, top-k (clamped to A) and the optional selection override.
private func answerOptions(_ params: UnsafePointer<vd_answer_params>?, _ config: ModelConfig,
                           answers: Int) throws -> (threads: Int, topK: Int, selection: [Int]?) {
    let p = params?.pointee ?? vd_answer_default_params()
    let threads = try threadCount(p.n_threads)
    guard p.top_k >= 1 else { throw CAPIError.argument("top_k = \(p.top_k) must be >= 1") }
    var selection: [Int]? = nil
    if let s = p.selection {
        selection = (0..<config.numSelected).map { Int(s[$0]) }  // K entries; the core checks their range
    }
    return (threads, min(Int(p.top_k), answers), selection)
}

/// Resolves the (model, video) pair of a question call, checking they belong together.
func pair(_ model: OpaquePointer?, _ video: OpaquePointer?) throws -> (ModelHandle, VideoHandle) {
    let m = try Handles.resolve(model, as: ModelHandle.self, "model")
    let v = try Handles.resolve(video, as: VideoHandle.self, "video")
    try v.check(belongsTo: m)
    return (m, v)
}

@_cdecl("vd_answer")
public func vd_answer(_ model: OpaquePointer?, _ video: OpaquePointer?, _ question: UnsafePointer<CChar>?,
                      _ params: UnsafePointer<vd_answer_params>?,
                      _ out: UnsafeMutablePointer<OpaquePointer?>?) -> vd_status {
    capiCall("vd_answer") { try runQuestion(model, video, question, params, out, needsQA: true) }
}

@_cdecl("vd_explain")
public func vd_explain(_ model: OpaquePointer?, _ video: OpaquePointer?, _ text: UnsafePointer<CChar>?,
                       _ params: UnsafePointer<vd_answer_params>?,
                       _ out: UnsafeMutablePointer<OpaquePointer?>?) -> vd_status {
    capiCall("vd_explain") { try runQuestion(model, video, text, params, out, needsQA: false) }
}

/// vd_answer and vd_explain: one (video, text) through the model, every output kept in a result.
private func runQuestion(_ model: OpaquePointer?, _ video: OpaquePointer?, _ text: UnsafePointer<CChar>?,
                      _ params: UnsafePointer<vd_answer_params>?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                      needsQA: Bool) throws {
    guard let out else { throw CAPIError.null("out_result") }
    out.pointee = nil
    let (m, v) = try pair(model, video)
    if needsQA { try m.requireHead(.qa) }
    let options = try answerOptions(params, m.file.config, answers: m.file.answers.count)
    let ids = try m.tokenIds(text, needsQA ? "question" : "text")
    let outputs = try m.model.answer(v.video, tokenIds: ids, threads: options.threads, selection: options.selection)
    out.pointee = Handles.retain(ResultHandle(owner: m, video: v.video, outputs: outputs, topK: options.topK))
}

@_cdecl("vd_result_match_score")
public func vd_result_match_score(_ r: OpaquePointer?) -> Float {
    result(r)?.matchScore ?? .nan
}

@_cdecl("vd_result_similarity")
public func vd_result_similarity(_ r: OpaquePointer?) -> Float {
    result(r)?.similarity ?? .nan
}

@_cdecl("vd_result_free")
public func vd_result_free(_ result: OpaquePointer?) {
    Handles.release(result)
}

private func result(_ r: OpaquePointer?) -> ResultHandle? {
    try? Handles.resolve(r, as: ResultHandle.self, "result")
}

@_cdecl("vd_result_top_k")
public func vd_result_top_k(_ r: OpaquePointer?) -> Int32 {
    Int32(result(r)?.topIndices.count ?? 0)
}

@_cdecl("vd_result_answer_index")
public func vd_result_answer_index(_ r: OpaquePointer?, _ rank: Int32) -> Int32 {
    guard let h = result(r), h.topIndices.indices.contains(Int(rank)) else { return -1 }
    return Int32(h.topIndices[Int(rank)])
}

@_cdecl("vd_result_answer_text")
public func vd_result_answer_text(_ r: OpaquePointer?, _ rank: Int32) -> UnsafePointer<CChar>? {
    guard let h = result(r), h.topIndices.indices.contains(Int(rank)) else { return nil }
    return h.owner.answers[h.topIndices[Int(rank)]]
}

@_cdecl("vd_result_answer_probability")
public func vd_result_answer_probability(_ r: OpaquePointer?, _ rank: Int32) -> Float {
    guard let h = result(r), h.topProbabilities.indices.contains(Int(rank)) else { return .nan }
    return h.topProbabilities[Int(rank)]
}

/// Writes `values` to the optional out-pointers and returns an array's pointer (NULL for an unknown result).
private func shaped<T>(_ r: OpaquePointer?, _ outs: [UnsafeMutablePointer<Int32>?],
                       _ pick: (ResultHandle) -> (PinnedArray<T>, [Int])) -> UnsafePointer<T>? {
    guard let h = result(r) else {
        outs.forEach { $0?.pointee = 0 }
        return nil
    }
    let (array, dims) = pick(h)
    for (out, d) in zip(outs, dims) { out?.pointee = Int32(d) }
    return array.pointer
}

@_cdecl("vd_result_qa_logits")
public func vd_result_qa_logits(_ r: OpaquePointer?, _ n: UnsafeMutablePointer<Int32>?) -> UnsafePointer<Float>? {
    shaped(r, [n]) { ($0.qaLogits, [$0.qaLogits.count]) }
}

@_cdecl("vd_result_selected_frames")
public func vd_result_selected_frames(_ r: OpaquePointer?, _ n: UnsafeMutablePointer<Int32>?) -> UnsafePointer<Int32>? {
    shaped(r, [n]) { ($0.selectedFrames, [$0.selectedFrames.count]) }
}

@_cdecl("vd_result_selected_samples")
public func vd_result_selected_samples(_ r: OpaquePointer?, _ n: UnsafeMutablePointer<Int32>?) -> UnsafePointer<Int32>? {
    shaped(r, [n]) { ($0.selectedSamples, [$0.selectedSamples.count]) }
}

@_cdecl("vd_result_selection_logits")
public func vd_result_selection_logits(_ r: OpaquePointer?, _ n: UnsafeMutablePointer<Int32>?,
                                       _ k: UnsafeMutablePointer<Int32>?) -> UnsafePointer<Float>? {
    shaped(r, [n, k]) { ($0.selectionLogits, [$0.owner.file.config.numFrames, $0.owner.file.config.numSelected]) }
}

@_cdecl("vd_result_selection_probabilities")
public func vd_result_selection_probabilities(_ r: OpaquePointer?, _ n: UnsafeMutablePointer<Int32>?,
                                              _ k: UnsafeMutablePointer<Int32>?) -> UnsafePointer<Float>? {
    shaped(r, [n, k]) {
        ($0.selectionProbabilities, [$0.owner.file.config.numFrames, $0.owner.file.config.numSelected])
    }
}

@_cdecl("vd_result_v_star")
public func vd_result_v_star(_ r: OpaquePointer?, _ n: UnsafeMutablePointer<Int32>?) -> UnsafePointer<Float>? {
    shaped(r, [n]) { ($0.vStar, [$0.vStar.count]) }
}

@_cdecl("vd_result_fs_gates")
public func vd_result_fs_gates(_ r: OpaquePointer?, _ layers: UnsafeMutablePointer<Int32>?,
                               _ tokens: UnsafeMutablePointer<Int32>?,
                               _ heads: UnsafeMutablePointer<Int32>?) -> UnsafePointer<Float>? {
    shaped(r, [layers, tokens, heads]) {
        let c = $0.owner.file.config
        return ($0.fsGates, [c.fsLayers, c.numFrames, c.modelHeads])
    }
}

@_cdecl("vd_result_vr_gates")
public func vd_result_vr_gates(_ r: OpaquePointer?, _ layers: UnsafeMutablePointer<Int32>?,
                               _ tokens: UnsafeMutablePointer<Int32>?,
                               _ heads: UnsafeMutablePointer<Int32>?) -> UnsafePointer<Float>? {
    shaped(r, [layers, tokens, heads]) {
        let c = $0.owner.file.config
        return ($0.vrGates, [c.vrLayers, c.refinementTokens, c.modelHeads])
    }
}

@_cdecl("vd_match")
public func vd_match(_ model: OpaquePointer?, _ video: OpaquePointer?, _ text: UnsafePointer<CChar>?,
                     _ params: UnsafePointer<vd_answer_params>?, _ out: UnsafeMutablePointer<Float>?) -> vd_status {
    capiCall("vd_match") {
        guard let out else { throw CAPIError.null("out_score") }
        let (m, v) = try pair(model, video)
        try m.requireHead(.vtm)
        let threads = try threadCount((params?.pointee ?? vd_answer_default_params()).n_threads)
        out.pointee = try m.model.matchScore(v.video, tokenIds: m.tokenIds(text, "text"), threads: threads)
    }
}

@_cdecl("vd_choose")
public func vd_choose(_ model: OpaquePointer?, _ video: OpaquePointer?, _ question: UnsafePointer<CChar>?,
                      _ candidates: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int32,
                      _ params: UnsafePointer<vd_answer_params>?, _ scores: UnsafeMutablePointer<Float>?,
                      _ best: UnsafeMutablePointer<Int32>?) -> vd_status {
    capiCall("vd_choose") {
        guard let best else { throw CAPIError.null("out_best") }
        let (m, v) = try pair(model, video)
        try m.requireHead(.vtm)
        guard let question else { throw CAPIError.null("question") }
        guard let candidates else { throw CAPIError.null("candidates") }
        guard count >= 1 else { throw CAPIError.argument("n_candidates = \(count) must be >= 1") }
        let threads = try threadCount((params?.pointee ?? vd_answer_default_params()).n_threads)
        let texts = try (0..<Int(count)).map { i -> [UInt8] in
            guard let c = candidates[i] else { throw CAPIError.null("candidates[\(i)]") }
            return cBytes(c)
        }
        let (all, winner) = try m.model.choose(v.video, questionUTF8: cBytes(question), candidatesUTF8: texts,
                                               threads: threads)
        if let scores { for (i, s) in all.enumerated() { scores[i] = s } }
        best.pointee = Int32(winner)
    }
}

@_cdecl("vd_choose_video")
public func vd_choose_video(_ model: OpaquePointer?, _ videos: UnsafePointer<OpaquePointer?>?, _ count: Int32,
                            _ text: UnsafePointer<CChar>?, _ params: UnsafePointer<vd_answer_params>?,
                            _ scores: UnsafeMutablePointer<Float>?, _ best: UnsafeMutablePointer<Int32>?) -> vd_status {
    capiCall("vd_choose_video") {
        guard let best else { throw CAPIError.null("out_best") }
        let m = try Handles.resolve(model, as: ModelHandle.self, "model")
        try m.requireHead(.vtm)
        guard let videos else { throw CAPIError.null("videos") }
        guard count >= 1 else { throw CAPIError.argument("n_videos = \(count) must be >= 1") }
        guard let text else { throw CAPIError.null("text") }
        let threads = try threadCount((params?.pointee ?? vd_answer_default_params()).n_threads)
        let encoded = try (0..<Int(count)).map { i -> EncodedVideo in
            let v = try Handles.resolve(videos[i], as: VideoHandle.self, "videos[\(i)]")
            try v.check(belongsTo: m)
            return v.video
        }
        let (all, winner) = try m.model.chooseVideo(encoded, textUTF8: cBytes(text), threads: threads)
        if let scores { for (i, s) in all.enumerated() { scores[i] = s } }
        best.pointee = Int32(winner)
    }
}

@_cdecl("vd_uniform_selection")
public func vd_uniform_selection(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?, _ capacity: Int32,
                                 _ count: UnsafeMutablePointer<Int32>?) -> vd_status {
    capiCall("vd_uniform_selection") {
        let m = try Handles.resolve(model, as: ModelHandle.self, "model")
        guard let out else { throw CAPIError.null("out_selection") }
        let selection = m.model.uniformSelection
        guard Int(capacity) >= selection.count else {
            throw CAPIError.argument("capacity = \(capacity) is smaller than num_selected = \(selection.count)")
        }
        for (k, n) in selection.enumerated() { out[k] = Int32(n) }
        count?.pointee = Int32(selection.count)
    }
}

/// The bytes of a NUL-terminated C string (not yet checked as UTF-8: the tokenizer does that).
private func cBytes(_ s: UnsafePointer<CChar>) -> [UInt8] {
    Array(UnsafeBufferPointer(start: UnsafeRawPointer(s).assumingMemoryBound(to: UInt8.self), count: strlen(s)))
}

@_cdecl("vd_similarity")
public func vd_similarity(_ model: OpaquePointer?, _ video: OpaquePointer?, _ text: UnsafePointer<CChar>?,
                          _ params: UnsafePointer<vd_answer_params>?,
                          _ out: UnsafeMutablePointer<Float>?) -> vd_status {
    capiCall("vd_similarity") {
        guard let out else { throw CAPIError.null("out_similarity") }
        let (m, v) = try pair(model, video)
        try m.requireHead(.cl)
        let threads = try threadCount((params?.pointee ?? vd_answer_default_params()).n_threads)
        let o = try m.model.answer(v.video, tokenIds: m.tokenIds(text, "text"), threads: threads)
        guard let sim = o.clSim else { throw VideoDistillError.missingHead("the model has no CL head") }
        out.pointee = sim
    }
}

@_cdecl("vd_tokenize")
public func vd_tokenize(_ model: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ ids: UnsafeMutablePointer<Int32>?,
                        _ capacity: Int32, _ count: UnsafeMutablePointer<Int32>?) -> vd_status {
    capiCall("vd_tokenize") {
        let m = try Handles.resolve(model, as: ModelHandle.self, "model")
        guard let ids else { throw CAPIError.null("out_ids") }
        guard let count else { throw CAPIError.null("out_count") }
        let n = m.file.config.contextLength
        guard Int(capacity) >= n else {
            throw CAPIError.argument("capacity = \(capacity) is smaller than context_length = \(n)")
        }
        let tokens = try m.tokenIds(text, "text")
        for (i, t) in tokens.enumerated() { ids[i] = t }
        count.pointee = Int32(tokens.count)
    }
}


@_cdecl("vd_frame_indices")
public func vd_frame_indices(_ count: Int64, _ n: Int32, _ out: UnsafeMutablePointer<Int64>?) -> vd_status {
    capiCall("vd_frame_indices") {
        guard let out else { throw CAPIError.null("out_indices") }
        guard count >= 1, n >= 1 else { throw CAPIError.argument("count = \(count) and n = \(n) must both be at least 1") }
        for (i, index) in FramePipeline.frameIndices(frameCount: Int(count), numFrames: Int(n)).enumerated() {
            out[i] = Int64(index)
        }
    }
}
