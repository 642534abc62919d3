import Testing
@testable import VideoDistill
import _VDTestSupport

/// Regression (issue 7, resource limits): a small, well-formed model file whose config makes every call allocate
/// gigabytes of scratch is refused at load. Before, the limit was 2^34 floats (64 GiB) and the text encoder's
/// context_length^2 scores were not counted at all.
@Suite struct RegressionScratchLimitTests {
    /// A valid file for `config` (TinyModel's tensors and merges, recognisable data).
    static func file(_ config: ModelConfig) -> [UInt8] {
        let rows = expectedTensors(config, answerCount: TinyModel.answers.count)
        let tensors = rows.map { row -> (GGUFTensorDeclaration, [UInt8]) in
            let n = row.shape.reduce(1, *)
            return (GGUFTensorDeclaration(name: row.name, shape: row.shape, type: .f32),
                    [Float](repeating: 0.01, count: n).withUnsafeBytes { Array($0) })
        }
        let metadata = ModelFile.metadata(config: config, answers: TinyModel.answers, merges: TinyModel.merges,
                                          bpeSHA256: TinyModel.sha, name: "scratch")
        return TinyModel.file(metadata: metadata, tensors: tensors)
    }

    static func expectRefused(_ config: ModelConfig, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = try ModelFile(bytes: Self.file(config))   // the file itself is fine ...
        do {                                                  // ... but the model it describes is refused
            _ = try VideoDistillModel(file: file)
            Issue.record("a model needing \(config) scratch was accepted", sourceLocation: sourceLocation)
        } catch let VideoDistillError.invalidModelFile(m) {
            #expect(m.contains("floats of scratch"), "\(m)", sourceLocation: sourceLocation)
        }
    }

    /// num_frames = 20,000: a 0.7 MB fs.temporal_embed, and N^2 = 4e8 floats (1.6 GB) of FS scores per answer.
    @Test func manyFramesAreRefusedAtLoad() throws {
        var c = TinyModel.config
        c.numFrames = 20_000
        try Self.expectRefused(c)
    }

    /// context_length = 20,000: a 0.7 MB positional embedding, and up to 4e8 floats of causal scores per question.
    @Test func longContextIsRefusedAtLoad() throws {
        var c = TinyModel.config
        c.contextLength = 20_000
        try Self.expectRefused(c)
    }

    /// The paper's sizes stay far inside the limit.
    @Test func paperConfigFits() {
        let c = ModelConfig(
            imageSize: 224, resizeShort: 256, patchSize: 16, visionWidth: 768, visionLayers: 12, visionHeads: 12,
            textWidth: 512, textLayers: 12, textHeads: 8, vocabSize: 49408, contextLength: 77, textEmbedDim: 512,
            modelDim: 1024, modelHeads: 8, fsLayers: 3, vrLayers: 3, numFrames: 100, numSelected: 16, qaHidden: 1024,
            mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711],
            clipLnEps: 1e-5, lnEps: 1e-6)
        #expect(FrameSamplingAndRefinement.scratchFloats(c) < VideoDistillModel.maxScratchFloats / 4)
    }
}
