// vd-bench: throughput of the fp32 runtime on a model with random weights (or a model file).
//
//   vd-bench [--threads T] [--frames F] [--runs R] [--small] [--type f32|int8|both] [--keep-f32 fast|none|GROUPS]
//            [--model PATH] [--video-files]
//
// --type int8 writes the random model as `convert-weights --type int8 [--keep-f32 ...]` would (SPEC 8; by default
// the converter's default policy, which keeps the ViT fp32: `--keep-f32 fast` makes the frame encoder int8); --type both measures the fp32 and the int8 file of the same random weights one after the other in
// one run and prints the ratios.
//
// Builds SPEC 9's paper config (or --small's) with random weights, writes it as a temporary model file,
// loads it, then measures (medians over R runs, after one warm-up):
//   - the frame encoder on F frames in one call (frames/s; a whole N-frame video is extrapolated from it
//     and reported as such),
//   - the text encoder alone, and one answer (text encoder + FS + selection + VR + heads) from cached tokens.
// --video-files measures encoded-video files instead (VideoFileBench.swift): size, open time, pages a question
// reads, answer time from each file against memory.
import Foundation
import VideoDistill
import VideoDistillConvert

struct Options {
    var threads = 2, frames: Int? = nil, runs = 3, small = false, model: String? = nil, type = "f32"
    var keepF32: [String]? = nil, videoFiles = false

