#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import VideoDistill
@testable import VideoDistillConvert
import _VDTestSupport

/// Regressions found by the ONNX fuzz target (tools/fuzz, target onnx): element counts that the stored data
/// cannot back are refused when the file is opened, because the converter allocates from them before reading.
@Suite struct RegressionONNXReaderTests {
    /// The fuzzer's input (tools/fuzz/regressions/onnx/huge-external-dims-bfdedae6): an external initializer whose
    /// dims [2, 108, 101, 110, 103, 116, 104] (3e12 floats) point at a tiny file. Given twice (as when two inputs
    /// share a name), ConvertPlan.mergeByName asked ONNXFile.floats for it, which allocated 12 TB and crashed.
    @Test func fuzzInputWithHugeExternalDimsIsRefusedAtOpen() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let input = repositoryPath("tools/fuzz/regressions/onnx/huge-external-dims-bfdedae6")
        guard let bytes = readBytes(input) else { Issue.record("missing \(input)"); return }
        let path = dir.write("model.onnx", bytes)
        expectConvertError("more than its stored data can hold") { _ = try ONNXFile(path: path) }
    }

    /// 8 bytes of raw_data declaring [2^20, 2^20] floats (4 TiB).
    @Test func rawDataFarShorterThanTheShapeIsRefusedAtOpen() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var t = TestInitializer("w", [1], [0, 0])
        t.dims = [1 << 20, 1 << 20]
        expectConvertError("w declares 1099511627776 elements, more than its stored data can hold") {
            _ = try ONNXFile(path: dir.write("m.onnx", onnxModel([t])))
        }
    }

    /// dims [2^62, 3]: the count fits a size_t but not an Int, and ONNXFile's Int(n_elements) trapped.
    @Test func countBeyondInt64IsRefusedAtOpen() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var t = TestInitializer("w", [1], [0])
        t.dims = [1 << 62, 3]
        expectConvertError("more than its stored data can hold") { _ = try ONNXFile(path: dir.write("m.onnx", onnxModel([t]))) }
    }

    /// Counts the data can back still open, and short data still fails at read with its own message.
    @Test func honestAndSlightlyShortDataStillOpen() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var short = TestInitializer("short", [1], [1, 2])
        short.dims = [1000]
        var ext = TestInitializer(name: "ext", dims: [4096], dataType: 1)
        ext.external = [("location", "missing.bin")]
        let f = try ONNXFile(path: dir.write("m.onnx", onnxModel([TestInitializer("ok", [2], [1, 2]), short, ext])))
        #expect(try f.floats(0) == [1, 2])
        expectConvertError("short has 8 bytes of raw_data, its shape needs 4000") { _ = try f.floats(1) }
        expectConvertError("cannot be found") { _ = try f.floats(2) }
    }
}
