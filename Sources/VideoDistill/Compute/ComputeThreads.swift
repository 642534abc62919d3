import COpenBLAS
import Dispatch

/// The threads of one model call, spent by VideoDistill's own parallel loops while OpenBLAS runs on one thread.
///
/// OpenBLAS's own threads split each product and meet at a barrier per call; its idle workers spin on
/// `sched_yield`, and the thousands of small per-head attention products of a call gain nothing from them. So a
/// model call with T threads runs OpenBLAS on one and splits the work itself: fp32 and int8 Linears by rows
/// (or, for few rows, by output channels), attention by groups. Its helper threads are Dispatch's and the int8
/// kernels' pool, which block when idle. Calls with different counts run at the same time.
///
/// OpenBLAS 0.3.21 has one process-wide thread count and no per-call one: the first model call sets it to 1
/// (a host that sets it otherwise later makes each of our products use that many OpenBLAS threads too).
enum ComputeThreads {
    /// The call's thread count inside `run`; 1 outside.
    @TaskLocal static var count = 1

    /// Runs `body` with `threads` threads for the kernels and OpenBLAS on one.
    static func run<T>(threads: Int, _ body: () throws -> T) rethrows -> T {
        _ = oneBLASThread
        return try $count.withValue(threads) { try body() }
    }

    private static let oneBLASThread: Void = openblas_set_num_threads(1)

    /// Calls body(w) for w in 0..<workers, on `workers` threads at once when workers > 1.
    static func parallel(_ workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 {
            body(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers, execute: body)
        }
    }

    /// Calls body(i, w) for every i in 0..<count, spread over min(workers, count) workers (worker w takes
    /// i = w, w + workers, ...), each with its own index w for per-worker scratch.
    static func forEach(_ count: Int, workers: Int, _ body: (_ index: Int, _ worker: Int) -> Void) {
        let used = Swift.max(1, Swift.min(workers, count))
        parallel(used) { w in
            for i in stride(from: w, to: count, by: used) { body(i, w) }
        }
    }

    /// Splits 0..<n into `parts` contiguous ranges, as even as possible (each a multiple of `align` but the last).
    static func range(_ part: Int, of parts: Int, count n: Int, align: Int = 1) -> Range<Int> {
        let units = (n + align - 1) / align
        let lo = Swift.min(n, units * part / parts * align), hi = Swift.min(n, units * (part + 1) / parts * align)
        return lo..<hi
    }
}
