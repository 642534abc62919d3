import COpenBLAS
import Foundation

/// Shares OpenBLAS's thread count between concurrent calls.
///
/// OpenBLAS 0.3.21 has one process-wide thread count (`openblas_set_num_threads`), no per-call form. Every
/// model call runs its work inside `run(threads:)`: calls that ask for the same count run together; a call
/// that asks for another count waits until no call is running, switches the count, and runs. Calls that
/// arrive while such a switch is waiting queue behind it, so no count starves. Other code in the process
/// that sets OpenBLAS's count itself is outside this arrangement.
final class BLASThreads: @unchecked Sendable {
    static let shared = BLASThreads()

    private let condition = NSCondition()
    private var current = 0    // the count OpenBLAS has now; 0 until the first call sets it
    private var running = 0    // calls inside `run`
    private var switching = 0  // calls waiting to change the count

    /// Runs `body` while OpenBLAS uses `threads` threads (>= 1).
    func run<T>(threads: Int, _ body: () throws -> T) rethrows -> T {
        enter(threads)
        defer { leave() }
        return try body()
    }

    private func enter(_ threads: Int) {
        condition.lock()
        defer { condition.unlock() }
        while true {
            // Join the running calls when they use our count and nobody waits to change it.
            if current == threads && switching == 0 {
                running += 1
                return
            }
            // Nothing runs: take OpenBLAS over with our count.
            if running == 0 {
                if current != threads {
                    openblas_set_num_threads(Int32(threads))
                    current = threads
                    condition.broadcast()   // waiters with this count may join now
                }
                running += 1
                return
            }
            let wantsSwitch = current != threads
            if wantsSwitch { switching += 1 }
            condition.wait()
            if wantsSwitch { switching -= 1 }
        }
    }

    private func leave() {
        condition.lock()
        running -= 1
        if running == 0 { condition.broadcast() }
        condition.unlock()
    }
}
