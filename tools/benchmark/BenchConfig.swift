import Foundation
import VideoDistill

/// The configs vd-bench builds, as SPEC 11 config JSON: SPEC 9's paper config, and a small one.
enum BenchConfig {
    /// SPEC 9: ViT-B/16 CLIP, D = 1024, N = 100, K = 16; with A = 1500 answers.
    static let paperJSON = """
        {"image_size": 224, "resize_short": 256, "patch_size": 16,
         "vision_width": 768, "vision_layers": 12, "vision_heads": 12,
         "text_width": 512, "text_layers": 12, "text_heads": 8, "vocab_size": 49408, "context_length": 77,
         "text_embed_dim": 512, "model_dim": 1024, "model_heads": 8, "fs_layers": 3, "vr_layers": 3,
         "num_frames": 100, "num_selected": 16, "qa_hidden": 1024,
         "mean": [0.48145466, 0.4578275, 0.40821073], "std": [0.26862954, 0.26130258, 0.27577711],
         "clip_ln_eps": 1e-5, "ln_eps": 1e-6}
        """
    static let paperAnswers = 1500

    /// A small config that runs in seconds (not a model anyone trains).
    static let smallJSON = """
        {"image_size": 64, "resize_short": 72, "patch_size": 16,
         "vision_width": 192, "vision_layers": 4, "vision_heads": 3,
         "text_width": 128, "text_layers": 2, "text_heads": 2, "vocab_size": 49408, "context_length": 77,
         "text_embed_dim": 128, "model_dim": 256, "model_heads": 4, "fs_layers": 2, "vr_layers": 2,
         "num_frames": 16, "num_selected": 4, "qa_hidden": 256,
         "mean": [0.48145466, 0.4578275, 0.40821073], "std": [0.26862954, 0.26130258, 0.27577711],
         "clip_ln_eps": 1e-5, "ln_eps": 1e-6}
        """
    static let smallAnswers = 100

    static func decode(_ json: String) throws -> ModelConfig {
        let c = try JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8))
        try c.validate()
        return c
    }

    /// Multiply-accumulates of one frame through the frame encoder (patch embedding + blocks; LayerNorms
    /// and activations not counted): per block 12 T Dv^2 (qkv, out, MLP) + 2 T^2 Dv (scores, mix), T = 1+P.
    static func frameMACs(_ c: ModelConfig) -> Double {
        let T = Double(c.tokensPerFrame), Dv = Double(c.visionWidth)
        let patchEmbed = Double(c.patchesPerFrame * 3 * c.patchSize * c.patchSize) * Dv
        return patchEmbed + Double(c.visionLayers) * (12 * T * Dv * Dv + 2 * T * T * Dv)
    }
}
