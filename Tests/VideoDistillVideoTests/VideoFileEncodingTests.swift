import CVideoDistillAPI
import Foundation
import Testing
@testable import VideoDistill
@testable import VideoDistillVideo
import _VDTestSupport
import _VDFixtureModels

/// vd_encode_video_file (include/videodistill_video.h): the fixture's video as a lossless file gives the tokens of
/// the in-memory path bit for bit, with SPEC 1's source frames and the file's timestamps (ffmpeg wrote 25 fps);
/// each kind of bad file its own status and a message naming it; the replacement policy and `strict` on a
/// truncated mp4 and on an image folder with a broken image.
@Suite(.enabled(if: TestVideos.ffmpeg != nil && fixtureExists("tiny_a", "video.npy"), "needs ffmpeg and the tiny_a fixture"))
struct VideoFileEncodingTests {
    /// vd_encode_video_file; the video handle (caller frees) or the failure.
    static func encode(_ m: CModelFixture, _ path: String, strict: Bool = false,
                       info: inout vd_video_file_info) -> Result<OpaquePointer, CAPIFailure> {
        var p = VideoDistillVideo.vd_video_file_default_params()
        p.n_threads = 2
        p.strict = strict
        var v: OpaquePointer?
        let st = VideoDistillVideo.vd_encode_video_file(m.handle, path, &p, &v, &info)
        guard st == VD_OK, let v else { return .failure(CAPIFailure(st)) }
        return .success(v)
    }

    /// The tokens of a video handle, through an answer's v_cls-independent view: the core's EncodedVideo.
    static func encoded(_ video: OpaquePointer) throws -> EncodedVideo {
        try Handles.resolve(video, as: VideoHandle.self, "video").video
    }

