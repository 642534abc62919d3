#!/usr/bin/env bash
# Makes the test suites' own Python: a virtual environment in .venv (kept out of git) with exactly the packages of
# tools/requirements-test.txt, OpenAI's CLIP tokenizer (clip-anytorch, --no-deps: the oracle of
# tools/reference/tests/test_tokenizer.py, whose module is loaded without torch), and, with VD_TORCH=1,
# tools/requirements-torch.txt, and the checkout's three Python packages installed editable (so every script and
# test imports them by name, never by a path): the reference `vdref` (tools/reference), ShapesQA `shapesqa`
# (tools/shapesqa) and the product's binding `videodistill` (Sources/python). The environment does not see the
# machine's site-packages, so a package installed there by hand (torch, say) cannot make a test pass that a fresh
# machine would fail. Made again whenever the requirement files, the packages' pyproject.toml files or VD_TORCH
# change. Called by tools/test-all.sh; prints nothing but errors and a summary line.
#   bash tools/python-env.sh        then  .venv/bin/python -m pytest ...
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${VD_VENV:-$PWD/.venv}"
torch="${VD_TORCH:-0}"
requirements=(tools/requirements-test.txt)
[ "$torch" = 1 ] && requirements+=(tools/requirements-torch.txt)
packages=(tools/reference tools/shapesqa Sources/python)
stamp="$(cat "${requirements[@]}" "${packages[@]/%//pyproject.toml}" | sha256sum | cut -c1-16) torch=$torch clip-anytorch==2.6.0"

if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.vd-stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "python env: $venv (up to date)"
    exit 0
fi
rm -rf "$venv"
if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian's own python3 keeps venv's pip bootstrap in a separate package.
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$venv"
    python3 -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input)
for r in "${requirements[@]}"; do "${pip[@]}" -r "$r"; done
"${pip[@]}" --no-deps clip-anytorch==2.6.0
# Editable: the environment imports the checkout's files themselves. --no-build-isolation builds with the pinned
# setuptools of tools/requirements-test.txt (nothing else is fetched); --no-deps: the packages' PyPI dependencies
# are all pinned in the requirement files already.
editable=(); for p in "${packages[@]}"; do editable+=(-e "$p"); done
"${pip[@]}" --no-build-isolation --no-deps "${editable[@]}"
echo "$stamp" > "$venv/.vd-stamp"
echo "python env: $venv ($("$venv/bin/python" --version), $(wc -l < <("$venv/bin/python" -m pip list 2>/dev/null)) lines of pip list, torch=$torch)"
