#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine of the project's kind, builds, and runs
# every test suite (Swift, Python reference, C examples). `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
need_apt=0
for pkg in libopenblas-dev libonnx-dev libprotobuf-dev pkg-config zlib1g-dev \
        libavformat-dev libavcodec-dev libswscale-dev libavutil-dev ffmpeg; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt=1
done
if [ "$need_apt" = 1 ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
        libopenblas-dev libonnx-dev libprotobuf-dev pkg-config zlib1g-dev \
        libavformat-dev libavcodec-dev libswscale-dev libavutil-dev ffmpeg >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -r tools/requirements-test.txt

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
