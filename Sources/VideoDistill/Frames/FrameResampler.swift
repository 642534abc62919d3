import _VDKernels

/// SPEC 1.1 for one frame size: resize (shorter side -> R), centre crop S x S, optionally normalise.
///
/// Build it once per frame size (it holds both axes' weight tables) and apply it to any number of frames;
/// it is immutable, so threads may share it. Only the input rows and columns that reach the crop are read,
/// and only the S x S cropped outputs are computed: a vertical pass over the uint8 frame, then a horizontal
/// pass over that float intermediate (both in C, `vd_resize.h`).
public struct FrameResampler: Sendable {
    /// Input frame size.
    public let height: Int, width: Int
    /// Resized size before the crop (SPEC 1.1 step 1).
    public let resizedHeight: Int, resizedWidth: Int
    /// S: the crop's side.
    public let imageSize: Int
    private let rows: AxisTaps   // vertical: outputs top ..< top + S
    private let cols: AxisTaps   // horizontal: outputs left ..< left + S, `first` relative to cols.inputs
    private let scale: [Float]   // [3] 1 / (255 std[c])
    private let bias: [Float]    // [3] -mean[c] / std[c]

    /// Validates the frame size and the config values SPEC 1.1 uses (resize_short, image_size, mean, std).
    public init(height: Int, width: Int, config: ModelConfig) throws {
        let S = config.imageSize, R = config.resizeShort
        guard S >= 1, S <= ModelConfig.maxDimension, R >= S, R <= ModelConfig.maxDimension else {
            throw VideoDistillError.invalidConfig(
                "image_size = \(S) and resize_short = \(R) need 1 <= image_size <= resize_short <= \(ModelConfig.maxDimension)")
        }
        guard config.mean.count == 3, config.std.count == 3,
              config.mean.allSatisfy(\.isFinite), config.std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw VideoDistillError.invalidConfig("mean and std need 3 finite values each, std positive")
        }
        let size = try FramePipeline.resizedSize(height: height, width: width, resizeShort: R)
        self.height = height
        self.width = width
        resizedHeight = size.height
        resizedWidth = size.width
        imageSize = S
        // SPEC 1.1 step 2: floor centre crop; both resized sides are >= R >= S.
        let top = (size.height - S) / 2, left = (size.width - S) / 2
        rows = AxisTaps(inputSize: height, outputSize: size.height, outputs: top ..< top + S)
        var c = AxisTaps(inputSize: width, outputSize: size.width, outputs: left ..< left + S)
        let base = Int32(c.inputs.lowerBound)
        c.first = c.first.map { $0 - base }
        cols = c
        scale = (0 ..< 3).map { Float(1 / (255 * Double(config.std[$0]))) }
        bias = (0 ..< 3).map { Float(-Double(config.mean[$0]) / Double(config.std[$0])) }
    }

    /// Bytes a frame with this row stride spans: (height - 1) * rowStride + 3 * width.
    func frameSpan(rowStride: Int) throws -> Int {
        let (rowBytes, o1) = width.multipliedReportingOverflow(by: 3)
        guard !o1, rowStride >= rowBytes else {
            throw VideoDistillError.invalidArgument("row stride \(rowStride) is smaller than 3 * width = 3 * \(width)")
        }
        let (before, o2) = (height - 1).multipliedReportingOverflow(by: rowStride)
        let (span, o3) = before.addingReportingOverflow(rowBytes)
        guard !o2, !o3 else {
            throw VideoDistillError.invalidArgument("a \(height) x \(width) frame with row stride \(rowStride) overflows memory sizes")
        }
        return span
    }

    /// Writes [3, S, S] into `out`: 0..255 resized and cropped values, or normalised pixels (SPEC 1.1 step 3).
    /// `rgb` points at the frame's first row (uint8 RGB interleaved, rows `rowStride` bytes apart).
    public func resample(_ rgb: UnsafePointer<UInt8>, rowStride: Int, normalize: Bool,
                         into out: UnsafeMutablePointer<Float>) throws {
        _ = try frameSpan(rowStride: rowStride)
        let S = imageSize
        let n = 3 * cols.inputs.count   // floats per intermediate row: the RGB values of the columns read
        let (midCount, overflow) = S.multipliedReportingOverflow(by: n)
        guard !overflow else {
            throw VideoDistillError.invalidArgument("a \(S) x \(n) intermediate for a \(height) x \(width) frame is too large")
        }
        var mid = [Float](repeating: 0, count: midCount)   // [S, n]: rows resampled, columns not yet
        let scale = normalize ? self.scale : [1, 1, 1]
        let bias = normalize ? self.bias : [0, 0, 0]
        mid.withUnsafeMutableBufferPointer { m in
            vd_resample_rows_u8(m.baseAddress!, rgb + 3 * cols.inputs.lowerBound, rowStride, n, S,
                                rows.first, rows.taps, rows.weights, rows.maxTaps)
            vd_resample_cols_rgb(out, S * S, S, m.baseAddress!, n, S, S,
                                 cols.first, cols.taps, cols.weights, cols.maxTaps, scale, bias)
        }
    }
}
