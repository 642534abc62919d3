import Foundation
import Testing

/// Test videos made by Debian's `ffmpeg` command (an encoder independent of the decoder under test).
package enum TestVideos {
    /// The ffmpeg executable, if installed.
    package static let ffmpeg: String? = ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Lossless encodings of RGB input: decoding gives back exactly the input frames.
    /// (name, file extension, ffmpeg output arguments)
    package static let lossless: [(name: String, ext: String, args: [String])] = [
        ("h264 rgb (libx264rgb -qp 0) in mp4", "mp4", ["-c:v", "libx264rgb", "-qp", "0"]),
        ("ffv1 in mkv", "mkv", ["-c:v", "ffv1"]),
        ("vp9 lossless in webm", "webm", ["-c:v", "libvpx-vp9", "-lossless", "1"]),
        ("png in avi", "avi", ["-c:v", "png"]),
    ]

    /// A fresh temporary folder.
    package static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vd-videoio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs ffmpeg with `args` (quiet, overwriting), throwing its stderr on failure.
    package static func run(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ffmpeg!)
        p.arguments = ["-nostdin", "-v", "error", "-y"] + args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NPYError("ffmpeg \(args.joined(separator: " ")): \(String(decoding: message, as: UTF8.self))")
        }
    }

    /// Encodes frames [F, H, W, 3] (uint8 RGB) at 25 fps into `path` with the output arguments `args`.
    package static func encode(_ frames: [UInt8], height: Int, width: Int, to path: String, args: [String]) throws {
        let raw = path + ".rgb"
        try Data(frames).write(to: URL(fileURLWithPath: raw))
        defer { try? FileManager.default.removeItem(atPath: raw) }
        try run(["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(width)x\(height)", "-r", "25", "-i", raw] + args + [path])
    }

    /// Decodes `path` to RGB24 with the ffmpeg command (the oracle for lossy or generated videos), converting
    /// with the swscale flags `_VDVideoIO` uses, so YUV videos compare exactly: [F, H, W, 3].
    package static func decodeWithFFmpeg(_ path: String) throws -> [UInt8] {
        let raw = path + ".decoded.rgb"
        defer { try? FileManager.default.removeItem(atPath: raw) }
        try run(["-i", path, "-sws_flags", "bicubic+accurate_rnd+full_chroma_int+full_chroma_inp+bitexact",
                 "-f", "rawvideo", "-pix_fmt", "rgb24", raw])
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: raw)))
    }
}

/// tiny_a's video.npy: frames [F, H, W, 3].
package struct FixtureVideo {
    package let frames: [UInt8]
    package let count: Int, height: Int, width: Int

    package init(_ name: String = "tiny_a") throws {
        let v = try NPYArray.load(fixturePath(name, "video.npy"))
        (frames, count, height, width) = (v.uint8s, v.shape[0], v.shape[1], v.shape[2])
    }

    package var frameBytes: Int { height * width * 3 }

    package func frame(_ i: Int) -> ArraySlice<UInt8> { frames[i * frameBytes ..< (i + 1) * frameBytes] }
}
