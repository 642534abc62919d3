/// A zero-filled heap array of floats owned by one call: activations and scratch, never weights.
///
/// Pointers taken from `base` are valid while the buffer is alive; callers keep the owner alive with
/// `withExtendedLifetime` across the work that uses them.
final class FloatBuffer {
    let base: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: Swift.max(count, 1))
        base.initialize(repeating: 0, count: Swift.max(count, 1))
    }

    deinit { base.deallocate() }
}
