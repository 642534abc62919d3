import COpenBLAS
import CVideoDistillAPI
import _VDKernels

// Loading, freeing and describing a model (include/videodistill.h, "Model").

@_cdecl("vd_model_load")
public func vd_model_load(_ path: UnsafePointer<CChar>?, _ params: UnsafePointer<vd_model_params>?,
                          _ out: UnsafeMutablePointer<OpaquePointer?>?) -> vd_status {
    capiCall("vd_model_load") {
        guard let out else { throw CAPIError.null("out_model") }
        out.pointee = nil
        guard let path else { throw CAPIError.null("path") }
        try checkModelParams(params)
        out.pointee = Handles.retain(try ModelHandle(file: ModelFile(path: String(cString: path))))
    }
}

@_cdecl("vd_model_load_from_buffer")
public func vd_model_load_from_buffer(_ data: UnsafeRawPointer?, _ count: Int,
                                      _ params: UnsafePointer<vd_model_params>?,
                                      _ out: UnsafeMutablePointer<OpaquePointer?>?) -> vd_status {
    capiCall("vd_model_load_from_buffer") {
        guard let out else { throw CAPIError.null("out_model") }
        out.pointee = nil
        guard let data else { throw CAPIError.null("data") }
        guard count > 0 else { throw CAPIError.argument("n_bytes is 0") }
        try checkModelParams(params)
        let file = try ModelFile(bytes: UnsafeRawBufferPointer(start: data, count: count))
        out.pointee = Handles.retain(try ModelHandle(file: file))
    }
}

private func checkModelParams(_ params: UnsafePointer<vd_model_params>?) throws {
    if let params, params.pointee.reserved != 0 {
        throw CAPIError.argument("vd_model_params.reserved must be 0 (start from vd_model_default_params())")
    }
}

@_cdecl("vd_model_free")
public func vd_model_free(_ model: OpaquePointer?) {
    Handles.release(model)
}

@_cdecl("vd_model_get_info")
public func vd_model_get_info(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<vd_model_info>?) -> vd_status {
    capiCall("vd_model_get_info") {
        let m = try Handles.resolve(model, as: ModelHandle.self, "model")
        guard let out else { throw CAPIError.null("out_info") }
        let c = m.file.config
        var info = vd_model_info()
        info.image_size = Int32(c.imageSize); info.resize_short = Int32(c.resizeShort)
        info.patch_size = Int32(c.patchSize); info.vision_width = Int32(c.visionWidth)
        info.vision_layers = Int32(c.visionLayers); info.vision_heads = Int32(c.visionHeads)
        info.text_width = Int32(c.textWidth); info.text_layers = Int32(c.textLayers)
        info.text_heads = Int32(c.textHeads); info.vocab_size = Int32(c.vocabSize)
        info.context_length = Int32(c.contextLength); info.text_embed_dim = Int32(c.textEmbedDim)
        info.model_dim = Int32(c.modelDim); info.model_heads = Int32(c.modelHeads)
        info.fs_layers = Int32(c.fsLayers); info.vr_layers = Int32(c.vrLayers)
        info.num_frames = Int32(c.numFrames); info.num_selected = Int32(c.numSelected)
        info.qa_hidden = Int32(c.qaHidden); info.num_answers = Int32(m.file.answers.count)
        info.patches_per_frame = Int32(c.patchesPerFrame)
        info.mean = (c.mean[0], c.mean[1], c.mean[2])
        info.std = (c.std[0], c.std[1], c.std[2])
        info.clip_ln_eps = c.clipLnEps; info.ln_eps = c.lnEps
        info.has_qa = m.file.heads.contains(.qa)
        info.has_vtm = m.file.heads.contains(.vtm)
        info.has_cl = m.file.heads.contains(.cl)
        info.weight_type = m.weightType[0]
        out.pointee = info
    }
}

@_cdecl("vd_get_compute_info")
public func vd_get_compute_info(_ out: UnsafeMutablePointer<vd_compute_info>?) -> vd_status {
    capiCall("vd_get_compute_info") {
        guard let out else { throw CAPIError.null("out_info") }
        let int8Path = vd_int8_get_path(), cap = vd_isa_cap()
        out.pointee = vd_compute_info(   // every string is a constant of the kernels or of OpenBLAS
            kernels: vd_isa_name(vd_get_isa()), int8: vd_int8_path_name(int8Path),
            int8_activation_max: vd_int8_activation_max(int8Path), blas_core: openblas_get_corename(),
            isa_cap: cap < 0 ? nil : vd_isa_name(cap))
    }
}

@_cdecl("vd_model_answer")
public func vd_model_answer(_ model: OpaquePointer?, _ i: Int32) -> UnsafePointer<CChar>? {
    guard let m = try? Handles.resolve(model, as: ModelHandle.self, "model") else { return nil }
    return m.answers[Int(i)]
}
