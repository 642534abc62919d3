#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How an encoded-video file stores its tokens.
public enum TokenPrecision: UInt32, CaseIterable, Sendable {
    /// The encoder's floats, exactly: answers from the file equal answers from memory, bit for bit.
    case float32 = 0
    /// IEEE half precision (round to nearest even): half the size.
    case float16 = 1
    /// Patches per token (one row of Dv values): int8 q = round(x / s), s = max|x| / 127, the scale stored as
    /// float32; v_cls in float16, since frame sampling's argmax over the N frames reads them and is where small
    /// errors would flip a selection. About a quarter of the size.
    case int8 = 2

    /// Bytes of one stored value.
    var elementBytes: Int { self == .float32 ? 4 : self == .float16 ? 2 : 1 }
    /// How the v_cls rows are stored: as the patches, except float16 for int8 files.
    var clsPrecision: TokenPrecision { self == .int8 ? .float16 : self }
    public var name: String { self == .float32 ? "float32" : self == .float16 ? "float16" : "int8" }
    /// The precision called `name` ("float32", "float16", "int8"), or nil.
    public static func named(_ name: String) -> TokenPrecision? { allCases.first { $0.name == name } }
}

/// The encoded-video file (include/videodistill.h, "Encoded-video files"): one video's frame tokens, saved once and
/// mapped when loaded, so a question reads only what SPEC 4-6 need -- v_cls of the N frames and the patches of the
/// K selected ones -- not the whole file.
///
/// Layout, little-endian; every section starts at a multiple of 64 bytes, the patch section at a multiple of 4096
/// (so each frame's patches are whole pages of their own when P * Dv * size is):
///
///     0   magic "VDVIDEO1"                 8 bytes
///     8   version (1)                      u32
///     12  precision (TokenPrecision)       u32
///     16  model fingerprint                u64  (`VideoDistillModel.fingerprint`)
///     24  N, 1 + P, Dv                     3 x u32
///     36  flags                            u32  (bit 0: source frames, bit 1: seconds)
///     40  offsets: meta, cls, cls scales, patches, patch scales, file size   6 x u64 (scales 0 unless int8)
///     88  zeros up to 128
///     meta: source frame i64 [N], seconds f64 [N] (NaN: unknown), replaced u8 [N]
///     cls: v_cls [N, Dv] (float16 in int8 files); cls scales (none in version 1: offset 0); patches [N, P, Dv];
///     patch scales f32 [N * P] (int8 files)
///
/// A file is checked when it is opened (magic, version, precision, sizes against the model, every offset, alignment
/// and section size with overflow checks, the file's real size; source frames >= 0, replaced in {0, 1}); token
/// values are not read until a question needs them (a NaN there is the answer's NaN error, never a crash).
public final class EncodedVideoFile: @unchecked Sendable {
    static let magic: [UInt8] = Array("VDVIDEO1".utf8)
    static let version: UInt32 = 1
    static let headerBytes = 128
    static let pageAlignment = 4096

    public let precision: TokenPrecision
    public let fingerprint: UInt64
    /// N, 1 + P, Dv.
    public let frameCount: Int, tokensPerFrame: Int, width: Int
    public let sourceFrameIndices: [Int]?
    public let sourceSeconds: [Double]?
    public let replacedSamples: [Int]
    /// The video the frames were picked from (F, width, height), when the file says.
    public let sourceSize: EncodedVideo.SourceSize?
    /// The file's size in bytes.
    public var byteCount: Int { storage.bytes.count }

    let storage: ModelStorage
    private let clsOffset: Int, clsScalesOffset: Int, patchOffset: Int, patchScalesOffset: Int

