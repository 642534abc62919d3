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
        let file = try utf8Path(path)
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
        info?.pointee = fileInfo(report)
        out.pointee = Handles.retain(VideoHandle(owner: m, video: video))
    }
}

@_cdecl("vd_read_video_file_frames")
public func vd_read_video_file_frames(_ path: UnsafePointer<CChar>?, _ numFrames: Int32,
                                      _ params: UnsafePointer<vd_video_file_params>?,
                                      _ out: UnsafeMutablePointer<UInt8>?, _ outSize: Int,
                                      _ outSourceFrames: UnsafeMutablePointer<Int64>?,
                                      _ outSeconds: UnsafeMutablePointer<Double>?,
                                      _ info: UnsafeMutablePointer<vd_video_file_info>?) -> vd_status {
    capiCall("vd_read_video_file_frames") {
        let file = try utf8Path(path)
        guard numFrames >= 1 else { throw CAPIError.argument("n_frames = \(numFrames) must be at least 1") }
        let p = params?.pointee ?? vd_video_file_default_params()
        guard (0...1024).contains(p.decode_threads) else {
            throw CAPIError.argument("decode_threads = \(p.decode_threads) must be in 0...1024")
        }
        let readProgress = p.progress.map { progress in
            { (done: Int, total: Int) in progress(Int32(clamping: done), Int32(clamping: total), p.progress_user_data) }
        }
        do {
            let source = try openFrameSource(path: file, threads: Int(p.decode_threads))
            guard let out else {
                info?.pointee = fileInfo(VideoFileReport(frameCount: source.frameCount, declaredFrameCount: source.declaredFrameCount,
                                                         width: source.width, height: source.height, replaced: []))
                return
            }
            let (needed, overflow) = source.frameBytes.multipliedReportingOverflow(by: Int(numFrames))
            guard !overflow, outSize >= needed else {
                throw CAPIError.argument("out_size = \(outSize) bytes is smaller than n_frames x height x width x 3 = \(numFrames) x \(source.height) x \(source.width) x 3")
            }
            let frames = try sampleFrames(source: source, numFrames: Int(numFrames), strict: p.strict, readProgress: readProgress)
            frames.rgb.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: $0.count) }
            for n in 0..<Int(numFrames) {
                outSourceFrames?[n] = Int64(frames.sourceFrames[n])
                outSeconds?[n] = frames.seconds[n] ?? .nan
            }
            info?.pointee = fileInfo(frames.report)
        } catch let e as FrameSourceError {
            throw CAPIError(status: status(for: e), message: e.description)
        }
    }
}

/// A report as the C API's info struct.
func fileInfo(_ report: VideoFileReport) -> vd_video_file_info {
    vd_video_file_info(frame_count: Int64(report.frameCount), declared_frames: Int64(report.declaredFrameCount ?? 0),
                       width: Int32(clamping: report.width), height: Int32(clamping: report.height),
                       replaced_frames: Int32(clamping: report.replaced.count))
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
