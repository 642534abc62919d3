#!/usr/bin/env bash
# The concurrency tests (and the other tests that share one model between threads) under ThreadSanitizer.
#
# Usage: bash tools/sanitize/tsan.sh [--filter REGEX]  (default: the suites below)
# Build folder: $VD_TSAN_SCRATCH (default .build-tsan). Fails on any ThreadSanitizer report or test failure.
#
# OpenBLAS (Debian's libopenblas0-pthread) is not instrumented: TSan sees neither its memory accesses nor its
# own spin-wait handoff between worker threads. Its accesses are therefore never reported (a race inside OpenBLAS
# would go unseen: the runtime runs OpenBLAS on one thread, so its workers never start), and our code's
# accesses are ordered by the locks and joins TSan does see (Dispatch's concurrentPerform, the handle registry's
# NSLock, thread joins). tools/sanitize/tsan.supp holds the suppressions, each with its reason.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch="${VD_TSAN_SCRATCH:-.build-tsan}"
log="$scratch/tsan-test.log"
filter=(--filter 'HardeningConcurrencyTests|ModelParityUsageTests|TokenizerTests')
[ $# -gt 0 ] && filter=("$@")
echo "== build (TSan)"
swift build --build-tests --scratch-path "$scratch" --sanitize=thread 2>&1 | grep -vE "^\[" || true
echo "== swift test under TSan: ${filter[*]}"
status=0
TSAN_OPTIONS="suppressions=$PWD/tools/sanitize/tsan.supp:halt_on_error=0:second_deadlock_stack=1:history_size=4${TSAN_OPTIONS:+:$TSAN_OPTIONS}" \
    swift test --skip-build --scratch-path "$scratch" --sanitize=thread "${filter[@]}" > "$log" 2>&1 || status=$?
grep -E "Test run with|Executed [0-9]+ tests" "$log" | tail -3
reports=$(grep -c "WARNING: ThreadSanitizer" "$log" || true)
if [ "$status" != 0 ] || [ "$reports" != 0 ]; then
    grep -A40 -E "WARNING: ThreadSanitizer|✘" "$log" | head -200
    echo "tsan: FAILED (exit $status, $reports reports; full log $log)" >&2
    exit 1
fi
echo "tsan: clean ($log)"
