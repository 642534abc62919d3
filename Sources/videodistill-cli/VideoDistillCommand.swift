import ArgumentParser
import Foundation
import VideoDistill
import VideoDistillVideo
import VideoDistillCommandKit

/// The root command: `answer`, `choose`, `encode`, `info`, `eval`, `explain`.
struct VideoDistillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "videodistill",
        abstract: "Answer questions about videos with a VideoDistill model file.",
        discussion: """
            VIDEO is a video file FFmpeg's libraries decode (mp4, webm, mkv, avi, ...), one image, or a folder of \
            PNG/JPEG/BMP images of one size, taken in name order (digit runs as numbers). The model picks N \
            frames of the F the video has (SPEC 1: idx_n = ((2n + 1) F) div (2N)); only those are decoded, \
            seeking to keyframes where the container allows. Frame numbers in the output count from 0 over \
            the video's F frames. Wherever a command takes VIDEO, an encoded-video file written by `encode` \
            stands in for it (except `explain`, which draws the frames).

            index, ask: a video corpus indexed once and asked anything, on one machine or a Ray cluster, are commands \
            of the Python package (python -m videodistill index|ask --help, or the wheel's videodistill).

            \(ExitStatus.help)
            """,
        subcommands: [Answer.self, Choose.self, Encode.self, Info.self, Eval.self, Explain.self]
    )

    /// Parses, runs, prints errors and exits with the statuses of `ExitStatus`.
    static func runMain() -> Never {
        // The corpus commands are the Python package's (Ray and Parquet live there); say where they are.
        let arguments = CommandLine.arguments.dropFirst()
        if let first = arguments.first, first == "index" || first == "ask" {
            fail(CommandFailure(.usage, "the corpus commands (index, ask) are the Python package's: run `python -m videodistill \(first) ...`, or `videodistill \(first) ...` from the installed wheel (pip install 'videodistill[corpus]'); see the README's \"Corpus\" and `python -m videodistill \(first) --help`"))
        }
        do {
            var command = try parseAsRoot()
            try command.run()
            Foundation.exit(ExitStatus.ok.rawValue)
        } catch let e as CommandFailure {
            fail(e)
        } catch let e as VideoDistillError {
            fail(CommandFailure.from(e))
        } catch let e as FrameSourceError {
            fail(CommandFailure.from(e))
        } catch {
            // ArgumentParser's own: help, usage errors (exit 2 rather than its EX_USAGE), ExitCode.
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(ExitStatus.ok.rawValue)
            }
            fputs(fullMessage(for: error) + "\n", stderr)
            Foundation.exit(code == .validationFailure ? ExitStatus.usage.rawValue : code.rawValue)
        }
    }

    private static func fail(_ failure: CommandFailure) -> Never {
        fputs("videodistill: error: \(failure.message)\n", stderr)
        Foundation.exit(failure.status.rawValue)
    }
}
