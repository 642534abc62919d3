#!/usr/bin/env bash
# The whole ShapesQA recipe, from nothing to the shipped model, its example videos and its test-split report.
#   tools/shapesqa/run_all.sh DATA          (DATA: a scratch folder outside the repo, ~1 GB)
# Steps (each can be rerun alone, see README.md): generate, prepare, pretrain_encoders, train, export, examples,
# evaluate. One torch thread throughout (THREADS=... to change). train.py ships the stage-2 epoch with the best
# validation accuracy overall ($DATA/runs/shapesqa.pt; every epoch is kept beside it). SEED seeds stage 2.
# Table 4's ablations and the other seeds: tools/shapesqa/run_table4.sh DATA after this.
# python3 must have torch and the checkout's packages (vdref, shapesqa, videodistill): the test environment with
# torch, VD_TORCH=1 bash tools/python-env.sh, then PATH="$PWD/.venv/bin:$PATH" tools/shapesqa/run_all.sh DATA.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c "import torch, vdref, shapesqa" 2>/dev/null || {
    echo "run_all.sh: python3 ($(command -v python3)) lacks torch or the checkout's packages;" \
         "run VD_TORCH=1 bash tools/python-env.sh and put .venv/bin first on PATH" >&2
    exit 1
}
DATA=${1:?usage: run_all.sh DATA}
THREADS=${THREADS:-1}
TRAIN_VIDEOS=${TRAIN_VIDEOS:-1600}
STEPS=${STEPS:-1500}
EPOCHS=${EPOCHS:-9}
SEED=${SEED:-0}
LOGS=tools/shapesqa/logs
mkdir -p "$DATA/runs" "$LOGS"
t0=$(date +%s)
# The runtime first: training reads its frames through the video library (videodistill.read_video_frames).
swift build -c release --scratch-path .build-shapes --product convert-weights
swift build -c release --scratch-path .build-shapes --product videodistill_video
swift build -c release --scratch-path .build-shapes --product videodistill-cli
export VIDEODISTILL_LIBRARY=$PWD/.build-shapes/release/libvideodistill_video.so
if [ ! -f "$DATA/train.jsonl" ]; then   # the three splits in parallel (about 6 minutes on 2 cores, 15 one after another)
    pids=()
    for split in test val train; do
        python3 tools/shapesqa/generate.py --out "$DATA" --train "$TRAIN_VIDEOS" --only "$split" & pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
fi
[ -f "$DATA/cache/test_frames.npy" ] || python3 tools/shapesqa/prepare.py --data "$DATA"
python3 tools/shapesqa/pretrain_encoders.py --data "$DATA" --out "$DATA/runs/encoders.pt" --steps "$STEPS" \
    --group 8 --counterfactuals 4 --threads "$THREADS" --log "$LOGS/pretrain_encoders.log"
python3 tools/shapesqa/train.py --data "$DATA" --encoders "$DATA/runs/encoders.pt" --out "$DATA/runs/shapesqa.pt" \
    --epochs "$EPOCHS" --select-warmup 3 --seed "$SEED" --threads "$THREADS" --log "$LOGS/train.log"
ckpt=$DATA/runs/shapesqa.pt
python3 tools/shapesqa/export_model.py --checkpoint "$ckpt" --onnx "$DATA/onnx" --out examples/models/shapesqa.gguf
python3 tools/shapesqa/make_examples.py --data "$DATA"
python3 tools/shapesqa/evaluate.py --command .build-shapes/release/videodistill-cli --data "$DATA" --model examples/models/shapesqa.gguf \
    --checkpoint "$ckpt" --split test --threads "$THREADS"
echo "run_all: $(( $(date +%s) - t0 )) s"
