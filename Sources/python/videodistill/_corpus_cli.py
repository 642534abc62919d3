"""`videodistill index` and `videodistill ask`: the corpus (videodistill.corpus) as commands. Exit statuses are the
`videodistill` program's: 0 success, 1 other failure, 2 bad command line, 3 missing or unreadable file, 5 bad model
file (malformed, or lacks the head the command needs), 6 bad question; 130 interrupted (rerun index to resume)."""

import argparse
import sys

from . import (InvalidTextError, IOError as VdIOError, MissingHeadError, ModelFileError, NotFoundError,
               VideoDistillError, WrongModelError)

_EXIT = {NotFoundError: 3, VdIOError: 3, ModelFileError: 5, MissingHeadError: 5, WrongModelError: 5,
         InvalidTextError: 6}


def _engine_options(p):
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="local: worker processes on this machine (default); ray: Ray Data on a Ray cluster")
    p.add_argument("--address", default=None,
                   help="the Ray cluster to join (e.g. auto, ray://head:10001); default: a local one")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes (local, default 1) or actors (ray, default the cluster's CPUs / threads)")
    p.add_argument("--threads", type=int, default=1, help="runtime threads per worker (default 1)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _parser():
    top = argparse.ArgumentParser(prog="videodistill", description="Index a video corpus once, then ask it.")
    sub = top.add_subparsers(dest="command", required=True)
    p = sub.add_parser("index", help="decode and encode each video once into a corpus folder (resumable)",
                       description="Decode and encode each video once and write shards of encoded-video files "
                                   "with a Parquet manifest into DIR. Rerun the same command to resume: finished "
                                   "shards are kept. A video that fails is a manifest row with its error.")
    p.add_argument("videos", nargs="*", metavar="VIDEO", help="video files (or image folders)")
    p.add_argument("--model", required=True, help="the model file (GGUF)")
    p.add_argument("--out", required=True, metavar="DIR", help="the corpus folder")
    p.add_argument("--manifest", help="a JSON Lines (one {\"path\", \"id\"} per line) or Parquet (path, id "
                                      "columns) file of videos, with or instead of VIDEO arguments")
    p.add_argument("--shard-size", type=int, default=None, help="videos per shard (default: about 4 shards per "
                                                                "worker, at most 256)")
    p.add_argument("--precision", choices=("float32", "float16", "int8"), default="float32",
                   help="how the encoded-video files store tokens (default float32, exact)")
    p.add_argument("--strict", action="store_true", help="a video with an undecodable sampled frame is an "
                                                         "error row (default: its neighbour stands in)")
    _engine_options(p)
    p = sub.add_parser("ask", help="answer a question for every video of a corpus, or find the best matches",
                       description="--question Q: Q answered for every video (JSON Lines on stdout, or --out). "
                                   "--match TEXT: the --top-k videos that best match TEXT (VTM head: SPEC 7 "
                                   "multiple choice over videos; else CL similarity; with only a QA head, the "
                                   "probability that TEXT answers --question).")
    p.add_argument("--model", required=True, help="the model file the corpus was indexed with")
    p.add_argument("--corpus", required=True, metavar="DIR", help="a folder `videodistill index` wrote")
    p.add_argument("--question", help="the question")
    p.add_argument("--match", metavar="TEXT", help="find the videos that best match TEXT")
    p.add_argument("--by", choices=("auto", "vtm", "cl", "qa"), default="auto",
                   help="the head that scores --match (default: vtm, else cl, else qa)")
    p.add_argument("--top-k", type=int, default=None,
                   help="answers per video (default 5), or videos for --match (default 10)")
    p.add_argument("--out", metavar="FILE", help="write the rows to FILE: .parquet, else JSON Lines")
    _engine_options(p)
    return top


def main(argv=None):
    args = _parser().parse_args(argv)
    from . import corpus
    try:
        if args.command == "index":
            if not args.videos and not args.manifest:
                print("videodistill index: give VIDEO files or --manifest FILE", file=sys.stderr)
                return 2
            c = corpus.index(args.model, args.out, args.videos, manifest=args.manifest, engine=args.engine,
                             workers=args.workers, threads=args.threads, shard_size=args.shard_size,
                             precision=args.precision, strict=args.strict, address=args.address,
                             progress=not args.quiet)
            del c
            return 0
        if args.question is None and args.match is None:
            print("videodistill ask: give --question Q (answer it for every video) and/or --match TEXT",
                  file=sys.stderr)
            return 2
        if args.top_k is not None and args.top_k < 1:
            print("videodistill ask: --top-k must be >= 1", file=sys.stderr)
            return 2
        c = corpus.Corpus(args.corpus)
        engine = dict(engine=args.engine, workers=args.workers, threads=args.threads, address=args.address,
                      progress=not args.quiet)
        if args.match is not None:
            rows = c.find(args.model, args.match, top_k=args.top_k or 10, question=args.question, by=args.by,
                          **engine)
        else:
            rows = c.answer(args.model, args.question, top_k=args.top_k or 5, **engine)
        corpus.write_rows(rows, args.out)
        return 0
    except KeyboardInterrupt:
        print(f"videodistill {args.command}: interrupted"
              + ("; rerun the same command to resume (finished shards are kept)" if args.command == "index" else ""),
              file=sys.stderr)
        return 130
    except corpus.CorpusError as e:
        print(f"videodistill {args.command}: {e}", file=sys.stderr)
        return e.exit_code
    except VideoDistillError as e:
        print(f"videodistill {args.command}: {e}", file=sys.stderr)
        return _EXIT.get(type(e), 1)
    except ImportError as e:
        print(f"videodistill {args.command}: {e}", file=sys.stderr)
        return 1
    except OSError as e:   # the corpus folder or an output file: unwritable, full, gone
        print(f"videodistill {args.command}: {e}", file=sys.stderr)
        return 3
