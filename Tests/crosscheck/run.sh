#!/usr/bin/env bash
# Cross-implementation check: the same photos through zmface and through the Python stack the
# original server used (face_recognition 1.3.0 on dlib, the dlib-bin wheel), which must agree on
# boxes, descriptors and focus. The Python side lives in a venv under .cache (made once).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

zmface=${ZMFACE_BIN:-.build/debug/zmface}
[ -x "$zmface" ] || fail "$zmface not built: run swift build first"
venv=$ZMFACE_CACHE/venv-crosscheck
requirements=(dlib-bin==20.0.1.post1 numpy==1.26.4 pillow==10.4.0 opencv-python-headless==4.10.0.84)
ensure_venv "$venv" "${requirements[@]}"
# face_recognition and its models run straight from their unpacked sdists: nothing to build.
export PYTHONPATH="$(fetch_sdist face_recognition 1.3.0):$(fetch_sdist face_recognition_models 0.3.0)"
scripts/fetch-test-data

photos=$ZMFACE_CACHE/test-photos
images=("$photos/obama.jpg" "$photos/obama2.jpg" "$photos/obama3.jpg" "$photos/biden.jpg" "$photos/obama_partial_face.jpg" "$photos/32bit.png")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$zmface" detect --detector hog --upsample 1 --jitters 1 "${images[@]}" > "$out/zmface.jsonl"
"$venv/bin/python" Tests/crosscheck/reference_detect.py "${images[@]}" > "$out/python.jsonl"
"$venv/bin/python" Tests/crosscheck/compare.py "$out/zmface.jsonl" "$out/python.jsonl"
