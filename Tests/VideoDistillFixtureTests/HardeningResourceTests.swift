import CVideoDistillAPI
import Foundation
import Testing
@testable import VideoDistill
import _VDTestSupport
import _VDFixtureModels

/// Issue 7, resource limits: hostile sizes are refused before anything is allocated from them; a 100,000-frame
/// video costs the memory of the N frames the model samples, not of the video; each encoded video holds
/// N x (1 + P) x Dv floats and little else; an aborted encode gives back everything it took.
/// Memory is measured in child processes (exit tests), where no other test allocates at the same time.
@Suite struct HardeningResourceTests {
    /// A GGUF header declaring whatever the test wants, with no data behind it.
    static func header(tensors: UInt64, kvs: UInt64, _ body: [UInt8]) -> [UInt8] {
        var out = Array("GGUF".utf8)
        for v in [UInt32(3)] { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        for v in [tensors, kvs] { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        return out + body
    }

    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    static func string(_ s: String) -> [UInt8] { le(UInt64(s.utf8.count)) + Array(s.utf8) }

    /// Small files whose declared sizes would need terabytes: each is refused, through the Swift and the C API.
    static let hostileFiles: [(String, [UInt8])] = [
        ("tensor count 2^40", header(tensors: 1 << 40, kvs: 0, [])),
        ("metadata count 2^62", header(tensors: 0, kvs: 1 << 62, [])),
        ("string of 2^60 bytes", header(tensors: 0, kvs: 1, le(UInt64(1) << 60) + Array("key".utf8))),
        ("array of 2^61 u64", header(tensors: 0, kvs: 1, string("a") + le(UInt32(9)) + le(UInt32(10)) + le(UInt64(1) << 61))),
        ("tensor [2^20, 2^20, 2^20, 2^20] f32",
         header(tensors: 1, kvs: 0, string("t") + le(UInt32(4)) + [1 << 20, 1 << 20, 1 << 20, 1 << 20].flatMap { le(UInt64($0)) }
                + le(UInt32(0)) + le(UInt64(0)))),
        ("tensor [2^20, 2^20] f32 (4 TiB) in a 100-byte file",
         header(tensors: 1, kvs: 0, string("t") + le(UInt32(2)) + le(UInt64(1 << 20)) + le(UInt64(1 << 20))
                + le(UInt32(0)) + le(UInt64(0)))),
        ("tensor offset 2^63 - 64", header(tensors: 1, kvs: 0, string("t") + le(UInt32(1)) + le(UInt64(4)) + le(UInt32(0))
                                          + le(UInt64(Int64.max - 63)))),
        // A complete small model whose config declares 2^20 layers in every stack: the SPEC 10 table for it
        // would be ~75 million rows (found by the modelfile fuzz target with text_layers = 196,611).
        ("2^20 layers per stack", TinyModel.file(metadata: ["vision_layers", "text_layers", "fs_layers", "vr_layers"].reduce(
            TinyModel.metadata()) { kv, key in
                TinyModel.replacing(ModelFileKeys.config(key), with: .uint32(UInt32(ModelConfig.maxDimension)), in: kv)
            })),
    ]

    @Test func hugeDeclaredSizesAreRefusedBeforeAllocation() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            childReport(try { () throws -> (ok: Bool, line: String) in
                let files = HardeningResourceTests.hostileFiles  // built before the measurement
                ProcessStats.resetPeak()
                let before = ProcessStats.peakResidentBytes()
                var failures = 0
                for (name, bytes) in files {
                    do { _ = try ModelFile(bytes: bytes); print("loaded: \(name)"); failures += 1 } catch VideoDistillError.invalidModelFile {
                    } catch { print("\(name): \(error)"); failures += 1 }
                    var m: OpaquePointer?
                    let st = bytes.withUnsafeBytes { VideoDistill.vd_model_load_from_buffer($0.baseAddress, $0.count, nil, &m) }
                    if st != VD_ERR_MODEL_FILE || m != nil { print("\(name): C API status \(st.rawValue)"); failures += 1 }
                }
                let grown = ProcessStats.peakResidentBytes() - before
                return (failures == 0 && (ProcessStats.sanitized || grown < 16 << 20),
                            "peak RSS grew by \(grown / 1024) KiB over \(files.count) hostile files")
            }())
        }
        expectChildReport(result)
    }

