#!/usr/bin/env bash
# The Swift test suite under AddressSanitizer (Swift core, C kernels, C API shim, C++ ONNX reader) and
# UndefinedBehaviorSanitizer (the C and C++ targets; swiftc has no -sanitize=undefined, and Swift traps on the
# same faults by itself: overflow, bad index, bad unwrap). LeakSanitizer runs at the exit of every test process.
#
# Usage: bash tools/sanitize/asan.sh [swift test options, e.g. --filter Hardening]
# Build folder: $VD_ASAN_SCRATCH (default .build-asan). Fails on any sanitizer report or test failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch="${VD_ASAN_SCRATCH:-.build-asan}"
log="$scratch/asan-test.log"
flags=(--scratch-path "$scratch" --sanitize=address
       -Xcc -fsanitize=undefined -Xcxx -fsanitize=undefined
       # vptr checks need the C++ UBSan runtime, which swiftc does not link; the ONNX reader has no virtual classes
       # of its own (protobuf's are outside the build).
       -Xcxx -fno-sanitize=vptr)
echo "== build (ASan + UBSan)"
swift build --build-tests "${flags[@]}" 2>&1 | grep -vE "Cannot export local symbol|^\[" || true
echo "== swift test under ASan + UBSan"
mkdir -p "$scratch"
# detect_leaks: LeakSanitizer at exit. UBSan keeps going after a report (so one run lists them all); the grep
# below fails the run on any.
status=0
ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
LSAN_OPTIONS="suppressions=$PWD/tools/sanitize/lsan.supp:print_suppressions=0" \
    swift test --skip-build "${flags[@]}" "$@" > "$log" 2>&1 || status=$?
grep -E "Test run with|Executed [0-9]+ tests" "$log" | tail -3
reports=$(grep -cE "runtime error:|ERROR: (Address|Leak)Sanitizer" "$log" || true)
if [ "$status" != 0 ] || [ "$reports" != 0 ]; then
    grep -B2 -A40 -E "runtime error:|ERROR: (Address|Leak)Sanitizer|✘" "$log" | head -200
    echo "asan: FAILED (exit $status, $reports sanitizer reports; full log $log)" >&2
    exit 1
fi
echo "asan: clean ($log)"
