// convert-weights: ONNX exports of a VideoDistill model -> one GGUF model file (see ConvertArguments.usage).
#if canImport(Glibc)
import Glibc
#endif
import VideoDistillConvert

func fail(_ message: String) -> Never {
    fputs("convert-weights: error: \(message)\n", stderr)
    exit(1)
}

do {
    let args = try ConvertArguments(Array(CommandLine.arguments.dropFirst()))
    if args.help {
        print(ConvertArguments.usage)
        exit(0)
    }
    let summary = try convert(inputs: args.inputs, output: args.output, options: args.options)
    print(summary)
} catch let e as ConvertError {
    fail(e.message + (e.message.hasPrefix("no ") || e.message.hasPrefix("unknown option") ? "\n\n" + ConvertArguments.usage : ""))
} catch {
    fail("\(error)")
}
