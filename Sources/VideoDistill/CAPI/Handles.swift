import CVideoDistillAPI
import Foundation

/// The objects behind the C handles, and the registry that checks every handle a caller passes in: a freed,
/// foreign or wrongly typed pointer is an error, never a dereference.
package enum Handles {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var live: [UnsafeMutableRawPointer: AnyObject] = [:]

    /// Registers `object` and returns its handle (the object stays alive until `release`).
    package static func retain(_ object: AnyObject) -> OpaquePointer {
        let pointer = Unmanaged.passRetained(object).toOpaque()
        lock.lock(); defer { lock.unlock() }
        live[pointer] = object
        return OpaquePointer(pointer)
    }

    /// The live object of type T behind `handle`, or an error naming what was expected.
    package static func resolve<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type, _ what: String) throws -> T {
        guard let handle else { throw CAPIError.null(what) }
        lock.lock(); defer { lock.unlock() }
        guard let object = live[UnsafeMutableRawPointer(handle)] else {
            throw CAPIError.argument("\(what) is not a live handle (freed, or never returned by this library)")
        }
        guard let typed = object as? T else { throw CAPIError.argument("\(what) is a handle of another kind") }
        return typed
    }

    /// Unregisters and releases `handle` (NULL and unknown handles are ignored).
    package static func release(_ handle: OpaquePointer?) {
        guard let handle else { return }
        let pointer = UnsafeMutableRawPointer(handle)
        lock.lock()
        let known = live.removeValue(forKey: pointer) != nil
        lock.unlock()
        if known { Unmanaged<AnyObject>.fromOpaque(pointer).release() }
    }
}

/// C strings owned by a handle, freed with it.
final class CStrings {
    let pointers: [UnsafeMutablePointer<CChar>]
    init(_ strings: [String]) { pointers = strings.map { strdup($0)! } }
    deinit { pointers.forEach { free($0) } }
    subscript(i: Int) -> UnsafePointer<CChar>? { pointers.indices.contains(i) ? UnsafePointer(pointers[i]) : nil }
}

/// A `vd_model`: the checked file, the model over it, the tokenizer and C copies of its strings.
package final class ModelHandle {
    package let file: ModelFile
    package let model: VideoDistillModel
    let answers: CStrings
    let weightType: CStrings

    var tokenizer: CLIPTokenizer { model.tokenizer }

    init(file: ModelFile) throws {
        self.file = file
        model = try VideoDistillModel(file: file)
        answers = CStrings(file.answers)
        weightType = CStrings([file.weightType])
    }

    func requireHead(_ head: Head) throws {
        guard file.heads.contains(head) else {
            throw VideoDistillError.missingHead("the model has no \(head.rawValue.uppercased()) head")
        }
    }

    /// Token ids of NUL-terminated UTF-8 text, context_length long.
    func tokenIds(_ text: UnsafePointer<CChar>?, _ what: String) throws -> [Int32] {
        guard let text else { throw CAPIError.null(what) }
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self),
                                        count: strlen(text))
        return try tokenizer.tokenIds(utf8: bytes, contextLength: file.config.contextLength)
    }
}

/// A `vd_video`: encoded frames, and the model handle that made them (kept alive with it).
package final class VideoHandle {
    package let owner: ModelHandle
    package let video: EncodedVideo

    /// The tokens as one [N, 1+P, Dv] block for vd_video_tokens: the video's own (in memory), or, for a video
    /// mapped from a file, widened once on first ask.
    let tokenBlock = OnceValue<TokenBuffer>()

    package init(owner: ModelHandle, video: EncodedVideo) { self.owner = owner; self.video = video }

    /// This video, checked to belong to `model`.
    func check(belongsTo model: ModelHandle) throws {
        guard owner === model else {
            throw CAPIError(status: VD_ERR_WRONG_MODEL, message: "the video was encoded by another model")
        }
    }
}

/// Checks a thread count from the caller.
package func threadCount(_ n: Int32) throws -> Int {
    guard n >= 1, Int(n) <= VideoDistillModel.maxThreads else {
        throw CAPIError.argument("n_threads = \(n) must be in 1...\(VideoDistillModel.maxThreads)")
    }
    return Int(n)
}

extension EncodedVideo {
    /// For each of the N encoded frames, the index into the caller's frames it came from.
    var sourceFrames: [Int] { sourceFrameIndices ?? Array(0..<frameCount) }
}
