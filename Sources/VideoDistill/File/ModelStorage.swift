#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a model file, held for as long as any `ModelFile` (and so any `TensorView`) needs them:
/// either a read-only private mapping of the file or an owned copy of a caller's buffer, 64-byte aligned.
final class ModelStorage: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let release: (UnsafeRawBufferPointer) -> Void

    private init(bytes: UnsafeRawBufferPointer, release: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.bytes = bytes; self.release = release
    }

    deinit { release(bytes) }

    /// Maps `path` read-only (PROT_READ, MAP_PRIVATE). The file must not be truncated while mapped.
    static func map(path: String) throws -> ModelStorage {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VideoDistillError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw VideoDistillError.io("cannot stat \(path): \(String(cString: strerror(errno)))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw VideoDistillError.io("\(path) is not a regular file") }
        let size = Int(st.st_size)
        // mmap refuses length 0; an empty or tiny file is a format error, not an I/O one.
        guard size >= 24 else {
            throw VideoDistillError.invalidModelFile("GGUF: file is \(size) bytes, shorter than the 24-byte header")
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw VideoDistillError.io("cannot map \(path): \(String(cString: strerror(errno)))")
        }
        return ModelStorage(bytes: UnsafeRawBufferPointer(start: p, count: size)) { b in
            munmap(UnsafeMutableRawPointer(mutating: b.baseAddress), b.count)
        }
    }

    /// Copies `buffer` into an owned 64-byte-aligned allocation.
    static func copy(_ buffer: UnsafeRawBufferPointer) -> ModelStorage {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(buffer.count, 1), alignment: 64)
        if let src = buffer.baseAddress, buffer.count > 0 { p.copyMemory(from: src, byteCount: buffer.count) }
        return ModelStorage(bytes: UnsafeRawBufferPointer(start: p, count: buffer.count)) { b in
            UnsafeMutableRawPointer(mutating: b.baseAddress)?.deallocate()
        }
    }
}
