import CVideoDistillAPI

/// A copy of an array at a stable address, for pointers handed to C.
final class PinnedArray<T> {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ values: [T]) {
        buffer = .allocate(capacity: max(values.count, 1))
        _ = buffer.initialize(from: values)
    }
    deinit { buffer.deallocate() }
    var count: Int { buffer.count }
    var pointer: UnsafePointer<T> { UnsafePointer(buffer.baseAddress!) }
}

/// A `vd_result`: one answered question, with everything that explains it.
final class ResultHandle {
    let owner: ModelHandle
    let topIndices: [Int]
    let topProbabilities: [Float]
    let qaLogits: PinnedArray<Float>
    let selectedFrames: PinnedArray<Int32>   // indices into the caller's frames, slot order
    let selectedSamples: PinnedArray<Int32>  // indices into the N sampled frames
    let selectionLogits: PinnedArray<Float>  // [N, K]
    let selectionProbabilities: PinnedArray<Float>  // [N, K], softmax over N per slot
    let vStar: PinnedArray<Float>
    let fsGates: PinnedArray<Float>          // [L_fs, N, H]
    let vrGates: PinnedArray<Float>          // [L_vr, 1 + K*P, H]
    let matchScore: Float?                   // VTM head: log p(match)
    let similarity: Float?                   // CL head

    init(owner: ModelHandle, video: EncodedVideo, outputs o: AnswerOutputs, topK: Int) {
        self.owner = owner
        let c = owner.file.config
        let logits = o.qaLogits ?? []
        let probabilities = Choice.probabilities(logits)
        topIndices = Array(Choice.ranking(logits).prefix(topK))
        topProbabilities = topIndices.map { Float(probabilities[$0]) }
        qaLogits = PinnedArray(logits)
        (matchScore, similarity) = (o.matchScore, o.clSim)
        selectedSamples = PinnedArray(o.selected.map { Int32($0) })
        selectedFrames = PinnedArray(o.selected.map { Int32(video.sourceFrames[$0]) })
        selectionLogits = PinnedArray(o.selectionLogits)
        var probs = [Float](repeating: 0, count: o.selectionLogits.count)
        let N = c.numFrames, K = c.numSelected
        for k in 0..<K {
            let column = Choice.probabilities((0..<N).map { o.selectionLogits[$0 * K + k] })
            for n in 0..<N { probs[n * K + k] = Float(column[n]) }
        }
        selectionProbabilities = PinnedArray(probs)
        vStar = PinnedArray(o.vStar)
        fsGates = PinnedArray(o.fsGates)
        vrGates = PinnedArray(o.vrGates)
    }
}
