import CZlib

/// Decompresses gzip data with zlib, refusing output beyond `limit` bytes (a bomb guard).
func gunzip(_ data: [UInt8], limit: Int = 64 << 20) throws -> [UInt8] {
    guard data.count < Int(UInt32.max) else { throw ConvertError("gzip data over 4 GiB") }
    var stream = z_stream()
    // 16 + MAX_WBITS: gzip wrapper only.
    guard inflateInit2_(&stream, 16 + 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        throw ConvertError("zlib failed to start")
    }
    defer { inflateEnd(&stream) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    var input = data
    let status: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
        stream.next_in = inBuf.baseAddress
        stream.avail_in = UInt32(inBuf.count)
        while true {
            let r: Int32 = chunk.withUnsafeMutableBufferPointer { outBuf in
                stream.next_out = outBuf.baseAddress
                stream.avail_out = UInt32(outBuf.count)
                return inflate(&stream, Z_NO_FLUSH)
            }
            out += chunk[0..<(chunk.count - Int(stream.avail_out))]
            if r != Z_OK || out.count > limit { return r }
            if stream.avail_in == 0 && stream.avail_out != 0 { return Z_BUF_ERROR }
        }
    }
    guard out.count <= limit else { throw ConvertError("gzip data expands beyond \(limit) bytes") }
    guard status == Z_STREAM_END else { throw ConvertError("gzip data is damaged or truncated (zlib status \(status))") }
    return out
}
