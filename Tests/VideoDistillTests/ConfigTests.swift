import Testing
@testable import VideoDistill

@Suite struct ConfigTests {
    @Test func rejectsPatchNotDividingImage() throws {
        let json = #"{"image_size":30,"resize_short":32,"patch_size":7,"vision_width":8,"vision_layers":1,"vision_heads":2,"text_width":8,"text_layers":1,"text_heads":2,"vocab_size":49408,"context_length":8,"text_embed_dim":8,"model_dim":8,"model_heads":2,"fs_layers":1,"vr_layers":1,"num_frames":4,"num_selected":2,"qa_hidden":8,"mean":[0.5,0.5,0.5],"std":[0.2,0.2,0.2],"clip_ln_eps":1e-5,"ln_eps":1e-6}"#
        let c = try JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8))
        #expect(throws: VideoDistillError.self) { try c.validate() }
    }
}
import Foundation