    @Test func losslessFileGivesTheInMemoryTokensAndTimestamps() throws {
        let m = try CModelFixture("tiny_a")
        let v = try FixtureVideo("tiny_a")
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("video.mkv").path
        try TestVideos.encode(v.frames, height: v.height, width: v.width, to: path, args: ["-c:v", "ffv1"])

        var info = vd_video_file_info()
        let video = try Self.encode(m, path, info: &info).get()
        defer { VideoDistill.vd_video_free(video) }
        #expect(info.frame_count == Int64(v.count) && info.width == Int32(v.width) && info.height == Int32(v.height))
        #expect(info.replaced_frames == 0)

        let sourceFrames = try NPYArray.load(fixturePath("tiny_a", "source_frames.npy")).int64s.map { Int($0) }
        let N = Int(m.info.num_frames)
        #expect((0..<N).map { Int(VideoDistill.vd_video_source_frame(video, Int32($0))) } == sourceFrames)
        for n in 0..<N {
            // ffmpeg encoded at 25 frames per second: frame i is at i / 25 s.
            #expect(abs(VideoDistill.vd_video_source_seconds(video, Int32(n)) - Double(sourceFrames[n]) / 25) < 1e-9)
            #expect(VideoDistill.vd_video_sample_replaced(video, Int32(n)) == 0)
        }
        #expect(VideoDistill.vd_video_source_seconds(video, Int32(N)).isNaN && VideoDistill.vd_video_sample_replaced(video, -1) == -1)

        var p = vd_encode_default_params()
        var inMemory: OpaquePointer?
        #expect(VideoDistill.vd_encode_frames(m.handle, v.frames, Int32(v.count), Int32(v.height), Int32(v.width),
                                              3 * v.width, &p, &inMemory) == VD_OK)
        defer { VideoDistill.vd_video_free(inMemory) }
        #expect(try Self.encoded(video).tokens == Self.encoded(inMemory!).tokens)
        // A video from frames has no timestamps.
        #expect(VideoDistill.vd_video_source_seconds(inMemory, 0).isNaN)
    }

    @Test func eachBadFileHasItsStatus() throws {
        let m = try CModelFixture("tiny_a")
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var info = vd_video_file_info()
        func status(_ path: String) -> (vd_status, String) {
            switch Self.encode(m, path, info: &info) {
            case .success(let v): VideoDistill.vd_video_free(v); return (VD_OK, "")
            case .failure(let f): return (f.status, f.message)
            }
        }
        let missing = dir.appendingPathComponent("none.mp4").path
        let text = dir.appendingPathComponent("text.mkv").path
        try Data("not a video\n".utf8).write(to: URL(fileURLWithPath: text))
        let empty = dir.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        for (path, want) in [(missing, VD_ERR_NOT_FOUND), (text, VD_ERR_UNDECODABLE), (empty, VD_ERR_NO_FRAMES)] {
            let (st, message) = status(path)
            #expect(st == want && message.contains(path), "\(path): \(st) \(message)")
        }
        var v: OpaquePointer?
        #expect(VideoDistillVideo.vd_encode_video_file(m.handle, nil, nil, &v, nil) == VD_ERR_NULL_POINTER && v == nil)
        #expect(VideoDistillVideo.vd_encode_video_file(nil, text, nil, &v, nil) == VD_ERR_NULL_POINTER)
        #expect(VideoDistillVideo.vd_encode_video_file(m.handle, text, nil, nil, nil) == VD_ERR_NULL_POINTER)
        var bad = VideoDistillVideo.vd_video_file_default_params()
        bad.decode_threads = 2000
        #expect(VideoDistillVideo.vd_encode_video_file(m.handle, text, &bad, &v, nil) == VD_ERR_INVALID_ARGUMENT)
        bad = VideoDistillVideo.vd_video_file_default_params()
        bad.n_threads = 0
        #expect(VideoDistillVideo.vd_encode_video_file(m.handle, text, &bad, &v, nil) == VD_ERR_INVALID_ARGUMENT)
        let notUTF8: [CChar] = [0x2F, -1, -2, 0]   // "/\xff\xfe"
        #expect(VideoDistillVideo.vd_encode_video_file(m.handle, notUTF8, nil, &v, nil) == VD_ERR_INVALID_TEXT)
    }

    /// An mp4 with its index first (faststart) cut short: the file declares more frames than it holds. By
    /// default the video is read from what is there, the frame the cut damaged replaced; `strict` refuses.
    @Test func truncatedFileIsReadOrRefused() throws {
        let m = try CModelFixture("tiny_b")   // N = 8 of the frames
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let v = try FixtureVideo("tiny_a")
        // 4 copies of the fixture video: enough frames to cut (libx264, keyframe every 4).
        let frames = Array([[UInt8]](repeating: v.frames, count: 4).joined())
        let path = dir.appendingPathComponent("fast.mp4").path
        try TestVideos.encode(frames, height: v.height, width: v.width, to: path,
                              args: ["-c:v", "libx264", "-g", "4", "-movflags", "+faststart"])
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.prefix(whole.count * 2 / 3).write(to: URL(fileURLWithPath: path))

        var info = vd_video_file_info()
        let video = try Self.encode(m, path, info: &info).get()
        defer { VideoDistill.vd_video_free(video) }
        #expect(info.declared_frames == Int64(4 * v.count) && info.frame_count < info.declared_frames, "\(info)")
        // Every encoded frame's source is a frame the file holds, and replaced ones name their neighbour.
        let N = Int(m.info.num_frames)
        for n in 0..<N {
            let source = VideoDistill.vd_video_source_frame(video, Int32(n))
            #expect(source >= 0 && Int64(source) < info.frame_count)
        }
        let replaced = (0..<N).filter { VideoDistill.vd_video_sample_replaced(video, Int32($0)) == 1 }
        #expect(replaced.count == Int(info.replaced_frames))

        guard case .failure(let f) = Self.encode(m, path, strict: true, info: &info) else {
            Issue.record("strict accepted a truncated file")
            return
        }
        #expect(f.status == VD_ERR_UNDECODABLE && f.message.contains("declares"), "\(f)")
    }

    /// The tiny_a fixture's frames as a folder of PNGs with one sampled image cut in half (`broken`, the third
    /// sampled frame), and its twin folder where that image is a copy of the sampled one before it (`neighbour`).
    static func brokenFolder() throws -> (dir: URL, twin: URL, brokenFile: URL, broken: Int, neighbour: Int, sourceFrames: [Int]) {
        let v = try FixtureVideo("tiny_a")
        let dir = try TestVideos.folder(), twin = try TestVideos.folder()
        try TestVideos.encode(v.frames, height: v.height, width: v.width, to: dir.appendingPathComponent("f%02d.png").path, args: [])
        let sourceFrames = try NPYArray.load(fixturePath("tiny_a", "source_frames.npy")).int64s.map { Int($0) }
        let broken = sourceFrames[2], neighbour = sourceFrames[1]   // a sampled image and the sampled one before it
        #expect(broken != neighbour)
        for i in 0..<v.count {
            let name = String(format: "f%02d.png", i + 1)   // ffmpeg's image numbering starts at 1
            let from = dir.appendingPathComponent(i == broken ? String(format: "f%02d.png", neighbour + 1) : name)
            try FileManager.default.copyItem(at: from, to: twin.appendingPathComponent(name))
        }
        let brokenFile = dir.appendingPathComponent(String(format: "f%02d.png", broken + 1))
        let bytes = try Data(contentsOf: brokenFile)
        try bytes.prefix(bytes.count / 2).write(to: brokenFile)
        return (dir, twin, brokenFile, broken, neighbour, sourceFrames)
    }

    /// vd_read_video_file_frames gives the frames vd_encode_video_file encodes: encoding them from memory gives its
    /// tokens bit for bit, with the same source frames and the same replacement; its sizes and statuses.
    @Test func readFramesAreTheFramesEncodingDecodes() throws {
        let m = try CModelFixture("tiny_a")
        let (dir, twin, brokenFile, broken, neighbour, sourceFrames) = try Self.brokenFolder()
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: twin) }
        let N = Int(m.info.num_frames)
        var indices = [Int64](repeating: -1, count: N)
        #expect(VideoDistill.vd_frame_indices(9, Int32(N), &indices) == VD_OK && indices.map { Int($0) } == sourceFrames)
        #expect(VideoDistill.vd_frame_indices(0, Int32(N), &indices) == VD_ERR_INVALID_ARGUMENT)

        var info = vd_video_file_info()
        #expect(VideoDistillVideo.vd_read_video_file_frames(dir.path, Int32(N), nil, nil, 0, nil, nil, &info) == VD_OK)
        let (H, W) = (Int(info.height), Int(info.width))
        #expect(info.frame_count == 9 && info.replaced_frames == 0)
        var rgb = [UInt8](repeating: 0, count: N * H * W * 3)
        var used = [Int64](repeating: -1, count: N), seconds = [Double](repeating: 0, count: N)
        #expect(VideoDistillVideo.vd_read_video_file_frames(dir.path, Int32(N), nil, &rgb, rgb.count - 1, nil, nil, &info)
                == VD_ERR_INVALID_ARGUMENT)
        #expect(VideoDistillVideo.vd_read_video_file_frames(dir.path, 0, nil, &rgb, rgb.count, nil, nil, &info) == VD_ERR_INVALID_ARGUMENT)
        #expect(VideoDistillVideo.vd_read_video_file_frames(nil, Int32(N), nil, &rgb, rgb.count, nil, nil, &info) == VD_ERR_NULL_POINTER)
        #expect(VideoDistillVideo.vd_read_video_file_frames(dir.path + "/none", Int32(N), nil, &rgb, rgb.count, nil, nil, &info)
                == VD_ERR_NOT_FOUND)
        #expect(VideoDistillVideo.vd_read_video_file_frames(dir.path, Int32(N), nil, &rgb, rgb.count, &used, &seconds, &info) == VD_OK)
        #expect(used.map { Int($0) } == sourceFrames.map { $0 == broken ? neighbour : $0 })
        #expect(Int(info.replaced_frames) == sourceFrames.filter { $0 == broken }.count && seconds.allSatisfy(\.isNaN))

        var p = vd_encode_default_params()
        var fromMemory: OpaquePointer?
        #expect(VideoDistill.vd_encode_frames(m.handle, rgb, Int32(N), Int32(H), Int32(W), 3 * W, &p, &fromMemory) == VD_OK)
        defer { VideoDistill.vd_video_free(fromMemory) }
        let fromFile = try Self.encode(m, dir.path, info: &info).get()
        defer { VideoDistill.vd_video_free(fromFile) }
        #expect(try Self.encoded(fromMemory!).tokens == Self.encoded(fromFile).tokens)

        var strict = VideoDistillVideo.vd_video_file_default_params()
        strict.strict = true
        #expect(VideoDistillVideo.vd_read_video_file_frames(dir.path, Int32(N), &strict, &rgb, rgb.count, nil, nil, &info)
                == VD_ERR_UNDECODABLE)
        #expect(CAPIFailure(VD_ERR_UNDECODABLE).message.contains(brokenFile.path))
    }

    /// A folder with a broken image: the sampled frame it is stands in with its earlier neighbour by default
    /// (the tokens are those of the folder with that image replaced by its neighbour's copy); `strict` refuses.
    @Test func brokenImageIsReplacedOrRefused() throws {
        let m = try CModelFixture("tiny_a")   // F = 9 images > N = 6: SPEC 1 picks source_frames
        let (dir, twin, brokenFile, broken, neighbour, sourceFrames) = try Self.brokenFolder()
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: twin) }

        var info = vd_video_file_info()
        let video = try Self.encode(m, dir.path, info: &info).get()
        defer { VideoDistill.vd_video_free(video) }
        let expected = try Self.encode(m, twin.path, info: &info).get()
        defer { VideoDistill.vd_video_free(expected) }
        #expect(try Self.encoded(video).tokens == Self.encoded(expected).tokens)
        let N = Int(m.info.num_frames)
        for n in 0..<N {
            let isBroken = sourceFrames[n] == broken
            #expect(VideoDistill.vd_video_sample_replaced(video, Int32(n)) == (isBroken ? 1 : 0), "sample \(n)")
            #expect(Int(VideoDistill.vd_video_source_frame(video, Int32(n))) == (isBroken ? neighbour : sourceFrames[n]))
        }
        guard case .failure(let f) = Self.encode(m, dir.path, strict: true, info: &info) else {
            Issue.record("strict accepted a broken image")
            return
        }
        #expect(f.status == VD_ERR_UNDECODABLE && f.message.contains(brokenFile.path), "\(f)")
    }
}
