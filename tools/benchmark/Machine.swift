import Foundation
import VideoDistill

/// What the numbers were measured on.
enum Machine {
    /// The CPU's model name from /proc/cpuinfo.
    static var cpuModel: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    static var summary: String {
        let env = ProcessInfo.processInfo.environment
        return """
            machine: \(cpuModel), \(ProcessInfo.processInfo.activeProcessorCount) logical CPUs
            OpenBLAS core: \(ComputeInfo.blasCore)\(env["OPENBLAS_CORETYPE"].map { " (OPENBLAS_CORETYPE=\($0))" } ?? "")
            VideoDistill kernels: \(ComputeInfo.kernelPath), int8 \(ComputeInfo.int8Path)
            """ + (ComputeInfo.blasWarning.map { "\nwarning: \($0)" } ?? "")
    }
}