    init(_ args: [String]) throws {
        var i = 1
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw BenchError("\(args[i - 1]) needs a value") }
            return args[i]
        }
        func int() throws -> Int {
            let v = try value()
            guard let n = Int(v), n >= 1 else { throw BenchError("\(args[i - 1]) needs a positive integer, got \(v)") }
            return n
        }
        while i < args.count {
            switch args[i] {
            case "--threads": threads = try int()
            case "--frames": frames = try int()
            case "--runs": runs = try int()
            case "--small": small = true
            case "--video-files": videoFiles = true
            case "--model": model = try value()
            case "--keep-f32": keepF32 = Int8Policy.keepF32(argument: try value())
            case "--type":
                type = try value()
                guard ["f32", "int8", "both"].contains(type) else { throw BenchError("--type is f32, int8 or both, not \(type)") }
            case "-h", "--help":
                print("usage: vd-bench [--threads T] [--frames F] [--runs R] [--small] [--type f32|int8|both] [--keep-f32 fast|none|GROUPS] [--model PATH] [--video-files]")
                exit(0)
            default: throw BenchError("unknown argument \(args[i])")
            }
            i += 1
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Median seconds of `runs` calls of body, after one warm-up call.
func timeMedian(runs: Int, _ body: @escaping () throws -> Void) throws -> Double {
    try timeMedians(runs: runs, [body])[0]
}

/// Median seconds of each body over `runs` rounds, after one warm-up round; each round calls every body once,
/// in turn, so a change in the machine's load during the measurement touches every body alike.
func timeMedians(runs: Int, _ bodies: [() throws -> Void]) throws -> [Double] {
    for body in bodies { try body() }
    var times = [[Double]](repeating: [], count: bodies.count)
    for _ in 0..<runs {
        for (i, body) in bodies.enumerated() {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times[i].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
    }
    return times.map { t in
        let t = t.sorted()
        return t.count % 2 == 1 ? t[t.count / 2] : (t[t.count / 2 - 1] + t[t.count / 2]) / 2
    }
}

/// What one model measured: median seconds per call.
struct Timings {
    var encode = 0.0, text = 0.0, answer = 0.0
}

/// The random model file of one weight type (fp32, or int8 by the converter's policy, `--keep-f32` or its default).
func writeRandomModel(_ o: Options, type: String) throws -> String {
    let c = try BenchConfig.decode(o.small ? BenchConfig.smallJSON : BenchConfig.paperJSON)
    let p = NSTemporaryDirectory() + "vd-bench-\(getpid())-\(type).gguf"
    let start = Date()
    try RandomModel.write(config: c, answerCount: o.small ? BenchConfig.smallAnswers : BenchConfig.paperAnswers, to: p,
                          int8: type == "int8" ? try Int8Policy(keepF32: o.keepF32 ?? Int8Policy.defaultKeepF32) : nil)
    print(String(format: "wrote random %@ %@ model to %@ in %.1f s", o.small ? "small" : "paper-config", type, p,
                 Date().timeIntervalSince(start)))
    return p
}

/// Frame encoder, text encoder and answer of each model (all of one config), measured in alternation,
/// printed and returned.
func measure(_ models: [(label: String, model: VideoDistillModel)], _ o: Options) throws -> [Timings] {
    let c = models[0].model.config
    let S = c.imageSize, F = o.frames ?? (o.small ? 16 : 8)
    var t = [Timings](repeating: Timings(), count: models.count)

    // Frame encoder: F frames of random pixels in one call.
    var rng = XorShift(seed: 7)
    let pixels = (0..<(F * 3 * S * S)).map { _ in rng.uniform() * 2 }
    var tokens = [[Float]](repeating: [], count: models.count)
    let encode = try timeMedians(runs: o.runs, models.indices.map { i in {
        tokens[i] = try pixels.withUnsafeBufferPointer {
            try models[i].model.encodeTokens(pixels: $0, frameCount: F, threads: o.threads)
        }
    } })
    for (i, (label, _)) in models.enumerated() {
        t[i].encode = encode[i]
        let fps = Double(F) / encode[i]
        let gflops = 2 * BenchConfig.frameMACs(c) * Double(F) / encode[i] / 1e9
        print(String(format: "%@frame encoder: %d frames in %.3f s = %.2f frames/s (%.1f ms/frame, %.0f GFLOP/s of GEMM work)",
                     label, F, encode[i], fps, 1000 / fps, gflops))
        print(String(format: "  an N = %d video: ~%.2f s (extrapolated from the %d frames measured, not measured)",
                     c.numFrames, Double(c.numFrames) / fps, F))
    }

    // Answer from cached tokens: the F frames' tokens repeated to N frames.
    let perFrame = c.tokensPerFrame * c.visionWidth
    let videos = try models.indices.map { i in
        try models[i].model.encodedVideo(tokens: (0..<c.numFrames).flatMap { n in
            tokens[i][(n % F) * perFrame ..< (n % F + 1) * perFrame]
        })
    }
    let ids = try models[0].model.tokenIds("what is the person in the video doing with the red ball?")
    let text = try timeMedians(runs: o.runs, models.map { m in { _ = try m.model.textEmbedding(tokenIds: ids, threads: o.threads) } })
    let answer = try timeMedians(runs: o.runs, models.indices.map { i in {
        _ = try models[i].model.answer(videos[i], tokenIds: ids, threads: o.threads)
    } })
    for (i, (label, _)) in models.enumerated() {
        (t[i].text, t[i].answer) = (text[i], answer[i])
        print(String(format: "%@text encoder: %.1f ms", label, text[i] * 1000))
        print(String(format: "%@answer from cached tokens (text + FS + selection + VR over %d tokens + heads): %.1f ms",
                     label, c.refinementTokens, answer[i] * 1000))
    }
    return t
}

func run() throws {
    let o = try Options(CommandLine.arguments)
    var temporary: [String] = []
    defer { for t in temporary { unlink(t) } }
    var paths: [(type: String, path: String)] = []
    if let m = o.model {
        paths = [("model", m)]
    } else {
        for type in o.type == "both" ? ["f32", "int8"] : [o.type] {
            let p = try writeRandomModel(o, type: type)
            temporary.append(p)
            paths.append((type, p))
        }
    }
    print(Machine.summary)
    print("threads: \(o.threads), runs: \(o.runs) (medians after one warm-up)")
    var models: [(label: String, model: VideoDistillModel)] = []
    for (i, (type, path)) in paths.enumerated() {
        let model = try VideoDistillModel(path: path)
        let c = model.config
        if i == 0 {
            print("config: S \(c.imageSize), P \(c.patchesPerFrame), Dv \(c.visionWidth) x \(c.visionLayers) layers, text \(c.textWidth) x \(c.textLayers), D \(c.modelDim), N \(c.numFrames), K \(c.numSelected), A \(model.answers.count)")
        }
        let int8 = try ModelFile(path: path).int8TensorNames.count
        if paths.count > 1 || int8 > 0 {
            print("[\(type)] weights: \(int8 > 0 ? "\(int8) int8 tensors, int8 path \(ComputeInfo.int8Path)" : "fp32")")
        }
        models.append((paths.count > 1 ? "[\(type)] " : "", model))
    }
    if o.videoFiles { return try measureVideoFiles(models[0].model, o) }
    if models.count > 1 { print("(the models are measured in alternation: one call of each per round)") }
    let results = try measure(models, o)
    if results.count == 2 {
        let (a, b) = (results[0], results[1])
        print(String(format: "int8 / fp32, same run: frame encoder %.2fx the frames/s; text encoder %.2fx faster; answer %.2fx faster",
                     a.encode / b.encode, a.text / b.text, a.answer / b.answer))
    }
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("vd-bench: \(error)\n".utf8))
    exit(1)
}
