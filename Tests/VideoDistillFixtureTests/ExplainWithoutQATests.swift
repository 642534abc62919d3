import CVideoDistillAPI
import Testing
@testable import VideoDistill
import _VDFixtureModels
import _VDTestSupport

/// vd_explain: every output of (video, text) for any model. On a model with only a VTM head (no QA head),
/// vd_answer refuses (VD_ERR_MISSING_HEAD) while vd_explain gives the selection, v_star and gate maps and the VTM
/// score vd_match gives; on a model with every head it gives what vd_answer gives.
@Suite struct ExplainWithoutQATests {
    static func load(_ bytes: [UInt8]) throws -> OpaquePointer {
        var h: OpaquePointer?
        let st = bytes.withUnsafeBytes { vd_model_load_from_buffer($0.baseAddress, $0.count, nil, &h) }
        guard st == VD_OK, let h else { throw CAPIFailure(st) }
        return h
    }

    static func floats(_ p: UnsafePointer<Float>?, _ n: Int32) -> [Float] { Array(UnsafeBufferPointer(start: p, count: Int(n))) }

    /// The tiny_a fixture's model file without its QA and CL heads: a retrieval model with only VTM.
    static func vtmOnly() throws -> (bytes: [UInt8], config: ModelConfig) {
        let full = try ModelFile(path: CModelFixture("tiny_a", keepFile: true).path)
        guard case .string(let sha)? = full.metadata.first(where: { $0.key == ModelFileKeys.bpeSHA256 })?.value else {
            throw VideoDistillError.invalidModelFile("no bpe sha")
        }
        let kept = full.tensors.keys.sorted().filter { !$0.hasPrefix(Head.qa.prefix) && !$0.hasPrefix(Head.cl.prefix) }
        let bytes = GGUFWriter.bytes(
            metadata: ModelFile.metadata(config: full.config, answers: [], merges: full.bpeMerges, bpeSHA256: sha, name: "vtm only"),
            tensors: kept.map { GGUFTensorDeclaration(name: $0, shape: full.tensors[$0]!.shape, type: full.tensors[$0]!.type) },
            data: kept.map { let t = full.tensors[$0]!; return Array(UnsafeRawBufferPointer(start: t.data, count: t.byteCount)) },
            alignment: ModelFileKeys.writtenAlignment)
        return (bytes, full.config)
    }

    @Test func retrievalModelExplainsItself() throws {
        let (bytes, c) = try Self.vtmOnly()
        let model = try Self.load(bytes)
        defer { vd_model_free(model) }
        let pixels = (0..<(c.numFrames * 3 * c.imageSize * c.imageSize)).map { Float($0 % 17) / 17 - 0.5 }
        var video: OpaquePointer?
        var ep = vd_encode_default_params()
        #expect(vd_encode_pixels(model, pixels, Int32(c.numFrames), &ep, &video) == VD_OK)
        defer { vd_video_free(video) }
        var ap = vd_answer_default_params()
        var r: OpaquePointer?
        #expect(vd_answer(model, video, "a cat", &ap, &r) == VD_ERR_MISSING_HEAD && r == nil)
        #expect(vd_explain(model, video, "a cat", &ap, &r) == VD_OK)
        defer { vd_result_free(r) }
        #expect(vd_result_top_k(r) == 0 && vd_result_answer_text(r, 0) == nil)
        var n: Int32 = 0, k: Int32 = 0, l: Int32 = 0
        #expect(vd_result_selected_samples(r, &n) != nil && n == Int32(c.numSelected))
        #expect(vd_result_v_star(r, &n) != nil && n == Int32(c.modelDim))
        #expect(vd_result_fs_gates(r, &l, &n, &k) != nil && l == Int32(c.fsLayers))
        var score: Float = 0
        #expect(vd_match(model, video, "a cat", &ap, &score) == VD_OK && vd_result_match_score(r) == score)
        #expect(vd_result_similarity(r).isNaN && vd_result_match_score(nil).isNaN)
        var refused: OpaquePointer?
        #expect(vd_explain(model, video, nil, &ap, &refused) == VD_ERR_NULL_POINTER && refused == nil)
    }

    @Test func fullModelExplainsAsItAnswers() throws {
        let m = try CModelFixture("tiny_a")
        let f = try ParityFixture("tiny_a")
        var video: OpaquePointer?
        var ep = vd_encode_default_params()
        #expect(try f.npy("pixels").floats.withUnsafeBufferPointer { vd_encode_pixels(m.handle, $0.baseAddress, m.info.num_frames, &ep, &video) } == VD_OK)
        defer { vd_video_free(video) }
        var ap = vd_answer_default_params()
        var a: OpaquePointer?, e: OpaquePointer?
        let q = try f.json("questions.json", as: [String].self)[0]
        #expect(vd_answer(m.handle, video, q, &ap, &a) == VD_OK && vd_explain(m.handle, video, q, &ap, &e) == VD_OK)
        defer { vd_result_free(a); vd_result_free(e) }
        var na: Int32 = 0, ne: Int32 = 0
        #expect(Self.floats(vd_result_v_star(a, &na), na) == Self.floats(vd_result_v_star(e, &ne), ne))
        #expect(Self.floats(vd_result_qa_logits(a, &na), na) == Self.floats(vd_result_qa_logits(e, &ne), ne))
        #expect(vd_result_top_k(a) == vd_result_top_k(e) && vd_result_answer_index(a, 0) == vd_result_answer_index(e, 0))
        var score: Float = 0, sim: Float = 0
        #expect(vd_match(m.handle, video, q, &ap, &score) == VD_OK && vd_result_match_score(e) == score)
        #expect(vd_similarity(m.handle, video, q, &ap, &sim) == VD_OK && vd_result_similarity(e) == sim)
    }
}
