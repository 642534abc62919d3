#!/usr/bin/env bash
# Installs the system and Python packages the project needs on a fresh Debian 12 machine (idempotent; apt only
# runs when a package is missing). Called by tools/quickstart.sh and tools/test-all.sh.
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
python3 -m pip install -q --disable-pip-version-check -r tools/requirements-test.txt
# OpenAI's CLIP tokenizer, the oracle of tools/reference/tests/test_tokenizer.py (its module is loaded on its own:
# --no-deps keeps torch and torchvision out).
python3 -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('clip') is None)" 2>/dev/null \
    || python3 -m pip install -q --disable-pip-version-check --no-deps clip-anytorch==2.6.0
