/// The scratch ("run state") of one pass through a stack of blocks of width W over at most `rows` tokens.
/// Owned by one call and reused by every block of the stack; never part of the shared model.
final class Workspace {
    let rows: Int
    let xn: FloatBuffer       // [rows, W]    the normed input of the current sub-layer
    let a: FloatBuffer        // [rows, W]    attention output (before proj); the gate's queries
    let qkv: FloatBuffer      // [rows, 3W]   fused q;k;v
    let hidden: FloatBuffer   // [rows, 4W]   MLP hidden: the same memory as qkv (the MLP runs after the
                              //              attention's proj has read q;k;v, and no block reads them later)
    let scores: FloatBuffer   // [scoreCount] attention scores of one group and head
    let h: FloatBuffer        // [rows, W]    FS's gated stream h / VR's t   (gated stacks only)
    let b: FloatBuffer        // [rows, W]    the gate's values, then g * val (gated stacks only)
    let key: FloatBuffer      // [W]          the gate's key                  (gated stacks only)

    /// - Parameters: width W, hidden the MLP width, scoreCount the largest score matrix of one group and
    ///   head, gated whether the LA-Gate's buffers are needed.
    init(rows: Int, width: Int, hidden: Int, scoreCount: Int, gated: Bool) {
        self.rows = rows
        xn = FloatBuffer(count: rows * width)
        a = FloatBuffer(count: rows * width)
        qkv = FloatBuffer(count: rows * Swift.max(3 * width, hidden))
        self.hidden = qkv
        scores = FloatBuffer(count: scoreCount)
        h = FloatBuffer(count: gated ? rows * width : 0)
        b = FloatBuffer(count: gated ? rows * width : 0)
        key = FloatBuffer(count: gated ? width : 0)
    }

    /// Floats a workspace of these sizes holds (for memory bounds).
    static func floats(rows: Int, width: Int, hidden: Int, scoreCount: Int, gated: Bool) -> Int {
        rows * (2 * width + Swift.max(3 * width, hidden) + (gated ? 2 * width : 0)) + scoreCount + (gated ? width : 0)
    }
}
