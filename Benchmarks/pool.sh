#!/usr/bin/env bash
# Recognition pool throughput: frames/s of `zmface-bench pool` at 1, 2 and 4 workers and of the
# original's single-process loop in Python, on the same 640x480 scenes in the same run; efficiency
# (time inside recognition / (wall x workers)) and peak RSS per worker count.
# Usage: Benchmarks/pool.sh [REPEAT] [PYTHON]
#   PYTHON: `source` for dlib 20.0.1 compiled here against OpenBLAS (the fair comparison; made once
#   by Benchmarks/python-dlib-source.sh, 12-27 min on 2 cores), or a Python path; default: the
#   bench venv's dlib-bin wheel (no BLAS: its encodings are ~4x slower, which flatters zmface).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
repeat=${1:-4}
python=${2:-$ZMFACE_CACHE/venv-bench/bin/python}
[ "$python" = source ] && python=$(Benchmarks/python-dlib-source.sh)
[ -x "$python" ] || fail "no Python at $python (run Benchmarks/zerorpc.sh once to make the bench venv)"
export PYTHONPATH="$(fetch_sdist face_recognition 1.3.0):$(fetch_sdist face_recognition_models 0.3.0)"
scripts/fetch-test-data
swift build -c release --product zmface-bench >/dev/null && swift build -c release --product zmface >/dev/null \
  && swift build -c release --product zmfhog-x86-64-v3 >/dev/null || fail "release build failed"
scenes=$ZMFACE_CACHE/bench/scenes
mkdir -p "$scenes"
for photo in obama obama2 obama3 biden astronaut group-t1 32bit; do
  source=$(ls "$ZMFACE_CACHE"/test-photos/"$photo".* | head -1)
  ffmpeg -loglevel error -y -i "$source" -q:v 3 \
    -vf "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2" "$scenes/$photo.jpg"
done
export OPENBLAS_NUM_THREADS=1
rows=()
for workers in 1 2 4; do
  rows+=("$(.build/release/zmface-bench pool "$scenes"/*.jpg --workers "$workers" --repeat "$repeat")")
done
# The same 2 workers on the x86-64 baseline HOG detector (the rows above use the copy built for
# this CPU: x86-64-v3 where it has AVX2/FMA; `zmface info` says which).
.build/release/zmface info | grep '^HOG detector' >&2
baseline_row=$(ZMFACE_CPU=baseline .build/release/zmface-bench pool "$scenes"/*.jpg --workers 2 --repeat "$repeat")
# The limit: dlib's kernels alone on the same frames, one thread, compiled both ways.
kernels=()
for march in x86-64-v3 x86-64; do
  clang++ -O3 -march="$march" -std=c++17 -I Sources/CDlib -o "$ZMFACE_CACHE/bench/dlib_kernels_$march" \
    Benchmarks/dlib-kernels/dlib_kernels.cpp -ldlib -lblas -llapack || fail "dlib_kernels did not build"
  kernels+=("$("$ZMFACE_CACHE/bench/dlib_kernels_$march" models "$repeat" 1 "$scenes"/*.jpg)")
done
python_row=$("$python" Benchmarks/python_pool_frames.py "$repeat" 1 "$scenes"/*.jpg)
python3 - "$python_row" "$baseline_row" "${kernels[@]}" "${rows[@]}" <<'PY'
import json, sys
python = json.loads(sys.argv[1])
baseline = json.loads(sys.argv[2])
kernels_v3, kernels_base = json.loads(sys.argv[3]), json.loads(sys.argv[4])
baseline["workers"] = f"{baseline['workers']} (x86-64 baseline HOG)"
rows = [json.loads(r) for r in sys.argv[5:]] + [baseline]
print(f"{rows[0]['frames']} frames of 640x480 ({rows[0]['faces']} faces), HOG upsample 1 + encoding, 2 cores")
print("| workers | frames/s | vs Python | efficiency | peak RSS MiB |")
print("|---|---|---|---|---|")
for r in rows:
    print(f"| {r['workers']} | {r['framesPerSecond']:.2f} | {r['framesPerSecond'] / python['framesPerSecond']:.2f}x | "
          f"{r['efficiency'] * 100:.0f} % | {r['peakRSSMiB']:.0f} |")
print(f"| Python (dlib {python['dlib']}, 1 process) | {python['framesPerSecond']:.2f} | 1.00x | | |")
for name, k in (("x86-64-v3", kernels_v3), ("x86-64", kernels_base)):
    print(f"| dlib kernels alone, C++ {name}, 1 thread | {k['framesPerSecond']:.2f} | "
          f"{k['framesPerSecond'] / python['framesPerSecond']:.2f}x | | |")
one = rows[0]
print(f"zmface 1 worker per frame: {1000 / one['framesPerSecond']:.1f} ms; dlib kernels alone (x86-64-v3): "
      f"{1000 / kernels_v3['framesPerSecond']:.1f} ms; ratio {kernels_v3['framesPerSecond'] / one['framesPerSecond']:.2f}x")
PY
