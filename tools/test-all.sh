#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine of the project's kind, builds, and runs
# every test suite (Swift, Python reference, Python binding, the command's Python tests, C examples, the wheel), then the hardening checks (fuzz smoke,
# the Swift suite under ASan + UBSan, the concurrency tests under TSan, the C example under valgrind;
# tools/ci-hardening.sh). `.ci/run` calls exactly this.
# Python runs in the virtual environment .venv that tools/python-env.sh makes from the requirement files (never the
# machine's site-packages); VD_TORCH=1 adds PyTorch to it, so the torch-only tests run instead of skipping.
# VD_HARDENING_SKIP="fuzz asan tsan valgrind" (any subset) skips hardening steps.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh
bash tools/python-env.sh
export VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH"   # every python3 below is the environment's
unset PYTHONPATH PYTHONHOME

echo "== swift build"
swift build
echo "== swift test"
swift test
echo "== python reference tests"
python3 -m pytest -q tools/reference/tests
echo "== python binding tests"
python3 -m pytest -q Sources/python/tests
echo "== command tests (Python: the videodistill command and the installed tools)"
python3 -m pytest -q Tests/command
echo "== examples (C, C++, Python)"
bash examples/run-examples.sh .build/debug
echo "== the wheel (pip wheel Sources/python, installed outside the checkout with no Swift toolchain in sight)"
bash tools/test-wheel.sh
echo "== hardening (fuzz smoke, ASan + UBSan, TSan, valgrind)"
bash tools/ci-hardening.sh
