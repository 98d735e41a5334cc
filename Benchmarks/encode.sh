#!/usr/bin/env bash
# Encode throughput: `zmface encode` (release, all cores) vs the original encode_faces.py loop
# (Python face_recognition on the dlib-bin wheel, one process) on the same dataset, same run.
# The dataset is the training test's: augmented test photos (Tests/training/make_dataset.py).
# Usage: Benchmarks/encode.sh [JITTERS]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
jitters=${1:-1}
Benchmarks/zerorpc.sh 1 1 >/dev/null 2>&1 || true   # makes the bench venv if missing
venv=$ZMFACE_CACHE/venv-bench
[ -x "$venv/bin/python" ] || fail "bench venv missing (run Benchmarks/zerorpc.sh once)"
export PYTHONPATH="$(fetch_sdist face_recognition 1.3.0):$(fetch_sdist face_recognition_models 0.3.0)"
scripts/fetch-test-data
swift build -c release --product zmface >/dev/null || fail "release build failed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" Tests/training/make_dataset.py "$ZMFACE_CACHE/test-photos" "$work/data"
dataset=$work/data/train
images=$(find "$dataset" -type f | wc -l)

start=$(date +%s.%N)
.build/release/zmface encode "$dataset" --out "$work/enc.json" --detector hog --jitters "$jitters" 2>/dev/null | tail -1
zmface_seconds=$(echo "$(date +%s.%N) - $start" | python3 -c 'import sys; print(round(eval(sys.stdin.read()), 2))')
read -r _ python_encoded python_seconds < <(OPENBLAS_NUM_THREADS=1 "$venv/bin/python" Benchmarks/python_encode_faces.py "$dataset" hog "$jitters")
python3 - "$images" "$zmface_seconds" "$python_seconds" "$python_encoded" "$jitters" <<'PY'
import sys
images, zs, ps, pe, jitters = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
print(f"| encode ({images} images, HOG upsample 1, {jitters} jitter) | seconds | images/s |")
print("|---|---|---|")
print(f"| zmface encode (2 workers, release, incl. model load) | {zs:.2f} | {images / zs:.1f} |")
print(f"| Python encode_faces.py loop (dlib-bin, 1 process) | {ps:.2f} | {images / ps:.1f} |")
print(f"zmface / python = {ps / zs:.2f}x ({pe} images encoded by Python)")
PY
