// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "VideoDistill",
    products: [
        // The product: libvideodistill.so, whose C face is include/videodistill.h.
        .library(name: "videodistill", type: .dynamic, targets: ["VideoDistill"]),
        // libvideodistill_video.so: the core plus video files (include/videodistill_video.h, FFmpeg).
        .library(name: "videodistill_video", type: .dynamic, targets: ["VideoDistillVideo"]),
        .executable(name: "convert-weights", targets: ["convert-weights"]),
        .executable(name: "vd-bench", targets: ["vd-bench"]),
        .executable(name: "vd-bench-int8", targets: ["vd-bench-int8"]),
        // The `videodistill` command. SwiftPM keeps one product per name: an executable product `videodistill`
        // beside the library's is dropped ("ignoring duplicate product 'videodistill' (executable)").
        .executable(name: "videodistill-cli", targets: ["videodistill-cli"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: C and system targets

        // fp32 GEMM (Debian's libopenblas-dev).
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas"),
        // Hot leaf kernels in C with run-time CPU dispatch (Swift cannot emit AVX-512 here).
        .target(
            name: "_VDKernels",
            path: "Sources/_VDKernels",
            cSettings: [.unsafeFlags(["-O3", "-fno-math-errno", "-fvisibility=hidden"])]
        ),
        // The public C header, visible to the Swift core that implements it; status strings, last error.
        .target(name: "CVideoDistillAPI", path: "Sources/CVideoDistillAPI", exclude: ["README.md"]),
        // ONNX reading through Debian's libonnx-dev/libprotobuf-dev, behind a plain C header.
        // Used only by convert-weights, so the embeddable library stays small.
        .target(
            name: "_ONNXReader",
            path: "Sources/_ONNXReader",
            cxxSettings: [.define("ONNX_ML", to: "1"), .define("ONNX_NAMESPACE", to: "onnx")],
            linkerSettings: [.linkedLibrary("onnx_proto"), .linkedLibrary("protobuf")]
        ),

        // Video and image decoding through Debian's FFmpeg libraries, behind a plain C header; used by
        // VideoDistillVideo only, so the core library needs no FFmpeg.
        .target(
            name: "_VDVideoIO",
            path: "Sources/_VDVideoIO",
            exclude: ["README.md"],
            linkerSettings: [
                .linkedLibrary("avformat"), .linkedLibrary("avcodec"),
                .linkedLibrary("swscale"), .linkedLibrary("avutil"),
            ]
        ),

        // MARK: Swift core

        .target(
            name: "VideoDistill",
            dependencies: ["COpenBLAS", "_VDKernels", "CVideoDistillAPI"],
            path: "Sources/VideoDistill"
        ),

        // Video files: frame sources (video files, image folders), SPEC 1 over them with the policy for frames
        // that cannot be decoded, and vd_encode_video_file.
        .target(
            name: "VideoDistillVideo",
            dependencies: ["VideoDistill", "_VDVideoIO", "CVideoDistillAPI"],
            path: "Sources/VideoDistillVideo"
        ),

        // MARK: convert-weights

        // zlib: the converter reads the gzipped BPE vocabulary; `videodistill explain` writes PNG with it.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // CLIP's BPE vocabulary (.gz) built into the converter, so an installed copy needs no checkout.
        .target(
            name: "_CLIPVocabulary",
            path: "Sources/_CLIPVocabulary",
            exclude: ["bpe_simple_vocab_16e6.txt.gz", "LICENSE-CLIP-BPE.txt"]
        ),
        .target(
            name: "VideoDistillConvert",
            dependencies: ["VideoDistill", "_ONNXReader", "CZlib", "_CLIPVocabulary"],
            path: "Sources/VideoDistillConvert"
        ),
        .executableTarget(
            name: "convert-weights",
            dependencies: ["VideoDistillConvert"],
            path: "Sources/convert-weights"
        ),

        // MARK: The videodistill command

        // The `videodistill` command: frame sources (video files, image folders) and the commands' work...
        .target(
            name: "VideoDistillCommandKit",
            dependencies: ["VideoDistill", "VideoDistillVideo", "CZlib"],   // CZlib: explain's PNG writer
            path: "Sources/VideoDistillCommandKit"
        ),
        // ...and its argument parsing.
        .executableTarget(
            name: "videodistill-cli",
            dependencies: [
                "VideoDistillCommandKit", "VideoDistill",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/videodistill-cli",
            exclude: ["README.md"]
        ),

        // MARK: Developer tools (tools/)

        // Throughput of the fp32 runtime on a random paper-config model (`swift run -c release vd-bench`).
        .executableTarget(
            name: "vd-bench",
            dependencies: ["VideoDistill", "VideoDistillConvert"],
            path: "tools/benchmark",
            exclude: ["int8", "ort", "peers", "python"]
        ),
        // int8 GEMM throughput (vd_gemm_int8.h), beside OpenBLAS's sgemm (--sgemm) and ONNX Runtime's MatMulInteger
        // (gemm_vs_matmulinteger.py); --peak: the path's int8 peak beside the fp32 FMA peak.
        .executableTarget(
            name: "vd-bench-int8",
            dependencies: ["_VDKernels", "COpenBLAS"],   // COpenBLAS: --sgemm, the fp32 product beside ours
            path: "tools/benchmark/int8",
            exclude: ["gemm_vs_matmulinteger.py", "README.md"],
            linkerSettings: [.linkedLibrary("m")]   // _VDKernels' libm calls (Swift targets get it already)
        ),

        // MARK: Tests (one target per product; `swift test --filter ConvertTests` runs one)

        // Test helpers that need only the core: fixture paths, the .npy reader, small model files written in
        // memory (TinyModel), temporary folders, the tokenizer corpus, test videos made by the ffmpeg command.
        .target(name: "_VDTestSupport", dependencies: ["VideoDistill"], path: "Tests/_VDTestSupport"),
        // The ONNX fixtures (Tests/Fixtures/tiny_*) converted by the converter and loaded, in Swift and through the
        // C API: the tests that check the runtime against the reference's outputs start here.
        .target(
            name: "_VDFixtureModels",
            dependencies: ["VideoDistill", "VideoDistillConvert", "CVideoDistillAPI", "_VDTestSupport"],
            path: "Tests/_VDFixtureModels"
        ),
        // The core alone (no FFmpeg, no ONNX): kernels, tokenizer, frame pipeline, model file, config.
        .testTarget(
            name: "VideoDistillTests",
            dependencies: ["VideoDistill", "_VDKernels", "_VDTestSupport"],
            path: "Tests/VideoDistillTests"
        ),
        // The core on the converted fixtures: parity with the reference, int8 models, choice, C API hardening.
        .testTarget(
            name: "VideoDistillFixtureTests",
            dependencies: ["VideoDistill", "_VDKernels", "CVideoDistillAPI", "VideoDistillConvert", "_VDTestSupport",
                           "_VDFixtureModels"],
            path: "Tests/VideoDistillFixtureTests"
        ),
        .testTarget(
            name: "ConvertTests",
            dependencies: ["VideoDistill", "VideoDistillConvert", "_VDTestSupport", "_VDFixtureModels"],
            path: "Tests/ConvertTests"
        ),
        .testTarget(
            name: "VideoDistillVideoTests",
            dependencies: ["VideoDistill", "VideoDistillVideo", "_VDVideoIO", "CVideoDistillAPI", "_VDTestSupport",
                           "_VDFixtureModels"],
            path: "Tests/VideoDistillVideoTests"
        ),
        .testTarget(
            name: "CommandTests",
            dependencies: ["VideoDistill", "VideoDistillCommandKit", "VideoDistillVideo", "_VDTestSupport",
                           "_VDFixtureModels"],
            path: "Tests/CommandTests"
        ),
    ],
    swiftLanguageModes: [.v5],
    cLanguageStandard: .c11,
    cxxLanguageStandard: .cxx17
)
