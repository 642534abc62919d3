#if canImport(Glibc)
import Glibc
#endif

/// A fresh folder under /tmp, removed by `remove()`.
package struct TempDir {
    package let path: String

    package init() {
        var template = Array("/tmp/vd-convert-XXXXXX".utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: p!)
    }

    package func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    package func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = file(name)
        let f = fopen(p, "wb")!
        if !bytes.isEmpty { fwrite(bytes, 1, bytes.count, f) }
        fclose(f)
        return p
    }

    package func write(_ name: String, _ text: String) -> String { write(name, Array(text.utf8)) }

    package func exists(_ name: String) -> Bool { access(file(name), F_OK) == 0 }

    package func remove() {
        if let d = opendir(path) {
            while let e = readdir(d) {
                let n = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if n != "." && n != ".." { unlink(file(n)) }
            }
            closedir(d)
        }
        rmdir(path)
    }
}
