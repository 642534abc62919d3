#!/usr/bin/env bash
# Table 4 and the seeds, after run_all.sh DATA (which trained the shipped model, stage 2 seed 0, on the stage-1
# encoders in DATA/runs/encoders.pt):
#   tools/shapesqa/run_table4.sh DATA
# 1. stage 2 again with seeds 1 and 2 (same encoders, same recipe), each exported and evaluated by the runtime
#    (logs/eval_test_seedN.md); 2. the ablations (uniform, soft, no-vr, cross-attn: QA head only, the same epochs),
#    and the shipped recipe with the straight-through estimator (st), trained and then evaluated with the shipped
#    model by the reference on the test split (logs/table4.md);
# 3. the shipped model on a test split generated with a seed no run has seen (logs/eval_test_unseen.md).
# Two jobs at a time (JOBS=...), one torch thread each: about 75 min on a 2-core machine (the sum of the
# logged runs' times; not run as one command).
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:?usage: run_table4.sh DATA}
JOBS=${JOBS:-2}
EPOCHS=${EPOCHS:-9}
UNSEEN_SEED=${UNSEEN_SEED:-1009}
LOGS=tools/shapesqa/logs
export VIDEODISTILL_LIBRARY=$PWD/.build-shapes/release/libvideodistill_video.so
[ -f "$DATA/runs/shapesqa.pt" ] || { echo "run_table4.sh: run tools/shapesqa/run_all.sh $DATA first" >&2; exit 1; }
job() {   # NAME TRAIN-ARGS...
    local name=$1; shift
    python3 tools/shapesqa/train.py --data "$DATA" --encoders "$DATA/runs/encoders.pt" \
        --out "$DATA/runs/$name.pt" --epochs "$EPOCHS" --select-warmup 3 --threads 1 \
        --log "$LOGS/train_$name.log" "$@" > "$DATA/runs/$name.out" 2>&1
}
export -f job; export DATA EPOCHS LOGS
printf '%s\n' "seed1 --seed 1" "seed2 --seed 2" "uniform --variant uniform --heads qa" \
    "soft --variant soft --heads qa" "no-vr --variant no-vr --heads qa" "cross-attn --variant cross-attn --heads qa" \
    "st --estimator st" |
    xargs -P "$JOBS" -L 1 bash -c 'job "$@"' _
for s in 1 2; do
    python3 tools/shapesqa/export_model.py --checkpoint "$DATA/runs/seed$s.pt" --onnx "$DATA/onnx_seed$s" \
        --out "$DATA/seed$s.gguf"
    python3 tools/shapesqa/evaluate.py --command .build-shapes/release/videodistill-cli --data "$DATA" \
        --model "$DATA/seed$s.gguf" --split test --out "$LOGS/eval_test_seed$s.md"
done
python3 tools/shapesqa/table4.py --data "$DATA" --out "$LOGS/table4.md" \
    --runs "videodistill=$DATA/runs/shapesqa.pt" "uniform=$DATA/runs/uniform.pt" "soft=$DATA/runs/soft.pt" \
    "no-vr=$DATA/runs/no-vr.pt" "cross-attn=$DATA/runs/cross-attn.pt" "straight-through=$DATA/runs/st.pt"
python3 tools/shapesqa/generate.py --out "$DATA/unseen" --seed "$UNSEEN_SEED" --only test
python3 tools/shapesqa/evaluate.py --command .build-shapes/release/videodistill-cli --data "$DATA/unseen" \
    --model examples/models/shapesqa.gguf --split test --out "$LOGS/eval_test_unseen.md"
