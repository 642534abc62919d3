import CVideoDistillAPI
import VideoDistill
import VideoDistillConvert
import _VDTestSupport

/// A fixture model converted to a model file and loaded through the C API (`vd_model_load`), as a host would.
/// The file is deleted once mapped; the handle is freed with the object.
package final class CModelFixture: @unchecked Sendable {
    package let handle: OpaquePointer
    package let info: vd_model_info
    package let path: String

    package init(_ name: String, keepFile: Bool = false) throws {
        let dir = TempDir()
        let out = dir.file("\(name).gguf")
        _ = try VideoDistillConvert.convert(
            inputs: [fixturePath(name, "frame_encoder.onnx"), fixturePath(name, "answerer.onnx")],
            output: out, options: ConvertOptions())
        var h: OpaquePointer?
        let st = VideoDistill.vd_model_load(out, nil, &h)
        guard st == VD_OK, let h else { throw CAPIFailure(st) }
        handle = h
        var i = vd_model_info()
        _ = VideoDistill.vd_model_get_info(h, &i)
        info = i
        path = out
        if !keepFile { dir.remove() }
    }

    deinit { VideoDistill.vd_model_free(handle) }
}

/// A C API status that was not VD_OK, with the calling thread's message.
package struct CAPIFailure: Error, CustomStringConvertible {
    package let status: vd_status
    package let message: String
    package init(_ status: vd_status) { self.status = status; message = String(cString: vd_last_error()) }
    package var description: String { "status \(status.rawValue): \(message)" }
}
