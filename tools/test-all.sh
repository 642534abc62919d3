#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine of the project's kind, builds, and runs
# every test suite (Swift, Python reference, C examples), then the hardening checks (fuzz smoke, the Swift
# suite under ASan + UBSan, the concurrency tests under TSan, the C example under valgrind; tools/ci-hardening.sh).
# `.ci/run` calls exactly this. VD_HARDENING_SKIP="fuzz asan tsan valgrind" (any subset) skips hardening steps.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh

echo "== swift build"
swift build
echo "== swift test"
swift test
echo "== python reference tests"
python3 -m pytest -q tools/reference/tests
echo "== python binding tests"
python3 -m pytest -q tools/python/tests
echo "== examples (C, C++, Python)"
bash examples/run-examples.sh .build/debug
echo "== hardening (fuzz smoke, ASan + UBSan, TSan, valgrind)"
bash tools/ci-hardening.sh
