import CZlib
import Foundation

/// Writes an `RGBImage` as a PNG file (ISO/IEC 15948): 8-bit truecolour, no interlace, every scanline with
/// filter type 0 (None), the image data one zlib stream (Debian's zlib: `compress2`, chunk CRCs by `crc32`).
public enum PNGWriter {
    /// The PNG bytes of `image`.
    public static func encode(_ image: RGBImage) throws -> [UInt8] {
        let W = image.width, H = image.height
        // Scanlines: a filter byte (0) then 3W bytes.
        var raw = [UInt8](repeating: 0, count: H * (1 + 3 * W))
        image.pixels.withUnsafeBufferPointer { px in
            raw.withUnsafeMutableBufferPointer { out in
                for y in 0..<H {
                    let dst = out.baseAddress! + y * (1 + 3 * W) + 1
                    dst.update(from: px.baseAddress! + y * 3 * W, count: 3 * W)
                }
            }
        }
        var size = compressBound(uLong(raw.count))
        var packed = [UInt8](repeating: 0, count: Int(size))
        let status = compress2(&packed, &size, raw, uLong(raw.count), 6)
        guard status == Z_OK else { throw CommandFailure(.failure, "zlib compress2 failed with status \(status)") }

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        // IHDR: width, height, bit depth 8, colour type 2 (RGB), compression 0, filter 0, interlace 0.
        chunk("IHDR", bigEndian(UInt32(W)) + bigEndian(UInt32(H)) + [8, 2, 0, 0, 0], into: &png)
        chunk("IDAT", Array(packed[0 ..< Int(size)]), into: &png)
        chunk("IEND", [], into: &png)
        return png
    }

    /// Writes the PNG of `image` to `path` (replacing the file); failure is `.failure` naming the path.
    public static func write(_ image: RGBImage, to path: String) throws {
        let bytes = try encode(image)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandFailure(.failure, "cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Appends a chunk: length, type, data, CRC-32 of type and data (all big-endian).
    private static func chunk(_ type: String, _ data: [UInt8], into png: inout [UInt8]) {
        let typed = Array(type.utf8) + data
        png += bigEndian(UInt32(data.count))
        png += typed
        png += bigEndian(UInt32(crc32(0, typed, uInt(typed.count))))
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}