    /// A video of 100,000 frames (64 x 48 RGB, 921.6 MB) in a file mapped read-only, as a host with a long
    /// video on disk would pass it: the encode reads only the N frames SPEC 1 samples, so the peak RSS grows by
    /// a few MB (scratch), not by the video. Frames are in the file's holes except the sampled ones.
    @Test func hundredThousandFrameVideoKeepsMemoryBounded() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            childReport(try { () throws -> (ok: Bool, line: String) in
                let m = try CModelFixture("tiny_a")
                let (F, H, W) = (100_000, 48, 64), frameBytes = H * W * 3
                let dir = TempDir()
                defer { dir.remove() }
                let path = dir.file("video.rgb")
                let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
                guard fd >= 0, ftruncate(fd, off_t(F * frameBytes)) == 0 else { exit(2) }
                let picked = FramePipeline.frameIndices(frameCount: F, numFrames: Int(m.info.num_frames))
                let frame = (0..<frameBytes).map { UInt8(truncatingIfNeeded: $0 * 7) }
                for i in picked { _ = frame.withUnsafeBytes { pwrite(fd, $0.baseAddress, frameBytes, off_t(i * frameBytes)) } }
                guard let map = mmap(nil, F * frameBytes, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else { exit(2) }
                close(fd)
                ProcessStats.resetPeak()
                let before = ProcessStats.peakResidentBytes()
                var video: OpaquePointer?
                let st = VideoDistill.vd_encode_frames(m.handle, map.assumingMemoryBound(to: UInt8.self), Int32(F),
                                                       Int32(H), Int32(W), 3 * W, nil, &video)
                let grown = ProcessStats.peakResidentBytes() - before
                guard st == VD_OK, let video else { print(CAPIFailure(st)); exit(1) }
                let sources = (0..<m.info.num_frames).map { VideoDistill.vd_video_source_frame(video, $0) }
                VideoDistill.vd_video_free(video)
                munmap(map, F * frameBytes)
                return (sources == picked.map(Int32.init) && (ProcessStats.sanitized || grown < 32 << 20),
                            "100,000 frames (\(F * frameBytes / 1_000_000) MB mapped): peak RSS grew by \(grown / 1024) KiB; "
                                + "sampled frames \(sources)")
            }())
        }
        expectChildReport(result)
    }

    /// Memory held per encoded video: N x (1 + P) x Dv floats of tokens plus a few hundred bytes (the handle, the
    /// array header, N source indices). Measured as the anonymous RSS growth from 1,000 to 3,000 live videos of
    /// tiny_a (N = 6, P = 16, Dv = 48: 19,584 bytes of tokens each). For the paper config (N = 100, P = 196, Dv = 768) the same formula
    /// gives 60,518,400 bytes (57.7 MiB) per video.
    @Test func memoryHeldPerEncodedVideoIsTheTokens() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            childReport(try { () throws -> (ok: Bool, line: String) in
                let m = try CModelFixture("tiny_a")
                let i = m.info
                let pixels = (0..<Int(i.num_frames * 3 * i.image_size * i.image_size)).map { Float($0 % 17) / 17 }
                func encode() -> OpaquePointer? {
                    var v: OpaquePointer?
                    _ = pixels.withUnsafeBufferPointer { VideoDistill.vd_encode_pixels(m.handle, $0.baseAddress, i.num_frames, nil, &v) }
                    return v
                }
                // The growth between 1,000 and 3,000 live videos: one-time effects (freed scratch reused, caches)
                // cancel out.
                var videos = (0..<1000).map { _ in encode() }
                let before = ProcessStats.anonymousBytes()
                videos += (0..<2000).map { _ in encode() }
                let perVideo = Double(ProcessStats.anonymousBytes() - before) / 2000
                let failed = videos.filter { $0 == nil }.count
                videos.forEach { VideoDistill.vd_video_free($0) }
                let tokens = Double(Int(i.num_frames) * (1 + Int(i.patches_per_frame)) * Int(i.vision_width) * 4)
                return (failed == 0 && (ProcessStats.sanitized || (perVideo >= tokens && perVideo <= tokens + 1024)),
                            String(format: "per encoded video: %.0f bytes measured, N(1+P)Dv x 4 = %.0f bytes", perVideo, tokens))
            }())
        }
        expectChildReport(result)
    }

    /// Abort through the C callback at every poll an encode makes: each fails with VD_ERR_ABORTED and no video,
    /// and 300 aborted encodes leave the RSS where it was.
    @Test func abortedEncodesReleaseEverything() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            childReport(try { () throws -> (ok: Bool, line: String) in
                let m = try CModelFixture("tiny_a")
                let frames = try NPYArray.load(fixturePath("tiny_a", "video.npy"))
                let (F, H, W) = (Int32(frames.shape[0]), Int32(frames.shape[1]), Int32(frames.shape[2]))
                let rgb = frames.uint8s
                // Count the polls of a whole encode, then abort at each of them in turn.
                final class Counter { var polls = 0; var stopAt = 0 }
                let counter = Counter()
                var p = vd_encode_default_params()
                p.abort = { user in
                    let c = Unmanaged<Counter>.fromOpaque(user!).takeUnretainedValue()
                    c.polls += 1
                    return c.stopAt > 0 && c.polls >= c.stopAt
                }
                p.abort_user_data = Unmanaged.passUnretained(counter).toOpaque()
                func encode(stopAt: Int) -> (vd_status, OpaquePointer?) {
                    counter.polls = 0
                    counter.stopAt = stopAt
                    var v: OpaquePointer?
                    let st = rgb.withUnsafeBufferPointer { VideoDistill.vd_encode_frames(m.handle, $0.baseAddress, F, H, W, 3 * Int(W), &p, &v) }
                    return (st, v)
                }
                let (ok, v) = encode(stopAt: 0)
                guard ok == VD_OK else { exit(2) }
                VideoDistill.vd_video_free(v)
                let polls = counter.polls
                for _ in 0..<20 { for k in 1...polls { _ = encode(stopAt: k) } }  // warm-up
                let before = ProcessStats.residentBytes()
                var wrong = 0
                for _ in 0..<300 / polls + 1 {
                    for k in 1...polls {
                        let (st, video) = encode(stopAt: k)
                        if st != VD_ERR_ABORTED || video != nil { wrong += 1 }
                    }
                }
                let grown = ProcessStats.residentBytes() - before
                return (wrong == 0 && (ProcessStats.sanitized || grown < 1 << 20),
                            "\(polls) abort polls per encode; \(300 / polls + 1) x \(polls) aborted encodes: RSS grew by "
                                + "\(grown / 1024) KiB, \(wrong) wrong results")
            }())
        }
        expectChildReport(result)
    }
}
