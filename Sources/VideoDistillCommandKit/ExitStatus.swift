import Foundation
import VideoDistill
import VideoDistillVideo

/// The command's exit statuses (documented in `videodistill --help`).
public enum ExitStatus: Int32, CaseIterable, Sendable {
    case ok = 0
    /// Anything not listed below.
    case failure = 1
    /// Bad command line: unknown option, missing or malformed value.
    case usage = 2
    /// A file or folder named on the command line does not exist or cannot be read.
    case missingFile = 3
    /// The video (or image folder) cannot be decoded, or the encoded-video file is malformed or another model's.
    case undecodableVideo = 4
    /// The model file is malformed, or lacks the head the command needs.
    case badModel = 5
    /// The question (or a candidate) is not valid UTF-8, or its file cannot be read.
    case badQuestion = 6

    /// One line per status, for `--help`.
    public static let help: String = """
        EXIT STATUS:
          0  success
          1  other failure
          2  bad command line
          3  missing or unreadable file
          4  undecodable video or image folder; malformed encoded-video file, or one made by another model
          5  bad model file (malformed, or lacks the head the command needs)
          6  bad question or candidate (invalid UTF-8, unreadable question file)
        """
}

/// A failure of a command: what to print on stderr and which status to exit with.
public struct CommandFailure: Error, CustomStringConvertible {
    public let status: ExitStatus
    public let message: String

    public init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    /// Runs `body`, turning a model-loading error into `.missingFile` or `.badModel`.
    public static func loadingModel<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as VideoDistillError {
            if case .io = e, !FileManager.default.isReadableFile(atPath: path) {
                throw CommandFailure(.missingFile, "model: \(e)")
            }
            throw CommandFailure(.badModel, "bad model file \(path): \(e)")
        }
    }

    /// Runs `body`, turning a frame-source or frame-size error into `.missingFile` or `.undecodableVideo`.
    public static func readingVideo<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as FrameSourceError {
            switch e {
            case .notFound(let m): throw CommandFailure(.missingFile, "video: \(m)")
            case .undecodable(let m), .noFrames(let m), .invalidArgument(let m):
                throw CommandFailure(.undecodableVideo, "cannot decode video: \(m)")
            case .aborted: throw CommandFailure(.failure, "stopped")
            }
        } catch let e as VideoDistillError {
            switch e {
            case .invalidArgument(let m), .invalidVideoFile(let m), .wrongModel(let m):
                throw CommandFailure(.undecodableVideo, "\(path): \(m)")
            default: throw e
            }
        }
    }

    /// The status and message for any error a command lets escape.
    public static func from(_ error: Error) -> CommandFailure {
        switch error {
        case let f as CommandFailure: return f
        case let e as VideoDistillError:
            switch e {
            case .invalidText(let m): return CommandFailure(.badQuestion, "bad question: \(m)")
            case .missingHead(let m): return CommandFailure(.badModel, m)
            case .invalidModelFile(let m), .invalidConfig(let m): return CommandFailure(.badModel, "bad model file: \(m)")
            default: return CommandFailure(.failure, "\(e)")
            }
        case let e as FrameSourceError: return CommandFailure(.undecodableVideo, "\(e)")
        default: return CommandFailure(.failure, "\(error)")
        }
    }
}
