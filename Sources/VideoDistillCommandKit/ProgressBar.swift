#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on standard error: `decoding [#########-----------]  3/6`, redrawn in place,
/// one line per phase. Silent unless enabled (by default only when standard error is a terminal).
public final class ProgressBar {
    public let enabled: Bool
    private var label: String?
    private static let width = 30

    /// `forced`: draw even when standard error is not a terminal (`--progress`).
    public init(forced: Bool) {
        enabled = forced || isatty(STDERR_FILENO) != 0
    }

    /// Shows `done` of `total` for `label`; a new label starts a new line, reaching `total` ends it.
    public func update(_ label: String, _ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        if let current = self.label, current != label { write("\n") }
        self.label = label
        let filled = Self.width * min(max(done, 0), total) / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: Self.width - filled)
        let count = String(total).count
        let shown = String(repeating: " ", count: max(0, count - String(done).count)) + String(done)
        write("\r\(label) [\(bar)] \(shown)/\(total)")
        if done >= total {
            write("\n")
            self.label = nil
        }
    }

    /// Ends an unfinished line (after an error, say).
    public func finish() {
        if enabled, label != nil { write("\n") }
        label = nil
    }

    private func write(_ s: String) {
        fputs(s, stderr)
        fflush(stderr)
    }
}
