import CVideoDistillAPI

/// An error raised by the C boundary itself (NULL pointers, foreign handles, non-finite pixels): it carries its
/// own status. Errors from the core (`VideoDistillError`) map to statuses in `status(for:)`.
package struct CAPIError: Error {
    package let status: vd_status
    package let message: String

    package init(status: vd_status, message: String) { (self.status, self.message) = (status, message) }

    package static func null(_ what: String) -> CAPIError { CAPIError(status: VD_ERR_NULL_POINTER, message: "\(what) is NULL") }
    package static func argument(_ message: String) -> CAPIError { CAPIError(status: VD_ERR_INVALID_ARGUMENT, message: message) }
}

/// The status a core error is reported as.
func status(for error: VideoDistillError) -> vd_status {
    switch error {
    case .io: return VD_ERR_IO
    case .invalidModelFile, .invalidConfig: return VD_ERR_MODEL_FILE
    case .invalidVideoFile: return VD_ERR_VIDEO_FILE
    case .wrongModel: return VD_ERR_WRONG_MODEL
    case .invalidArgument: return VD_ERR_INVALID_ARGUMENT
    case .invalidText: return VD_ERR_INVALID_TEXT
    case .missingHead: return VD_ERR_MISSING_HEAD
    case .numerical: return VD_ERR_NUMERICAL
    case .aborted: return VD_ERR_ABORTED
    }
}

/// Runs one C entry point: every thrown error becomes a status and the calling thread's last-error message.
/// Nothing thrown escapes into C. (`package`: the video library's entry points use it too.)
package func capiCall(_ function: StaticString, _ body: () throws -> Void) -> vd_status {
    do {
        try body()
        return VD_OK
    } catch let e as CAPIError {
        return fail(e.status, "\(function): \(e.message)")
    } catch let e as VideoDistillError {
        return fail(status(for: e), "\(function): \(e.description)")
    } catch {
        return fail(VD_ERR_INTERNAL, "\(function): \(error)")
    }
}

func fail(_ status: vd_status, _ message: String) -> vd_status {
    message.withCString { vd_internal_set_last_error($0) }
    return status
}
