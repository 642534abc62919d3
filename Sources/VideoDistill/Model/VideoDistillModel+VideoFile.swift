import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Encoded-video files (`EncodedVideoFile`): save a video once, load it back, mapped, for the model that made it.
extension VideoDistillModel {
    /// What ties an encoded-video file to its model: a 64-bit hash of everything that decides a video's tokens --
    /// the frame side's config (S, R, patch, Dv, vision layers and heads, mean, std, eps, N) and every frame-encoder
    /// tensor's name, type, shape and bytes (int8 scales included). Two model files with the same frame encoder (an
    /// int8 file that keeps the ViT in fp32, say) share it, so their videos are interchangeable; any other difference
    /// in those bytes changes it. Computed once per model, on first use (it reads the frame encoder's weights once).
    public var fingerprint: UInt64 { fingerprintCache.value { Self.fingerprint(of: file) } }

    static func fingerprint(of file: ModelFile) -> UInt64 {
        var h = ContentHash()
        let c = file.config
        for v in [c.imageSize, c.resizeShort, c.patchSize, c.visionWidth, c.visionLayers, c.visionHeads, c.numFrames] {
            h.add(UInt64(v))
        }
        for v in c.mean + c.std + [c.clipLnEps] { h.add(UInt64(v.bitPattern)) }
        let frameSide = { (name: String) in name.hasPrefix(FrameEncoder.prefix) }
        for (kind, table) in [(1, file.tensors), (2, file.scales)] {
            for name in table.keys.filter(frameSide).sorted() {
                let t = table[name]!
                h.add(UInt64(kind))
                Array(name.utf8).withUnsafeBytes { h.add(bytes: $0) }
                h.add(UInt64(t.type.rawValue))
                for d in t.shape { h.add(UInt64(d)) }
                h.add(bytes: UnsafeRawBufferPointer(start: t.data, count: t.byteCount))
            }
        }
        return h.value
    }

    /// Writes `video` (this model's) to `path` as an encoded-video file of `precision`: to a temporary file beside
    /// it, then renamed over `path`, so a reader never sees half a file.
    public func save(_ video: EncodedVideo, to path: String, precision: TokenPrecision = .float32) throws {
        try check(video)
        let bytes = try EncodedVideoFile.bytes(of: video, precision: precision, fingerprint: fingerprint)
        let temporary = path + ".partial-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw VideoDistillError.io("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        let ok = bytes.withUnsafeBytes { b -> Bool in
            while written < b.count {
                let n = write(fd, b.baseAddress! + written, b.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return true
        }
        let error = String(cString: strerror(errno))
        guard close(fd) == 0, ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw VideoDistillError.io("cannot write \(path): \(error)")
        }
    }

    /// Maps and checks the encoded-video file at `path`; `.wrongModel` unless this model's frame encoder made it.
    /// Opening reads the header and the N frames' metadata only.
    public func loadVideo(path: String) throws -> EncodedVideo {
        try video(from: EncodedVideoFile(path: path))
    }

    /// A checked encoded-video file as this model's video.
    public func video(from file: EncodedVideoFile) throws -> EncodedVideo {
        let c = config
        guard file.frameCount == c.numFrames, file.tokensPerFrame == c.tokensPerFrame, file.width == c.visionWidth else {
            throw VideoDistillError.wrongModel(
                "the encoded-video file holds [\(file.frameCount), \(file.tokensPerFrame), \(file.width)] tokens; this model takes [N, 1+P, Dv] = [\(c.numFrames), \(c.tokensPerFrame), \(c.visionWidth)]")
        }
        guard file.fingerprint == fingerprint else {
            throw VideoDistillError.wrongModel(
                "the encoded-video file was made by another model (fingerprint \(hex(file.fingerprint)), this model's is \(hex(fingerprint)))")
        }
        return EncodedVideo(file: file, modelIdentity: identity)
    }
}

private func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

/// A 64-bit content hash (not cryptographic): four lanes over 8-byte words, each word mixed by multiply and
/// rotate, finished with SplitMix64's avalanche. Fast enough to read a ViT's weights in well under a second.
struct ContentHash {
    private var lanes: (UInt64, UInt64, UInt64, UInt64) = (0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344,
                                                          0xA409_3822_299F_31D0, 0x082E_FA98_EC4E_6C89)
    private var length: UInt64 = 0

    private static func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
        let x = (h ^ (w &* 0x9E37_79B9_7F4A_7C15))
        return ((x << 29) | (x >> 35)) &* 0xBF58_476D_1CE4_E5B9
    }

    mutating func add(_ word: UInt64) {
        lanes.0 = Self.mix(lanes.0, word)
        length &+= 8
    }

    mutating func add(bytes: UnsafeRawBufferPointer) {
        let words = bytes.count / 8
        var i = 0
        while i + 4 <= words {
            lanes.0 = Self.mix(lanes.0, bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
            lanes.1 = Self.mix(lanes.1, bytes.loadUnaligned(fromByteOffset: 8 * i + 8, as: UInt64.self))
            lanes.2 = Self.mix(lanes.2, bytes.loadUnaligned(fromByteOffset: 8 * i + 16, as: UInt64.self))
            lanes.3 = Self.mix(lanes.3, bytes.loadUnaligned(fromByteOffset: 8 * i + 24, as: UInt64.self))
            i += 4
        }
        while i < words { lanes.0 = Self.mix(lanes.0, bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)); i += 1 }
        var tail: UInt64 = 0
        for j in (8 * words)..<bytes.count { tail |= UInt64(bytes[j]) << (8 * UInt64(j - 8 * words)) }
        lanes.1 = Self.mix(lanes.1, tail)
        length &+= UInt64(bytes.count)
    }

    var value: UInt64 {
        var z = lanes.0 ^ (lanes.1 << 1 | lanes.1 >> 63) ^ (lanes.2 << 2 | lanes.2 >> 62) ^ (lanes.3 << 3 | lanes.3 >> 61) ^ length
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A value computed once, on first use, by whichever thread asks first (the others wait for it).
final class OnceValue<Value: Sendable>: Sendable {
    private let slot = Mutex<Value?>(nil)

    func value(_ make: () -> Value) -> Value {
        slot.withLock { v in
            if let v { return v }
            let made = make()
            v = made
            return made
        }
    }
}
