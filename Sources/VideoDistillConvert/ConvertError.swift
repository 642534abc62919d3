/// A conversion failure, with a message that names the file, tensor or key at fault.
public struct ConvertError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
