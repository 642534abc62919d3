#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine of the project's kind, builds, and runs
# every test suite (Swift, Python reference, C examples). `.ci/run` calls exactly this.
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
