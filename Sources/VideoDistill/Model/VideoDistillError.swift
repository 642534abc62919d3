/// Every failure the runtime reports. Each case carries a readable message; the C ABI maps the case to a
/// status code and the message to the per-thread last error.
public enum VideoDistillError: Error, Equatable, CustomStringConvertible {
    /// A file could not be opened, mapped or read.
    case io(String)
    /// The model file is malformed: bad magic, version, offsets, dtypes, shapes, metadata.
    case invalidModelFile(String)
    /// An encoded-video file is malformed: bad magic, version, precision, sizes, offsets.
    case invalidVideoFile(String)
    /// A video (an encoded-video file) was made by another model.
    case wrongModel(String)
    /// The config breaks a SPEC rule.
    case invalidConfig(String)
    /// A caller-supplied argument is wrong (NULL, size, stride, NaN pixels, ...).
    case invalidArgument(String)
    /// Text is not valid UTF-8.
    case invalidText(String)
    /// The model lacks the head that was asked for.
    case missingHead(String)
    /// A numerical failure the SPEC calls an error (NaN selection logits).
    case numerical(String)
    /// The caller's abort callback asked to stop.
    case aborted

    public var description: String {
        switch self {
        case .io(let m), .invalidModelFile(let m), .invalidVideoFile(let m), .wrongModel(let m), .invalidConfig(let m), .invalidArgument(let m),
             .invalidText(let m), .missingHead(let m), .numerical(let m):
            return m
        case .aborted: return "aborted by the caller's callback"
        }
    }
}
