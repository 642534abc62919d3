import CVideoDistillAPI

// Encoding a video once per video (include/videodistill.h, "Encoding a video").

/// The caller's encode params, checked: a thread count, and the callbacks as an `EncodeControl`.
package func encodeOptions(_ params: UnsafePointer<vd_encode_params>?) throws -> (Int, EncodeControl) {
    let p = params?.pointee ?? vd_encode_default_params()
    let threads = try threadCount(p.n_threads)
    var control = EncodeControl()
    if let progress = p.progress {
        let data = p.progress_user_data
        control.progress = { done, total in progress(Int32(clamping: done), Int32(clamping: total), data) }
    }
    if let abort = p.abort {
        let data = p.abort_user_data
        control.shouldAbort = { abort(data) }
    }
    return (threads, control)
}

@_cdecl("vd_encode_frames")
public func vd_encode_frames(_ model: OpaquePointer?, _ rgb: UnsafePointer<UInt8>?, _ frameCount: Int32,
                             _ height: Int32, _ width: Int32, _ rowStride: Int,
                             _ params: UnsafePointer<vd_encode_params>?,
                             _ out: UnsafeMutablePointer<OpaquePointer?>?) -> vd_status {
    capiCall("vd_encode_frames") {
        guard let out else { throw CAPIError.null("out_video") }
        out.pointee = nil
        let m = try Handles.resolve(model, as: ModelHandle.self, "model")
        guard let rgb else { throw CAPIError.null("rgb") }
        guard frameCount >= 1 else { throw CAPIError.argument("n_frames = \(frameCount) must be >= 1") }
        guard height >= 1, width >= 1 else {
            throw CAPIError.argument("frame size \(width) x \(height) must be at least 1 x 1")
        }
        let (rowBytes, o1) = Int(width).multipliedReportingOverflow(by: 3)
        guard !o1, rowStride >= rowBytes else {
            throw CAPIError.argument("row_stride = \(rowStride) is smaller than a row (3 * width = \(3 * Int(width)) bytes)")
        }
        let (frameBytes, o2) = rowStride.multipliedReportingOverflow(by: Int(height))
        let (_, o3) = frameBytes.multipliedReportingOverflow(by: Int(frameCount))
        guard !o2, !o3 else { throw CAPIError.argument("n_frames * height * row_stride overflows") }
        let (threads, control) = try encodeOptions(params)
        let video = try m.model.encode(frames: rgb, frameCount: Int(frameCount), height: Int(height),
                                       width: Int(width), rowStride: rowStride, threads: threads,
                                       control: control)
        out.pointee = Handles.retain(VideoHandle(owner: m, video: video))
    }
}

@_cdecl("vd_encode_pixels")
public func vd_encode_pixels(_ model: OpaquePointer?, _ pixels: UnsafePointer<Float>?, _ frameCount: Int32,
                             _ params: UnsafePointer<vd_encode_params>?,
                             _ out: UnsafeMutablePointer<OpaquePointer?>?) -> vd_status {
    capiCall("vd_encode_pixels") {
        guard let out else { throw CAPIError.null("out_video") }
        out.pointee = nil
        let m = try Handles.resolve(model, as: ModelHandle.self, "model")
        guard let pixels else { throw CAPIError.null("pixels") }
        let c = m.file.config
        guard Int(frameCount) == c.numFrames else {
            throw CAPIError.argument("n_frames = \(frameCount), but the model takes exactly N = \(c.numFrames) frames")
        }
        let count = c.numFrames * 3 * c.imageSize * c.imageSize  // bounded: the config was validated
        let buffer = UnsafeBufferPointer(start: pixels, count: count)
        if let bad = buffer.firstIndex(where: { !$0.isFinite }) {
            throw CAPIError(status: VD_ERR_NON_FINITE, message: "pixel \(bad) is \(buffer[bad])")
        }
        let (threads, control) = try encodeOptions(params)
        let video = try m.model.encode(pixels: buffer, threads: threads, control: control)
        out.pointee = Handles.retain(VideoHandle(owner: m, video: video))
    }
}

@_cdecl("vd_video_free")
public func vd_video_free(_ video: OpaquePointer?) {
    Handles.release(video)
}

@_cdecl("vd_video_num_frames")
public func vd_video_num_frames(_ video: OpaquePointer?) -> Int32 {
    guard let v = try? Handles.resolve(video, as: VideoHandle.self, "video") else { return 0 }
    return Int32(v.video.sourceFrames.count)
}

@_cdecl("vd_video_source_frame")
public func vd_video_source_frame(_ video: OpaquePointer?, _ n: Int32) -> Int32 {
    guard let v = try? Handles.resolve(video, as: VideoHandle.self, "video"),
          v.video.sourceFrames.indices.contains(Int(n)) else { return -1 }
    return Int32(v.video.sourceFrames[Int(n)])
}

@_cdecl("vd_video_source_seconds")
public func vd_video_source_seconds(_ video: OpaquePointer?, _ n: Int32) -> Double {
    guard let v = try? Handles.resolve(video, as: VideoHandle.self, "video"), let seconds = v.video.sourceSeconds,
          seconds.indices.contains(Int(n)) else { return .nan }
    return seconds[Int(n)]
}

@_cdecl("vd_video_source_size")
public func vd_video_source_size(_ video: OpaquePointer?, _ width: UnsafeMutablePointer<Int32>?,
                                 _ height: UnsafeMutablePointer<Int32>?) -> Int64 {
    width?.pointee = 0
    height?.pointee = 0
    guard let v = try? Handles.resolve(video, as: VideoHandle.self, "video"), let s = v.video.sourceSize else { return -1 }
    width?.pointee = Int32(clamping: s.width)
    height?.pointee = Int32(clamping: s.height)
    return Int64(s.frameCount)
}

@_cdecl("vd_video_sample_replaced")
public func vd_video_sample_replaced(_ video: OpaquePointer?, _ n: Int32) -> Int32 {
    guard let v = try? Handles.resolve(video, as: VideoHandle.self, "video"),
          (0..<v.video.frameCount).contains(Int(n)) else { return -1 }
    return v.video.replacedSamples.contains(Int(n)) ? 1 : 0
}
