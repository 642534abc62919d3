#!/usr/bin/env bash
# Builds and runs the C and C++ examples (and the Python one when the binding imports) on a fixture model, and
# the C video-file example on the shipped model and the quickstart's video.
# Usage: bash examples/run-examples.sh [BUILD_DIR]   (BUILD_DIR defaults to .build/debug; run `swift build` first)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-.build/debug}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fixture=Tests/Fixtures/tiny_a
"$build/convert-weights" "$fixture/frame_encoder.onnx" "$fixture/answerer.onnx" -o "$work/model.gguf" >/dev/null
# The fixture video as raw RGB, plus its size, and the answer ONNX Runtime gives for the first question.
read -r frames height width expected < <(python3 - "$fixture" "$work/frames.rgb" <<'PY'
import json, sys, numpy as np
fx, out = sys.argv[1], sys.argv[2]
video = np.load(f"{fx}/video.npy")
video.tofile(out)
answers = json.load(open(f"{fx}/answers.json"))
# The uint8 path's pixels differ from the fixture's by float rounding only; the fixture has no near-ties.
expected = answers[int(np.load(f"{fx}/qa_logits.npy")[0].argmax())]
print(video.shape[0], video.shape[1], video.shape[2], expected)
PY
)
question="$(python3 -c "import json; print(json.load(open('$fixture/questions.json'))[0])")"

# The public header alone, as C99 and as C++, warnings as errors.
cc -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c include/videodistill.h
c++ -std=c++11 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c++ include/videodistill.h
cc -std=c99 -Wall -Wextra -Werror -Iinclude examples/c/answer.c -L"$build" -lvideodistill \
    -Wl,-rpath,"$PWD/$build" -o "$work/answer_c"
c++ -std=c++17 -Wall -Wextra -Werror -Iinclude examples/cpp/answer.cpp -L"$build" -lvideodistill \
    -Wl,-rpath,"$PWD/$build" -o "$work/answer_cpp"
cc -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c include/videodistill_video.h
cc -std=c99 -Wall -Wextra -Werror -Iinclude examples/c/answer_video.c -L"$build" -lvideodistill_video \
    -Wl,-rpath,"$PWD/$build" -o "$work/answer_video"

check() {  # name, output
    echo "$2"
    if ! grep -q -- "$expected" <<<"$2"; then
        echo "FAIL: $1 did not answer \"$expected\"" >&2
        exit 1
    fi
}
check "C example" "$("$work/answer_c" "$work/model.gguf" "$work/frames.rgb" "$frames" "$height" "$width" "$question")"
check "C++ example" "$("$work/answer_cpp" "$work/model.gguf" "$work/frames.rgb" "$frames" "$height" "$width" "$question")"
check "Python example" "$(VIDEODISTILL_LIBRARY="$PWD/$build/libvideodistill.so" PYTHONPATH=Sources/python \
    python3 examples/python/answer.py "$work/model.gguf" "$fixture/video.npy" "$question")"
# A video file through vd_encode_video_file: the shipped model on the quickstart's video and question gives the
# command's answer (which decodes through the same library) with its probability.
model=examples/models/shapesqa.gguf video=examples/videos/example_0.mp4
question="$(cat examples/videos/example_0.question.txt)"
top="$("$build/videodistill-cli" answer --model "$model" --video "$video" --question "$question" --threads 2 | sed -n 's/^  1\. *\([^ ]*\) *\([0-9.]*\)$/\1 (\2)/p')"
[ -n "$top" ] || { echo "FAIL: no top answer from the command" >&2; exit 1; }
expected="$top"
check "C video example" "$("$work/answer_video" "$model" "$video" "$question")"
echo "examples: 4 passed, 0 failed"
