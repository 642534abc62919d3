#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a model file, held for as long as any `ModelFile` (and so any `TensorView`) needs them:
/// either a read-only private mapping of the file or an owned copy of a caller's buffer, 64-byte aligned.
final class ModelStorage: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    let isMapped: Bool
    private let release: (UnsafeRawBufferPointer) -> Void

    private init(bytes: UnsafeRawBufferPointer, isMapped: Bool, release: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.bytes = bytes; self.isMapped = isMapped; self.release = release
    }

    /// Gives back to the kernel the resident pages of a mapped file that lie wholly inside bytes
    /// [start, start + count), once their data has been copied elsewhere (int8 weights, packed at load): they
    /// stop counting in the process's memory, and a later read of them refaults them from the file, so the
    /// mapping stays valid. Nothing happens for an owned copy.
    func dropPages(_ start: UnsafeRawPointer, count: Int) {
        guard isMapped, count > 0, let base = bytes.baseAddress, start >= base, start + count <= base + bytes.count else {
            return
        }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return }
        let lo = (Int(bitPattern: start) + page - 1) / page * page
        let hi = (Int(bitPattern: start) + count) / page * page
        guard hi > lo, let p = UnsafeMutableRawPointer(bitPattern: lo) else { return }
        _ = madvise(p, hi - lo, MADV_DONTNEED)
    }

    /// Tells the kernel that a mapped file is read at scattered places (no readahead), so a fault reads its own
    /// page only: an encoded-video file's question reads a few frames' patches, not the file.
    func adviseRandomAccess() {
        guard isMapped, let base = bytes.baseAddress else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base), bytes.count, MADV_RANDOM)
    }

    deinit { release(bytes) }

    /// Maps `path` read-only (PROT_READ, MAP_PRIVATE). The file must not be truncated while mapped. A file
    /// shorter than `minimumSize` is `formatError` (mmap refuses length 0).
    static func map(path: String, minimumSize: Int = 24,
                    formatError: (String) -> VideoDistillError = { .invalidModelFile("GGUF: \($0)") }) throws -> ModelStorage {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VideoDistillError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw VideoDistillError.io("cannot stat \(path): \(String(cString: strerror(errno)))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw VideoDistillError.io("\(path) is not a regular file") }
        let size = Int(st.st_size)
        // mmap refuses length 0; an empty or tiny file is a format error, not an I/O one.
        guard size >= minimumSize else { throw formatError("file is \(size) bytes, shorter than the \(minimumSize)-byte header") }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw VideoDistillError.io("cannot map \(path): \(String(cString: strerror(errno)))")
        }
        return ModelStorage(bytes: UnsafeRawBufferPointer(start: p, count: size), isMapped: true) { b in
            munmap(UnsafeMutableRawPointer(mutating: b.baseAddress), b.count)
        }
    }

    /// Copies `buffer` into an owned 64-byte-aligned allocation.
    static func copy(_ buffer: UnsafeRawBufferPointer) -> ModelStorage {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(buffer.count, 1), alignment: 64)
        if let src = buffer.baseAddress, buffer.count > 0 { p.copyMemory(from: src, byteCount: buffer.count) }
        return ModelStorage(bytes: UnsafeRawBufferPointer(start: p, count: buffer.count), isMapped: false) { b in
            UnsafeMutableRawPointer(mutating: b.baseAddress)?.deallocate()
        }
    }
}
