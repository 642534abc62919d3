import VideoDistill

/// The command line of `convert-weights`.
public struct ConvertArguments: Equatable {
    public var inputs: [String] = []
    public var output = ""
    public var options = ConvertOptions()
    /// `-h` / `--help` was given.
    public var help = false

    public static let usage = """
        usage: convert-weights INPUT... -o OUTPUT.gguf [--type f32|int8] [--keep-f32 GROUPS]
                               [--config FILE] [--answers FILE] [--bpe FILE] [--name NAME]
               convert-weights MODEL.gguf -o OUTPUT.gguf --type int8 [--keep-f32 GROUPS] [--name NAME]

        Merges the tensors of one VideoDistill model into one GGUF model file, checked against the config
        (SPEC 10 names and shapes). An INPUT is
          FILE.onnx          an ONNX export (SPEC 11: frame_encoder.onnx, answerer.onnx)
          FILE.safetensors   tensors under SPEC 10's names (F32, F16 or BF16), e.g. the VideoDistill part of a
                             state dict; SPEC 11's keys may sit in its __metadata__
          FOLDER             a Hugging Face CLIP folder (config.json, model.safetensors, preprocessor_config.json)
                             for the two towers: its config gives their sizes, clip_ln_eps, mean and std, and
                             --config (or the metadata) the rest; a value both give must agree
        The second form writes an f32 model file (this converter's output) again with int8 weights.
          -o, --output FILE  the model file to write
          --type f32|int8    weight type (default f32). int8 (SPEC 8): symmetric per-output-channel int8
                             weights with an fp32 scale per channel (<weight>.scale) for the Linear layers
                             and the patch convolution, activations quantized per token at run time.
                             Always fp32: embeddings, position/temporal embeddings, class/CLS tokens,
                             LayerNorms, biases, clip.text_projection.
          --keep-f32 GROUPS  with --type int8: comma-separated groups stored fp32, "none" (all int8) or
                             "fast" (the default but the ViT blocks int8 too: a ~2.5x faster frame encoder,
                             less accurate selection); groups: \(int8Groups.joined(separator: ", "))
                             default: \(Int8Policy.defaultKeepF32.joined(separator: ", "))
                             (all but the VR blocks: where int8 moved the selection and answers on the
                             trained ShapesQA model; tools/shapesqa/shapesqa/int8_eval.py)
          --config FILE      config JSON instead of the inputs' videodistill.config metadata (with a
                             Hugging Face folder: the keys the folder does not give)
          --answers FILE     answers JSON array instead of the inputs' videodistill.answers metadata
          --bpe FILE         CLIP's bpe_simple_vocab_16e6.txt.gz (default: the copy built into this program;
                             its SHA-256 must match)
          --name NAME        general.name (default: the output's file name)
        """

    /// Parses `args` (without the program name).
    public init(_ args: [String]) throws {
        var i = 0
        func value(_ flag: String) throws -> String {
            i += 1
            guard i < args.count, !args[i].isEmpty else { throw ConvertError("\(flag) needs a value") }
            return args[i]
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "-h", "--help": help = true
            case "-o", "--output": output = try value(a)
            case "--type": options.type = try value(a)
            case "--keep-f32":
                options.int8KeepF32 = Int8Policy.keepF32(argument: try value(a))
            case "--config": options.configPath = try value(a)
            case "--answers": options.answersPath = try value(a)
            case "--bpe": options.bpePath = try value(a)
            case "--name": options.name = try value(a)
            default:
                guard !a.hasPrefix("-") || a == "-" else { throw ConvertError("unknown option \(a)") }
                inputs.append(a)
            }
            i += 1
        }
        if help { return }
        guard !inputs.isEmpty else { throw ConvertError("no input files") }
        guard !output.isEmpty else { throw ConvertError("no output file (-o OUTPUT.gguf)") }
    }
}


