import Foundation

/// Path of a file in the repository, from its path relative to the root (e.g. "tools/fuzz/regressions/onnx").
package func repositoryPath(_ relative: String) -> String {
    URL(fileURLWithPath: #filePath)   // Tests/_VDTestSupport/RegressionSupport.swift
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(relative).path
}

/// The bytes of a file, or nil.
package func readBytes(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { Array($0) }
}

/// The committed inputs of one fuzz target's regressions (tools/fuzz/regressions/TARGET), sorted by name.
package func fuzzRegressions(_ target: String) -> [(name: String, bytes: [UInt8])] {
    let dir = repositoryPath("tools/fuzz/regressions/\(target)")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    return names.sorted().compactMap { name in readBytes(dir + "/" + name).map { (name, $0) } }
}
