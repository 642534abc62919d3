import Foundation
import Testing
@testable import VideoDistillVideo
import _VDTestSupport

/// Bad input to the decoder gives a `FrameSourceError` naming the problem, never a crash.
@Suite(.enabled(if: TestVideos.ffmpeg != nil && fixtureExists("tiny_a", "video.npy"), "needs ffmpeg and the tiny_a fixture"))
struct VideoIOErrorTests {
    /// Whether `body` throws `FrameSourceError.<case>` (compared by case only).
    private func expectError(_ expected: FrameSourceError, _ what: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("\(what): no error")
        } catch let e as FrameSourceError {
            switch (e, expected) {
            case (.notFound, .notFound), (.undecodable, .undecodable), (.noFrames, .noFrames),
                 (.invalidArgument, .invalidArgument): break
            default: Issue.record("\(what): got \(e), expected a \(expected) error")
            }
            #expect(!e.description.isEmpty)
        } catch {
            Issue.record("\(what): unexpected \(error)")
        }
    }

    private func makeVideo(_ dir: URL, _ name: String, _ args: [String]) throws -> String {
        let v = try FixtureVideo()
        let path = dir.appendingPathComponent(name).path
        try TestVideos.encode(v.frames, height: v.height, width: v.width, to: path, args: args)
        return path
    }

    @Test func missingFiles() throws {
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("nothing.mp4").path
        expectError(.notFound(""), "openFrameSource") { _ = try openFrameSource(path: missing, threads: 1) }
        expectError(.notFound(""), "VideoFile") { _ = try VideoFile(path: missing, threads: 1) }
    }

    @Test func filesThatAreNotVideos() throws {
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var noise = SplitMix64(seed: 11)   // fixed: rare unseeded noise is a raw stream libav decodes
        let cases: [(String, Data)] = [
            ("empty.mp4", Data()),
            ("text.mkv", Data("this is not a video\n".utf8)),
            ("noise.webm", Data((0 ..< 100_000).map { _ in UInt8.random(in: 0...255, using: &noise) })),
        ]
        for (name, bytes) in cases {
            let path = dir.appendingPathComponent(name).path
            try bytes.write(to: URL(fileURLWithPath: path))
            expectError(.undecodable(""), name) { _ = try openFrameSource(path: path, threads: 1) }
        }
        // Sound only: no video stream.
        let audio = dir.appendingPathComponent("tone.mkv").path
        try TestVideos.run(["-f", "lavfi", "-i", "sine=duration=0.2", "-c:a", "pcm_s16le", audio])
        expectError(.undecodable(""), "audio only") { _ = try VideoFile(path: audio, threads: 1) }
        // An mp4 cut before its index (ffmpeg writes the moov box last).
        let mp4 = try makeVideo(dir, "cut.mp4", ["-c:v", "libx264rgb", "-qp", "0"])
        let whole = try Data(contentsOf: URL(fileURLWithPath: mp4))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: mp4))
        expectError(.undecodable(""), "truncated mp4") { _ = try VideoFile(path: mp4, threads: 1) }
    }

    /// Damaged files (cut short, bytes overwritten) either read or throw; 60 variants, fixed seed.
    @Test func damagedFilesNeverCrash() throws {
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SplitMix64(seed: 7)
        for (name, args) in [("a.mkv", ["-c:v", "ffv1"]), ("a.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv444p"])] {
            let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try makeVideo(dir, name, args))))
            for trial in 0 ..< 30 {
                var bytes = original
                if trial % 3 == 0 {
                    bytes.removeLast(Int(rng.next() % UInt64(bytes.count)))
                } else {
                    for _ in 0 ..< [1, 8, 64][trial % 3] { bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next()) }
                }
                let path = dir.appendingPathComponent("damaged-\(name)").path
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                do {
                    let file = try VideoFile(path: path, threads: 1)
                    var out = [UInt8](repeating: 0, count: file.frameCount * file.frameBytes)
                    try out.withUnsafeMutableBufferPointer { try file.readFrames(Array(0 ..< file.frameCount), into: $0) }
                } catch is FrameSourceError {
                    // A clear error is the right outcome for a damaged file.
                }
            }
        }
    }

    @Test func badArguments() throws {
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try VideoFile(path: try makeVideo(dir, "a.mkv", ["-c:v", "ffv1"]), threads: 1)
        var out = [UInt8](repeating: 0, count: file.frameBytes)
        expectError(.invalidArgument(""), "index F") { try out.withUnsafeMutableBufferPointer { try file.readFrame(file.frameCount, into: $0) } }
        expectError(.invalidArgument(""), "index -1") { try out.withUnsafeMutableBufferPointer { try file.readFrame(-1, into: $0) } }
        expectError(.invalidArgument(""), "small buffer") { try out.withUnsafeMutableBufferPointer { try file.readFrames([0, 1], into: $0) } }
        var stopped = false
        do {
            var two = [UInt8](repeating: 0, count: 2 * file.frameBytes)
            try two.withUnsafeMutableBufferPointer { try file.readFrames([0, 1], into: $0) { done, _ in done < 1 } }
        } catch FrameSourceError.aborted { stopped = true }
        #expect(stopped, "a progress callback returning false stops the read")
    }

    @Test func badImageFolders() throws {
        let dir = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        expectError(.noFrames(""), "empty folder") { _ = try openFrameSource(path: dir.path, threads: 1) }
        let v = try FixtureVideo()
        try TestVideos.encode(v.frames, height: v.height, width: v.width, to: dir.appendingPathComponent("f%02d.png").path, args: [])
        try TestVideos.run(["-f", "lavfi", "-i", "color=red:size=16x16", "-frames:v", "1", dir.appendingPathComponent("f99.png").path])
        do {
            _ = try ImageFolder(path: dir.path, threads: 1)
            Issue.record("mixed sizes: no error")
        } catch let e as FrameSourceError {
            #expect(e.description.contains("one size"), "\(e)")
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("f99.png"))
        // An image that is not one opens as a frame that cannot be decoded (the video library replaces it).
        try Data("junk".utf8).write(to: dir.appendingPathComponent("f50.jpg"))
        let folder = try ImageFolder(path: dir.path, threads: 1)
        var out = [UInt8](repeating: 7, count: folder.frameBytes)
        expectError(.undecodable(""), "the junk image") {
            try out.withUnsafeMutableBufferPointer { try folder.readFrame(folder.frameCount - 1, into: $0) }
        }
        #expect(out.allSatisfy { $0 == 7 }, "a failed read leaves the buffer as it was")
        // A folder of nothing but junk images is undecodable.
        let junk = try TestVideos.folder()
        defer { try? FileManager.default.removeItem(at: junk) }
        try Data("junk".utf8).write(to: junk.appendingPathComponent("a.png"))
        expectError(.undecodable(""), "only junk") { _ = try ImageFolder(path: junk.path, threads: 1) }
    }
}
