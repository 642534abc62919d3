import CVideoDistillAPI
import Foundation
import Testing
@testable import VideoDistill
import VideoDistillConvert
import _VDTestSupport

/// Process-wide measurements from /proc and getrusage.
enum ProcessStats {
    /// Resident set size now, in bytes (/proc/self/statm).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }

    /// Resident anonymous memory now (RssAnon of /proc/self/status: the heap and every private mapping, without
    /// the file pages the kernel may drop and reload at any time), in bytes.
    static func anonymousBytes() -> Int { statusField("RssAnon:") }

    /// A "kB" field of /proc/self/status, in bytes.
    static func statusField(_ name: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// Peak resident set size since the last `resetPeak()` (VmHWM of /proc/self/status), in bytes.
    static func peakResidentBytes() -> Int { statusField("VmHWM:") }

    /// Resets the peak RSS to the current RSS (writing 5 to /proc/self/clear_refs). False if not allowed.
    @discardableResult
    static func resetPeak() -> Bool {
        guard let f = fopen("/proc/self/clear_refs", "w") else { return false }
        defer { fclose(f) }
        return fputs("5", f) >= 0
    }

    /// User + system CPU seconds of the whole process so far.
    static func cpuSeconds() -> Double {
        var r = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &r)
        return Double(r.ru_utime.tv_sec) + Double(r.ru_utime.tv_usec) / 1e6
            + Double(r.ru_stime.tv_sec) + Double(r.ru_stime.tv_usec) / 1e6
    }

    /// True when the process runs under AddressSanitizer or ThreadSanitizer (their allocators and shadow memory
    /// make RSS figures meaningless, so memory-size assertions are skipped there).
    static var sanitized: Bool {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil
            || dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__tsan_init") != nil
    }
}

/// Runs `body(i)` on `count` separate threads at once (not a pool: all `count` run concurrently) and waits.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let done = DispatchSemaphore(value: 0)
    for i in 0..<count {
        let t = Thread { body(i); done.signal() }
        t.stackSize = 8 << 20
        t.start()
    }
    for _ in 0..<count { done.wait() }
}

/// Ends an exit test's child process: prints "ok: line" or "FAILED: line" and exits 0, so that the parent sees
/// the measurement either way (`expectChildReport`). A crash or a sanitizer report still fails the exit status.
/// The child's work runs in a closure whose locals (models, videos) are freed before this is called, so that
/// LeakSanitizer's exit check sees only what the library itself kept.
func childReport(_ report: (ok: Bool, line: String)) -> Never {
    let (ok, line) = report
    print((ok ? "ok: " : "FAILED: ") + line)
    fflush(stdout)
    exit(0)
}

/// Prints the child's report and expects it to say "ok".
func expectChildReport(_ result: ExitTest.Result?, sourceLocation: SourceLocation = #_sourceLocation) {
    let text = result.map { String(decoding: $0.standardOutputContent, as: UTF8.self) } ?? ""
    print(text, terminator: "")
    #expect(text.contains("ok: "), "\(text)", sourceLocation: sourceLocation)
}
