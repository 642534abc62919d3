/// Frame selection (SPEC 5): idx_k = argmax over n of logits[n, k], the first index on ties, no noise.
/// The K picks keep slot order and may repeat. NaN logits are an error.
public enum Selection {
    /// logits: [N, K] -> idx [K], each in 0..<N.
    static func argmax(_ logits: UnsafePointer<Float>, frames N: Int, slots K: Int) throws -> [Int] {
        for i in 0..<(N * K) where logits[i].isNaN {
            throw VideoDistillError.numerical("selection logit [\(i / K), \(i % K)] is NaN")
        }
        return (0..<K).map { k in
            var best = 0
            for n in 1..<Swift.max(N, 1) where logits[n * K + k] > logits[best * K + k] { best = n }
            return best
        }
    }

    /// K evenly spaced indices of N frames, by SPEC 1's own rule ((2k+1) N div 2K): the "uniform" baseline
    /// the paper compares learned selection against.
    public static func uniform(frames N: Int, slots K: Int) -> [Int] {
        FramePipeline.frameIndices(frameCount: N, numFrames: K)
    }
}
