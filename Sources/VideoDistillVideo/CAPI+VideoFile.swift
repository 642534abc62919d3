import CVideoDistillAPI
import VideoDistill

// Video files (include/videodistill_video.h), in libvideodistill_video.so beside the core's entry points.

@_cdecl("vd_video_file_default_params")
public func vd_video_file_default_params() -> vd_video_file_params {
    let e = vd_encode_default_params()
    return vd_video_file_params(n_threads: e.n_threads, decode_threads: 0, progress: nil, progress_user_data: nil,
                                abort: nil, abort_user_data: nil, strict: false)
}

@_cdecl("vd_encode_video_file")
public func vd_encode_video_file(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?,
                                 _ params: UnsafePointer<vd_video_file_params>?,
                                 _ out: UnsafeMutablePointer<OpaquePointer?>?,
                                 _ info: UnsafeMutablePointer<vd_video_file_info>?) -> vd_status {
    capiCall("vd_encode_video_file") {
        guard let out else { throw CAPIError.null("out_video") }
        out.pointee = nil
        let m = try Handles.resolve(model, as: ModelHandle.self, "model")
        guard let path else { throw CAPIError.null("path") }
        guard let file = String(validatingCString: path) else {
            throw CAPIError(status: VD_ERR_INVALID_TEXT, message: "path is not valid UTF-8")
        }
        let p = params?.pointee ?? vd_video_file_default_params()
        guard (0...1024).contains(p.decode_threads) else {
            throw CAPIError.argument("decode_threads = \(p.decode_threads) must be in 0...1024")
        }
        // The encode's own params: threads, abort, and the progress of the encode (after the decoding's).
        var encodeParams = vd_encode_default_params()
        (encodeParams.n_threads, encodeParams.abort, encodeParams.abort_user_data) = (p.n_threads, p.abort, p.abort_user_data)
        (encodeParams.progress, encodeParams.progress_user_data) = (p.progress, p.progress_user_data)
        let (threads, control) = try encodeOptions(&encodeParams)
        let readProgress = p.progress.map { progress in
            { (done: Int, total: Int) in progress(Int32(clamping: done), Int32(clamping: total), p.progress_user_data) }
        }
        let (video, report): (EncodedVideo, VideoFileReport)
        do {
            (video, report) = try m.model.encode(videoAt: file, threads: threads, decodeThreads: Int(p.decode_threads),
                                                 strict: p.strict, control: control, readProgress: readProgress)
        } catch let e as FrameSourceError {
            throw CAPIError(status: status(for: e), message: e.description)
        }
        info?.pointee = vd_video_file_info(
            frame_count: Int64(report.frameCount), declared_frames: Int64(report.declaredFrameCount ?? 0),
            width: Int32(clamping: report.width), height: Int32(clamping: report.height),
            replaced_frames: Int32(clamping: report.replaced.count))
        out.pointee = Handles.retain(VideoHandle(owner: m, video: video))
    }
}

/// The status a frame source's error is reported as.
func status(for error: FrameSourceError) -> vd_status {
    switch error {
    case .notFound: return VD_ERR_NOT_FOUND
    case .undecodable: return VD_ERR_UNDECODABLE
    case .noFrames: return VD_ERR_NO_FRAMES
    case .invalidArgument: return VD_ERR_INVALID_ARGUMENT
    case .aborted: return VD_ERR_ABORTED
    }
}
