#!/usr/bin/env bash
# Installs the system packages the project needs on a fresh Debian 12 machine (idempotent; apt only runs when a
# package is missing). Called by tools/quickstart.sh and tools/test-all.sh; the test suites' Python packages go
# into a virtual environment of their own (tools/python-env.sh), not into the machine's Python.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libopenblas-dev libonnx-dev libprotobuf-dev pkg-config zlib1g-dev
          libavformat-dev libavcodec-dev libswscale-dev libavutil-dev ffmpeg)
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
missing=()
for pkg in "${packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