    /// Whether the file at `path` starts with the encoded-video magic (false for anything unreadable or shorter).
    public static func isEncodedVideoFile(path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: magic.count)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        return n == magic.count && head == magic
    }

    /// Maps and checks the file at `path`.
    public convenience init(path: String) throws {
        let storage = try ModelStorage.map(path: path, minimumSize: Self.headerBytes) {
            .invalidVideoFile("encoded-video file: \($0)")
        }
        storage.adviseRandomAccess()
        try self.init(storage: storage)
    }

    /// Checks a copy of `bytes` (fuzzing, files in memory).
    public convenience init(bytes: UnsafeRawBufferPointer) throws {
        try self.init(storage: ModelStorage.copy(bytes))
    }

    init(storage: ModelStorage) throws {
        self.storage = storage
        let b = storage.bytes
        func bad(_ why: String) -> VideoDistillError { .invalidVideoFile("encoded-video file: \(why)") }
        guard b.count >= Self.headerBytes else { throw bad("\(b.count) bytes, shorter than the \(Self.headerBytes)-byte header") }
        guard Array(b[0..<8]) == Self.magic else { throw bad("not an encoded-video file (magic \(Array(b[0..<8])))") }
        func u32(_ at: Int) -> UInt32 { b.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian }
        func u64(_ at: Int) -> UInt64 { b.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian }
        guard u32(8) == Self.version else { throw bad("version \(u32(8)), this runtime reads version \(Self.version)") }
        guard let precision = TokenPrecision(rawValue: u32(12)) else { throw bad("unknown precision \(u32(12))") }
        self.precision = precision
        fingerprint = u64(16)
        let (N, T, Dv, flags) = (Int(u32(24)), Int(u32(28)), Int(u32(32)), u32(36))
        let limit = ModelConfig.maxDimension
        guard (1...limit).contains(N), (2...limit).contains(T), (1...limit).contains(Dv) else {
            throw bad("sizes N = \(N), 1 + P = \(T), Dv = \(Dv) out of range")
        }
        guard flags & ~7 == 0 else { throw bad("unknown flags \(flags)") }
        guard b[104..<Self.headerBytes].allSatisfy({ $0 == 0 }) else { throw bad("reserved header bytes 104..<128 are not zero") }
        if flags & 4 != 0 {
            let F = u64(88), w = Int(u32(96)), h = Int(u32(100))
            guard F >= 1, F <= UInt64(Int.max), w >= 1, h >= 1 else {
                throw bad("source size \(F) frames of \(w) x \(h): each must be at least 1")
            }
            sourceSize = EncodedVideo.SourceSize(frameCount: Int(F), width: w, height: h)
        } else {
            guard b[88..<104].allSatisfy({ $0 == 0 }) else { throw bad("source size bytes set without flag bit 2") }
            sourceSize = nil
        }
        (frameCount, tokensPerFrame, width) = (N, T, Dv)

        // The offsets are the layout's own (so a changed precision or size cannot describe another valid file).
        guard let layout = Layout(N: N, T: T, Dv: Dv, precision: precision) else { throw bad("section sizes overflow") }
        let offsets = (0..<6).map { u64(40 + 8 * $0) }
        let expected = [layout.meta, layout.cls, layout.clsScales, layout.patches, layout.patchScales, layout.size].map(UInt64.init)
        guard offsets == expected else {
            throw bad("section offsets \(offsets) are not those of \(precision.name) tokens [\(N), \(T), \(Dv)] (\(expected))")
        }
        guard layout.size == b.count else { throw bad("\(b.count) bytes, the layout needs \(layout.size) (truncated or padded)") }
        (clsOffset, clsScalesOffset, patchOffset, patchScalesOffset) = (layout.cls, layout.clsScales, layout.patches, layout.patchScales)

        let meta = layout.meta
        let frames = (0..<N).map { Int(Int64(littleEndian: b.loadUnaligned(fromByteOffset: meta + 8 * $0, as: Int64.self))) }
        let seconds = (0..<N).map { Double(bitPattern: b.loadUnaligned(fromByteOffset: meta + 8 * N + 8 * $0, as: UInt64.self).littleEndian) }
        let replaced = (0..<N).map { b[meta + 16 * N + $0] }
        guard frames.allSatisfy({ $0 >= 0 }) else { throw bad("a source frame index is negative") }
        if flags & 1 != 0, let F = sourceSize?.frameCount, let beyond = frames.first(where: { $0 >= F }) {
            throw bad("source frame \(beyond) is beyond the source's \(F) frames")
        }
        guard replaced.allSatisfy({ $0 <= 1 }) else { throw bad("a replaced flag is neither 0 nor 1") }
        sourceFrameIndices = flags & 1 != 0 ? frames : nil
        sourceSeconds = flags & 2 != 0 ? seconds : nil
        replacedSamples = replaced.indices.filter { replaced[$0] == 1 }
    }

    /// v_cls of every frame, [N, Dv]: a pointer into the mapping (float32 files), or `scratch` filled.
    func clsRows(scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        let Dv = width
        let p = precision.clsPrecision
        if p == .float32 { return (storage.bytes.baseAddress! + clsOffset).assumingMemoryBound(to: Float.self) }
        for n in 0..<frameCount { decode(p, row: clsOffset + n * Dv * p.elementBytes, scale: 0, into: scratch + n * Dv) }
        return UnsafePointer(scratch)
    }

    /// The P patches of frame `n`, [P, Dv], into `out`.
    func copyPatches(frame n: Int, into out: UnsafeMutablePointer<Float>) {
        let P = tokensPerFrame - 1, Dv = width, e = precision.elementBytes
        for p in 0..<P {
            let token = n * P + p
            decode(precision, row: patchOffset + token * Dv * e, scale: patchScalesOffset + 4 * token, into: out + p * Dv)
        }
    }

    /// Every token, [N, 1 + P, Dv], as floats (Video.tokens of a loaded file: reads the whole file).
    func allTokens() -> [Float] {
        let N = frameCount, T = tokensPerFrame, Dv = width
        var out = [Float](repeating: 0, count: N * T * Dv)
        out.withUnsafeMutableBufferPointer { o in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: N * Dv)
            defer { scratch.deallocate() }
            let cls = clsRows(scratch: scratch)
            for n in 0..<N {
                (o.baseAddress! + n * T * Dv).update(from: cls + n * Dv, count: Dv)
                copyPatches(frame: n, into: o.baseAddress! + (n * T + 1) * Dv)
            }
        }
        return out
    }

    /// One stored row of Dv values at byte `row` as floats.
    private func decode(_ precision: TokenPrecision, row: Int, scale: Int, into out: UnsafeMutablePointer<Float>) {
        let base = storage.bytes.baseAddress!
        switch precision {
        case .float32:
            UnsafeMutableRawPointer(out).copyMemory(from: base + row, byteCount: 4 * width)
        case .float16:
            let h = (base + row).assumingMemoryBound(to: UInt16.self)
            for i in 0..<width { out[i] = Float(Float16(bitPattern: h[i])) }
        case .int8:
            let s = base.loadUnaligned(fromByteOffset: scale, as: Float.self)
            let q = (base + row).assumingMemoryBound(to: Int8.self)
            for i in 0..<width { out[i] = Float(q[i]) * s }
        }
    }

    /// The bytes of `video` as an encoded-video file of `precision`, stamped with `fingerprint`.
    public static func bytes(of video: EncodedVideo, precision: TokenPrecision, fingerprint: UInt64) throws -> [UInt8] {
        let N = video.frameCount, T = video.tokensPerFrame, P = T - 1, Dv = video.width, e = precision.elementBytes
        guard let l = Layout(N: N, T: T, Dv: Dv, precision: precision) else {
            throw VideoDistillError.invalidArgument("an encoded video of [\(N), \(T), \(Dv)] overflows memory sizes")
        }
        if let s = video.sourceSize, !Self.storable(s) {
            throw VideoDistillError.invalidArgument("source size \(s.frameCount) frames of \(s.width) x \(s.height) does not fit the header's fields")
        }
        let (meta, cls, clsScales, patches, patchScales, size) = (l.meta, l.cls, l.clsScales, l.patches, l.patchScales, l.size)
        return try video.withTokens { tokens -> [UInt8] in
            if let bad = tokens.firstIndex(where: { !$0.isFinite }) {
                throw VideoDistillError.invalidArgument("token value \(bad) is not a finite number; an encoded-video file holds finite tokens")
            }
            let row = { (n: Int, t: Int) in tokens.baseAddress! + (n * T + t) * Dv }
            var out = [UInt8](repeating: 0, count: size)
            out.withUnsafeMutableBytes { o in
                func put<V>(_ v: V, _ at: Int) { withUnsafeBytes(of: v) { o.baseAddress!.advanced(by: at).copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
                for (i, byte) in magic.enumerated() { o[i] = byte }
                put(version.littleEndian, 8); put(precision.rawValue.littleEndian, 12); put(fingerprint.littleEndian, 16)
                put(UInt32(N).littleEndian, 24); put(UInt32(T).littleEndian, 28); put(UInt32(Dv).littleEndian, 32)
                let flags: UInt32 = (video.sourceFrameIndices != nil ? 1 : 0) | (video.sourceSeconds != nil ? 2 : 0)
                    | (video.sourceSize != nil ? 4 : 0)
                put(flags.littleEndian, 36)
                for (i, offset) in [meta, cls, clsScales, patches, patchScales, size].enumerated() { put(UInt64(offset).littleEndian, 40 + 8 * i) }
                if let s = video.sourceSize {
                    put(UInt64(s.frameCount).littleEndian, 88); put(UInt32(s.width).littleEndian, 96); put(UInt32(s.height).littleEndian, 100)
                }
                for n in 0..<N {
                    put(Int64(video.sourceFrameIndices?[n] ?? n).littleEndian, meta + 8 * n)
                    put((video.sourceSeconds?[n] ?? .nan).bitPattern.littleEndian, meta + 8 * N + 8 * n)
                    o[meta + 16 * N + n] = video.replacedSamples.contains(n) ? 1 : 0
                }
                // Token (n, t) goes to v_cls row n (t = 0) or patch row n * P + t - 1.
                for n in 0..<N {
                    for t in 0..<T {
                        if t == 0 {
                            let p = precision.clsPrecision
                            encode(row(n, 0), Dv, p, into: o.baseAddress! + cls + n * Dv * p.elementBytes, scale: o.baseAddress!)
                        } else {
                            let token = n * P + t - 1
                            encode(row(n, t), Dv, precision, into: o.baseAddress! + patches + token * Dv * e,
                                   scale: o.baseAddress! + patchScales + 4 * token)
                        }
                    }
                }
            }
            return out
        }
    }

    /// Whether a source size fits the header (F a positive i63, width and height positive u32).
    static func storable(_ s: EncodedVideo.SourceSize) -> Bool {
        s.frameCount >= 1 && (1...Int(UInt32.max)).contains(s.width) && (1...Int(UInt32.max)).contains(s.height)
    }

    /// Where each section lies for tokens [N, T, Dv] of `precision` (scales 0 unless int8); nil on overflow.
    struct Layout {
        let meta: Int, cls: Int, clsScales: Int, patches: Int, patchScales: Int, size: Int

        init?(N: Int, T: Int, Dv: Int, precision: TokenPrecision) {
            let e = precision.elementBytes, scaled = precision == .int8
            func align(_ x: Int, _ a: Int) -> Int? {
                let (s, o) = x.addingReportingOverflow(a - 1)
                return o ? nil : s / a * a
            }
            func mul(_ xs: Int...) -> Int? {
                var p = 1
                for x in xs {
                    let (r, o) = p.multipliedReportingOverflow(by: x)
                    if o { return nil }
                    p = r
                }
                return p
            }
            func add(_ a: Int, _ b: Int) -> Int? { let (s, o) = a.addingReportingOverflow(b); return o ? nil : s }
            guard let metaBytes = mul(N, 17), let clsBytes = mul(N, Dv, precision.clsPrecision.elementBytes),
                  let patchBytes = mul(N, T - 1, Dv, e),
                  let patchScaleBytes = mul(N, T - 1, 4),
                  let cls = add(EncodedVideoFile.headerBytes, metaBytes).flatMap({ align($0, 64) }),
                  let clsEnd = add(cls, clsBytes) else { return nil }
            let clsScales = 0   // v_cls is never int8 in version 1
            guard let patches = align(clsEnd, EncodedVideoFile.pageAlignment),
                  let patchEnd = add(patches, patchBytes) else { return nil }
            let patchScales = scaled ? (align(patchEnd, 64) ?? -1) : 0
            guard patchScales >= 0, let size = scaled ? add(patchScales, patchScaleBytes) : patchEnd else { return nil }
            (meta, self.cls, self.clsScales, self.patches, self.patchScales, self.size) =
                (EncodedVideoFile.headerBytes, cls, clsScales, patches, patchScales, size)
        }
    }

    /// One row of Dv floats in `precision` at `out` (int8: its scale at `scale`).
    private static func encode(_ x: UnsafePointer<Float>, _ Dv: Int, _ precision: TokenPrecision,
                               into out: UnsafeMutableRawPointer, scale: UnsafeMutableRawPointer) {
        switch precision {
        case .float32:
            out.copyMemory(from: x, byteCount: 4 * Dv)
        case .float16:
            for i in 0..<Dv { out.storeBytes(of: Float16(x[i]).bitPattern.littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
        case .int8:
            var m: Float = 0
            for i in 0..<Dv { m = Swift.max(m, abs(x[i])) }
            let s = m > 0 ? m / 127 : 1
            scale.storeBytes(of: s, as: Float.self)
            for i in 0..<Dv {
                out.storeBytes(of: Int8(Swift.max(-127, Swift.min(127, (x[i] / s).rounded(.toNearestOrEven)))),
                               toByteOffset: i, as: Int8.self)
            }
        }
    }
}
