#!/usr/bin/env bash
# The CI part of the hardening work (issue 7), called by tools/test-all.sh after its `swift build`:
#   1. fuzz smoke: every fuzz target (tools/fuzz) for VD_FUZZ_SMOKE_SECONDS (default 60) after replaying its
#      seeds and committed regression inputs; any crash, leak, sanitizer report or broken invariant fails;
#   2. the Swift test suite under AddressSanitizer + UndefinedBehaviorSanitizer (tools/sanitize/asan.sh);
#   3. the concurrency tests under ThreadSanitizer (tools/sanitize/tsan.sh);
#   4. the C example under valgrind memcheck (tools/sanitize/valgrind-example.sh, on .build/debug).
# Each step prints its elapsed time. Skip steps with VD_HARDENING_SKIP="fuzz asan tsan valgrind" (any subset).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${VD_FUZZ_SMOKE_SECONDS:-60}"
skip=" ${VD_HARDENING_SKIP:-} "
start=$(date +%s)
step() { echo "== [hardening $(( $(date +%s) - start )) s] $*"; }

if ! command -v valgrind >/dev/null && [[ "$skip" != *" valgrind "* ]]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq valgrind >/dev/null
fi

if [[ "$skip" != *" fuzz "* ]]; then
    step "fuzz targets: build"
    bash tools/fuzz/build.sh 2>&1 | grep -E "^==|built:|error" || true
    for t in gguf modelfile onnx safetensors tokenizer capi video videofile; do
        [ -x ".build-fuzz/fuzz-$t" ] || { echo "fuzz-$t was not built" >&2; exit 1; }
        step "fuzz smoke: $t, ${seconds} s"
        log=".build-fuzz/smoke-$t.log"
        if ! bash tools/fuzz/run.sh "$t" -max_total_time="$seconds" > "$log" 2>&1; then
            grep -A40 -E "ERROR|INVARIANT|Test unit written" "$log" | head -80
            echo "fuzz smoke: $t FAILED (log $log; the input is in .build-fuzz/crashes/$t/)" >&2
            exit 1
        fi
        grep -E "^stat::number_of_executed_units|^stat::average_exec_per_sec" "$log" | tr '\n' ' '
        echo
    done
fi
if [[ "$skip" != *" asan "* ]]; then
    step "test suite under ASan + UBSan"
    bash tools/sanitize/asan.sh
fi
if [[ "$skip" != *" tsan "* ]]; then
    step "concurrency tests under TSan"
    bash tools/sanitize/tsan.sh
fi
if [[ "$skip" != *" valgrind "* ]]; then
    step "C example under valgrind memcheck"
    [ -x .build/debug/convert-weights ] || swift build
    bash tools/sanitize/valgrind-example.sh .build/debug
fi
step "hardening: all passed"
