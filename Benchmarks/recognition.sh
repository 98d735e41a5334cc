#!/usr/bin/env bash
# Recognition stage timings on a 640x480 frame: zmface (release build) and the Python original's
# stack (face_recognition on the dlib-bin wheel, the cross-check venv) in the same run, same frame,
# one thread each. Usage: Benchmarks/recognition.sh [ITERATIONS]
# Note: the dlib-bin wheel is built without a BLAS, so its encoding is slower than a dlib compiled
# against OpenBLAS; the table says which Python dlib it measured.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
iterations=${1:-15}

Tests/crosscheck/run.sh >/dev/null || fail "the Python reference venv could not be prepared"
export PYTHONPATH="$(fetch_sdist face_recognition 1.3.0):$(fetch_sdist face_recognition_models 0.3.0)"
swift build -c release --product zmface-bench >/dev/null && swift build -c release --product zmface >/dev/null \
  && swift build -c release --product zmfhog-x86-64-v3 >/dev/null || fail "release build failed"

frame=$ZMFACE_CACHE/bench/frame-640x480.jpg
mkdir -p "$(dirname "$frame")"
ffmpeg -loglevel error -y -i "$ZMFACE_CACHE/test-photos/obama.jpg" -q:v 3 \
  -vf "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2" "$frame"

export OPENBLAS_NUM_THREADS=1
# The HOG detector compiled for this CPU (x86-64-v3 where it has AVX2/FMA) and the baseline copy.
.build/release/zmface info | grep '^HOG detector' >&2
swift_json=$(.build/release/zmface-bench stages "$frame" --iterations "$iterations" | tee /dev/stderr | tail -1)
baseline_json=$(ZMFACE_CPU=baseline .build/release/zmface-bench stages "$frame" --iterations "$iterations" \
  | tee /dev/stderr | tail -1)
python_json=$("$ZMFACE_CACHE/venv-crosscheck/bin/python" Benchmarks/python_recognition.py "$frame" "$iterations" 3)
python_dlib=$("$ZMFACE_CACHE/venv-crosscheck/bin/python" -c 'import dlib; print(dlib.__version__)')
python3 - "$swift_json" "$baseline_json" "$python_json" "$python_dlib" <<'PY'
import json, sys
swift = {s["name"]: s for s in json.loads(sys.argv[1])}
baseline = {s["name"]: s for s in json.loads(sys.argv[2])}
python = json.loads(sys.argv[3])
print(f"\n640x480 frame, median ms (zmface release, HOG for this CPU and the x86-64 baseline, vs Python "
      f"face_recognition on dlib-bin {sys.argv[4]}, no BLAS)")
print(f"| stage | zmface | zmface baseline | baseline / zmface | Python | Python / zmface |")
print(f"|---|---|---|---|---|---|")
for name, s in swift.items():
    p, b = python[name]["medianMs"], baseline[name]["medianMs"]
    print(f"| {name} | {s['medianMs']:.2f} | {b:.2f} | {b / s['medianMs']:.2f}x | {p:.2f} | {p / s['medianMs']:.2f}x |")
PY
