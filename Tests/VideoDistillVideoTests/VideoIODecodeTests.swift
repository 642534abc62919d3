import Foundation
import Testing
@testable import VideoDistillVideo
import _VDTestSupport

/// The FFmpeg-backed decoder (`_VDVideoIO` through `VideoFile` / `ImageFolder`) against independent oracles:
/// frames encoded losslessly by the ffmpeg command must decode to exactly the original pixels, and
/// generated videos must decode to what the ffmpeg command itself decodes.
@Suite(.enabled(if: TestVideos.ffmpeg != nil && fixtureExists("tiny_a", "video.npy"), "needs ffmpeg and the tiny_a fixture"))
struct VideoIODecodeTests {
    /// Every frame of each lossless container, read in order, backwards and with repeats.
    @Test(arguments: TestVideos.lossless.map(\.name))
    func losslessVideoDecodesExactly(_ codec: String) throws {
        let spec = TestVideos.lossless.first { $0.name == codec }!
        let v = try FixtureVideo()
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("video.\(spec.ext)").path
        try TestVideos.encode(v.frames, height: v.height, width: v.width, to: path, args: spec.args)

        let file = try VideoFile(path: path, threads: 2)
        #expect(file.frameCount == v.count)
        #expect(file.width == v.width && file.height == v.height)
        for order in [Array(0 ..< v.count), Array((0 ..< v.count).reversed()), [4, 4, 0, 8, 3, 3, 7]] {
            var out = [UInt8](repeating: 0, count: order.count * v.frameBytes)
            try out.withUnsafeMutableBufferPointer { try file.readFrames(order, into: $0) }
            for (j, i) in order.enumerated() {
                #expect(out[j * v.frameBytes ..< (j + 1) * v.frameBytes].elementsEqual(v.frame(i)), "\(codec): frame \(i)")
            }
        }
    }

    /// Phone videos carry a display rotation; frames come out upright, exactly as the ffmpeg command shows
    /// them (it applies the display matrix by default).
    @Test(arguments: [90, 180, 270])
    func displayRotationIsApplied(_ degrees: Int) throws {
        let v = try FixtureVideo()
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("plain.mp4").path, rotated = dir.appendingPathComponent("rotated.mp4").path
        try TestVideos.encode(v.frames, height: v.height, width: v.width, to: plain, args: ["-c:v", "libx264rgb", "-qp", "0"])
        try TestVideos.run(["-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=\(degrees)", rotated])
        let oracle = try TestVideos.decodeWithFFmpeg(rotated)

        let file = try VideoFile(path: rotated, threads: 1)
        #expect(degrees == 180 ? (file.height, file.width) == (v.height, v.width) : (file.height, file.width) == (v.width, v.height))
        #expect(oracle.count == v.count * v.frameBytes)
        var out = [UInt8](repeating: 0, count: v.frameBytes)
        for i in [0, 4, 8] {
            try out.withUnsafeMutableBufferPointer { try file.readFrame(i, into: $0) }
            #expect(out[...].elementsEqual(oracle[i * v.frameBytes ..< (i + 1) * v.frameBytes]), "rotate=\(degrees): frame \(i)")
            #expect(!out[...].elementsEqual(v.frame(i)), "rotate=\(degrees): the frame was turned")
        }
    }

    /// A folder of PNGs numbered 5...13: name order is numeric (frame10 after frame9), pixels exact.
    @Test func pngFolderDecodesExactlyInNumericOrder() throws {
        let v = try FixtureVideo()
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try TestVideos.encode(v.frames, height: v.height, width: v.width, to: dir.appendingPathComponent("frame%d.png").path,
                              args: ["-start_number", "5"])
        try Data("not an image".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        try Data().write(to: dir.appendingPathComponent(".hidden.png"))

        let source = try openFrameSource(path: dir.path, threads: 1)
        #expect(source is ImageFolder)
        #expect(source.frameCount == v.count)
        var out = [UInt8](repeating: 0, count: v.frameBytes)
        for i in [0, 5, 8, 1] {
            try out.withUnsafeMutableBufferPointer { try source.readFrame(i, into: $0) }
            #expect(out[...].elementsEqual(v.frame(i)), "frame \(i) (frame\(i + 5).png)")
        }
    }

    /// A generated 300-frame video with B-frames (h264) and a keyframe every 30 frames: sparse reads in any
    /// order equal the ffmpeg command's own decoding (converted with the same swscale flags), and 20 reads
    /// decode far fewer frames than reading sequentially would.
    @Test(arguments: [("mp4", ["-c:v", "libx264rgb", "-pix_fmt", "rgb24", "-qp", "0", "-bf", "3"]),
                      ("mkv", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-bf", "3"]),
                      ("webm", ["-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p", "-deadline", "realtime"])])
    func seeksToKeyframes(_ ext: String, _ args: [String]) throws {
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("long.\(ext)").path
        try TestVideos.run(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=30", "-frames:v", "300", "-g", "30"] + args + [path])
        let oracle = try TestVideos.decodeWithFFmpeg(path)
        let file = try VideoFile(path: path, threads: 1)
        let frameBytes = file.frameBytes
        #expect(file.frameCount == 300)
        #expect(oracle.count == 300 * frameBytes)
        let sparse = stride(from: 12, to: 300, by: 25).map { $0 }   // 12, 37, ..., 287
        for (n, order) in [sparse, [299, 0, 150, 31, 29, 30, 200, 200]].enumerated() {
            var out = [UInt8](repeating: 0, count: order.count * frameBytes)
            try out.withUnsafeMutableBufferPointer { try file.readFrames(order, into: $0) }
            for (j, i) in order.enumerated() {
                let got = out[j * frameBytes ..< (j + 1) * frameBytes], want = oracle[i * frameBytes ..< (i + 1) * frameBytes]
                #expect(got.elementsEqual(want), "\(ext): frame \(i)")
            }
            if n == 0 {
                // Decoding sequentially to frame 287 takes 288 frames. Seeking when a keyframe (0, 30, 60, ...)
                // lies between the last frame and the next wanted one: 12 + 1 from the start, then 37 - 30 + 1,
                // 62 - 60 + 1, 87 - 62 (no keyframe between), 112 - 90 + 1, ...: 180 frames and 9 seeks.
                let stats = file.stats
                #expect(stats.seeks == 9)
                #expect(stats.framesDecoded == 180, "\(ext): decoded \(stats.framesDecoded) frames for 12 reads")
            }
        }
    }

    /// AVI packets of B-frame video carry no presentation timestamps: frames are counted in decoder output
    /// order and read sequentially (backwards means from the start again), still equal to ffmpeg's frames.
    @Test func aviWithoutTimestampsReadsSequentially() throws {
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bframes.avi").path
        try TestVideos.run(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=30", "-frames:v", "60", "-c:v", "mpeg4",
                            "-q:v", "2", "-bf", "2", "-g", "12", path])
        let oracle = try TestVideos.decodeWithFFmpeg(path)
        let file = try VideoFile(path: path, threads: 1)
        let frameBytes = file.frameBytes
        #expect(file.frameCount == 60)
        let order = [50, 3, 20, 20, 59]
        var out = [UInt8](repeating: 0, count: order.count * frameBytes)
        try out.withUnsafeMutableBufferPointer { try file.readFrames(order, into: $0) }
        for (j, i) in order.enumerated() {
            #expect(out[j * frameBytes ..< (j + 1) * frameBytes].elementsEqual(oracle[i * frameBytes ..< (i + 1) * frameBytes]), "frame \(i)")
        }
        #expect(file.stats.seeks == 0)
        #expect(file.stats.restarts == 1)
    }
}
