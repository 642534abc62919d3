#!/usr/bin/env bash
# The wheel as a user gets it: `pip wheel Sources/python` builds it (the runtime with the Swift runtime linked in),
# then a fresh virtual environment outside the checkout installs it and, with no Swift toolchain on PATH and
# /opt/swift hidden (a private mount namespace, when root), runs the Python example and the `videodistill` command on
# the default model and checks their answer, `convert-weights --help`, and that `ldd` of everything installed names
# nothing under the toolchain's folder.   bash tools/test-wheel.sh [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=${1:-python3}
work=$(mktemp -d /tmp/vd-wheel.XXXXXX)
trap 'rm -rf "$work"' EXIT
toolchain=$(dirname "$(dirname "$(command -v swift)")")   # e.g. /opt/swift/usr -> its folder
toolchain=${toolchain%/usr}

"$python" -m pip wheel -q --no-deps -w "$work/dist" Sources/python
wheel=$(ls "$work"/dist/videodistill-*.whl)
echo "wheel: $(basename "$wheel") ($(( $(stat -c %s "$wheel") / 1000000 )) MB)"
"$python" -m venv "$work/venv"   # a venv of the base interpreter (not of the checkout's .venv)
"$work/venv/bin/pip" install -q "$wheel"
mkdir "$work/user"
cp examples/models/shapesqa.gguf examples/videos/example_0.mp4 examples/python/answer.py "$work/user/"
question=$(cat examples/videos/example_0.question.txt)
# What the checkout's own build answers (the same example through Sources/python and .build/release): the wheel
# must print exactly that.
VIDEODISTILL_LIBRARY="$root/.build/release/libvideodistill_video.so" PYTHONPATH="$root/Sources/python" \
    "$python" examples/python/answer.py examples/models/shapesqa.gguf examples/videos/example_0.mp4 "$question" \
    > "$work/expected.txt"
top=$(head -1 "$work/expected.txt" | cut -d: -f1)
[ -n "$top" ] || { echo "no answer from the checkout's build"; cat "$work/expected.txt"; exit 1; }
site=$("$work/venv/bin/python" -c 'import os, videodistill; print(os.path.dirname(videodistill.__file__))')
case "$site" in "$root"*) echo "the installed package is inside the checkout ($site)"; exit 1 ;; esac

check() {   # run the user's commands in $work/user with a PATH that has no Swift
    cd "$work/user"
    env -i HOME="$work/user" PATH=/usr/bin:/bin "$work/venv/bin/python" answer.py shapesqa.gguf example_0.mp4 "$question" > python.txt
    env -i HOME="$work/user" PATH="$work/venv/bin:/usr/bin:/bin" videodistill answer --model shapesqa.gguf \
        --video example_0.mp4 --question "$question" --threads 1 > command.txt
    env -i HOME="$work/user" PATH="$work/venv/bin:/usr/bin:/bin" convert-weights --help > /dev/null
    for f in "$site"/*.so "$site"/bin/*; do
        if ldd "$f" | grep -q "$toolchain"; then echo "$f links the toolchain: $(ldd "$f" | grep "$toolchain")"; exit 1; fi
    done
}
if [ "$(id -u)" = 0 ] && [ -d "$toolchain" ] && unshare -m true 2>/dev/null; then
    export -f check; export work site question toolchain
    unshare -m bash -ec 'mount -t tmpfs none "$toolchain"; check'
    hidden="with $toolchain hidden"
else
    check
    hidden="($toolchain not hidden: not root)"
fi
cmp -s "$work/expected.txt" "$work/user/python.txt" ||
    { echo "Python example (the checkout's build printed $(head -1 "$work/expected.txt")):"; cat "$work/user/python.txt"; exit 1; }
grep -q "^answer: $top\$" "$work/user/command.txt" || { echo "command (expected $top):"; cat "$work/user/command.txt"; exit 1; }
echo "wheel OK $hidden: Python example '$(head -1 "$work/user/python.txt")', command '$(grep -m1 "^answer:" "$work/user/command.txt")'"
