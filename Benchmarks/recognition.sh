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
swift build -c release --product zmface-bench >/dev/null || fail "release build failed"

frame=$ZMFACE_CACHE/bench/frame-640x480.jpg
mkdir -p "$(dirname "$frame")"
ffmpeg -loglevel error -y -i "$ZMFACE_CACHE/test-photos/obama.jpg" -q:v 3 \
  -vf "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2" "$frame"

export OPENBLAS_NUM_THREADS=1
swift_json=$(.build/release/zmface-bench stages "$frame" --iterations "$iterations" | tee /dev/stderr | tail -1)
python_json=$("$ZMFACE_CACHE/venv-crosscheck/bin/python" Benchmarks/python_recognition.py "$frame" "$iterations" 3)
python_dlib=$("$ZMFACE_CACHE/venv-crosscheck/bin/python" -c 'import dlib; print(dlib.__version__)')
python3 - "$swift_json" "$python_json" "$python_dlib" <<'PY'
import json, sys
swift = {s["name"]: s for s in json.loads(sys.argv[1])}
python = json.loads(sys.argv[2])
print(f"\n640x480 frame, median ms (zmface release vs Python face_recognition on dlib-bin {sys.argv[3]}, no BLAS)")
print(f"| stage | zmface | Python | Python / zmface |")
print(f"|---|---|---|---|")
for name, s in swift.items():
    p = python[name]["medianMs"]
    print(f"| {name} | {s['medianMs']:.2f} | {p:.2f} | {p / s['medianMs']:.2f}x |")
PY
