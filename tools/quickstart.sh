#!/usr/bin/env bash
# Set-up and first answer on a fresh machine: installs the packages, builds the release command, and asks the
# shipped default model (trained on ShapesQA, tools/shapesqa) a question about an example video.
#   bash tools/quickstart.sh [VIDEO] [QUESTION]
set -euo pipefail
cd "$(dirname "$0")/.."

model=examples/models/shapesqa.gguf
video="${1:-examples/videos/example_0.mp4}"
question="${2:-$(cat examples/videos/example_0.question.txt 2>/dev/null || echo "what colour is the shape that flashes?")}"

bash tools/install-deps.sh
swift build -c release --product videodistill-cli
echo
echo "model:    $model"
echo "video:    $video"
echo "question: $question"
.build/release/videodistill-cli answer --model "$model" --video "$video" --question "$question" --threads 2
