#!/usr/bin/env bash
# Runs one fuzz target built by tools/fuzz/build.sh on its corpus.
#
# Usage: bash tools/fuzz/run.sh TARGET [libFuzzer options...]
#   e.g. bash tools/fuzz/run.sh capi -runs=1000000        (a campaign)
#        bash tools/fuzz/run.sh gguf -max_total_time=60      (the CI smoke)
#        bash tools/fuzz/run.sh onnx -runs=0                 (replay the corpus and the regressions only)
#
# Seeds: tools/fuzz/corpus/TARGET (committed), plus what is made here: the tiny_a fixture converted to a model
# file (the model of the capi, modelfile and tokenizer targets), the fixture ONNX exports for onnx, the Hugging Face
# fixtures' videodistill.safetensors for safetensors, and the seeds
# the gguf and modelfile binaries write themselves. Findings go to $out/crashes/TARGET/; each one, once fixed,
# is committed to tools/fuzz/regressions/TARGET/ and replayed by every run (and by the Swift regression tests).
# The growing corpus lives in $out/corpus/TARGET.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
out="${VD_FUZZ_OUT:-$root/.build-fuzz}"
target="${1:?usage: run.sh TARGET [libFuzzer options]}"
shift
bin="$out/fuzz-$target"
[ -x "$bin" ] || { echo "no $bin: run tools/fuzz/build.sh first" >&2; exit 2; }

model="$out/data/tiny_a.gguf"
if [ ! -s "$model" ] && [ "$target" != safetensors ]; then   # every target but safetensors uses the model
    mkdir -p "$out/data"
    [ -x "$out/fuzz-onnx" ] || { echo "no $out/fuzz-onnx (needed to convert the fixture): build it" >&2; exit 2; }
    VD_FUZZ_CONVERT="$model.tmp Tests/Fixtures/tiny_a/frame_encoder.onnx Tests/Fixtures/tiny_a/answerer.onnx" \
        ASAN_OPTIONS=detect_leaks=0 "$out/fuzz-onnx" >/dev/null
    mv "$model.tmp" "$model"
fi

seeds="$out/seeds/$target"
rm -rf "$seeds"
mkdir -p "$seeds" "$out/corpus/$target" "$out/crashes/$target"
[ -d "tools/fuzz/corpus/$target" ] && cp "tools/fuzz/corpus/$target"/* "$seeds"/
[ -d "tools/fuzz/regressions/$target" ] && cp "tools/fuzz/regressions/$target"/* "$seeds"/ 2>/dev/null || true
case "$target" in
    gguf|modelfile|videofile) VD_FUZZ_WRITE_SEEDS="$seeds" VD_FUZZ_MODEL="$model" ASAN_OPTIONS=detect_leaks=0 "$bin" >/dev/null ;;
    onnx) cp Tests/Fixtures/tiny_a/frame_encoder.onnx "$seeds/tiny_a-frame_encoder.onnx" ;;
    safetensors) for f in hf_p16 hf_p32; do cp "Tests/Fixtures/$f/videodistill.safetensors" "$seeds/$f-videodistill.safetensors"; done ;;
esac

# Options: findings stop the run (the default); 2 GB RSS and 1 GB single allocations count as findings (a huge
# allocation is how a hostile size shows); an input taking over 20 s counts as a hang.
export VD_FUZZ_MODEL="$model"
export VD_FUZZ_CONFIG="$root/Tests/Fixtures/tiny_a/config.json"
export VD_FUZZ_ANSWERS="$root/Tests/Fixtures/tiny_a/answers.json"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0:handle_abort=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
case "$target" in   # the targets that load a model in LLVMFuzzerInitialize
    video|videofile) export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/tools/fuzz/targets/model-at-start.lsan.supp}" ;;
esac
exec "$bin" -artifact_prefix="$out/crashes/$target/" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=20 \
    -print_final_stats=1 "$@" "$out/corpus/$target" "$seeds"
