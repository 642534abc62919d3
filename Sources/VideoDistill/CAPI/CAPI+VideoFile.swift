import CVideoDistillAPI
import Foundation

// Encoded-video files and token access (include/videodistill.h, "Encoded-video files").

@_cdecl("vd_video_save")
public func vd_video_save(_ model: OpaquePointer?, _ video: OpaquePointer?, _ path: UnsafePointer<CChar>?,
                          _ precision: Int32) -> vd_status {
    capiCall("vd_video_save") {
        let (m, v) = try pair(model, video)
        let file = try utf8Path(path)
        guard let p = UInt32(exactly: precision).flatMap(TokenPrecision.init(rawValue:)) else {
            throw CAPIError.argument("precision = \(precision) is not VD_VIDEO_FLOAT32, VD_VIDEO_FLOAT16 or VD_VIDEO_INT8")
        }
        try m.model.save(v.video, to: file, precision: p)
    }
}

@_cdecl("vd_video_load")
public func vd_video_load(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?,
                          _ out: UnsafeMutablePointer<OpaquePointer?>?) -> vd_status {
    capiCall("vd_video_load") {
        guard let out else { throw CAPIError.null("out_video") }
        out.pointee = nil
        let m = try Handles.resolve(model, as: ModelHandle.self, "model")
        let video = try m.model.loadVideo(path: utf8Path(path))
        out.pointee = Handles.retain(VideoHandle(owner: m, video: video))
    }
}

@_cdecl("vd_video_stored_precision")
public func vd_video_stored_precision(_ video: OpaquePointer?) -> Int32 {
    guard let v = try? Handles.resolve(video, as: VideoHandle.self, "video") else { return -1 }
    return Int32(v.video.file?.precision.rawValue ?? TokenPrecision.float32.rawValue)
}

@_cdecl("vd_video_tokens")
public func vd_video_tokens(_ video: OpaquePointer?, _ n: UnsafeMutablePointer<Int32>?,
                            _ tokensPerFrame: UnsafeMutablePointer<Int32>?,
                            _ width: UnsafeMutablePointer<Int32>?) -> UnsafePointer<Float>? {
    guard let v = try? Handles.resolve(video, as: VideoHandle.self, "video") else {
        _ = fail(VD_ERR_INVALID_ARGUMENT, "vd_video_tokens: video is NULL or not a live video")
        return nil
    }
    let block: TokenBuffer
    switch v.video.storage {
    case .memory(let t): block = t
    case .file(let f): block = v.tokenBlock.value { TokenBuffer(f.allTokens()) }
    }
    n?.pointee = Int32(v.video.frameCount)
    tokensPerFrame?.pointee = Int32(v.video.tokensPerFrame)
    width?.pointee = Int32(v.video.width)
    return UnsafePointer(block.floats.baseAddress)
}

@_cdecl("vd_video_from_tokens")
public func vd_video_from_tokens(_ model: OpaquePointer?, _ tokens: UnsafePointer<Float>?, _ n: Int32,
                                 _ tokensPerFrame: Int32, _ width: Int32,
                                 _ out: UnsafeMutablePointer<OpaquePointer?>?) -> vd_status {
    capiCall("vd_video_from_tokens") {
        guard let out else { throw CAPIError.null("out_video") }
        out.pointee = nil
        let m = try Handles.resolve(model, as: ModelHandle.self, "model")
        guard let tokens else { throw CAPIError.null("tokens") }
        let c = m.file.config
        guard Int(n) == c.numFrames, Int(tokensPerFrame) == c.tokensPerFrame, Int(width) == c.visionWidth else {
            throw CAPIError.argument("tokens are [\(n), \(tokensPerFrame), \(width)]; this model takes [N, 1+P, Dv] = [\(c.numFrames), \(c.tokensPerFrame), \(c.visionWidth)]")
        }
        let values = UnsafeBufferPointer(start: tokens, count: c.numFrames * c.tokensPerFrame * c.visionWidth)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw CAPIError(status: VD_ERR_NON_FINITE, message: "token value \(bad) is \(values[bad])")
        }
        let video = try m.model.encodedVideo(tokens: Array(values))
        out.pointee = Handles.retain(VideoHandle(owner: m, video: video))
    }
}

/// A C path argument as a String: non-null, valid UTF-8.
package func utf8Path(_ path: UnsafePointer<CChar>?) throws -> String {
    guard let path else { throw CAPIError.null("path") }
    guard let file = String(validatingCString: path) else {
        throw CAPIError(status: VD_ERR_INVALID_TEXT, message: "path is not valid UTF-8")
    }
    return file
}
