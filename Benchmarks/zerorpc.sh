#!/usr/bin/env bash
# zerorpc round trips, zmface vs the original Python face server, same machine, same run, same
# client (../shared/tools/zrpc_client.py hammer, zerorpc-python 0.6.3):
#   _zerorpc_ping      protocol overhead only
#   detect_faces       one photo, one person box around the face (HOG, upsample 1, jitters 1)
# Usage: Benchmarks/zerorpc.sh [PING_REQUESTS] [DETECT_REQUESTS]
# zmface runs the release build with 2 workers; the Python server is single-threaded (gevent), as
# the original. Its dlib is the dlib-bin wheel (no BLAS: encodings ~4x slower than OpenBLAS).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
ping_requests=${1:-4000}
detect_requests=${2:-200}
client=${ZRPC_CLIENT:-../shared/tools/zrpc_client.py}
[ -f "$client" ] || fail "zrpc_client.py not found at $client (set ZRPC_CLIENT)"

venv=$ZMFACE_CACHE/venv-bench
requirements=(zerorpc==0.6.3 pyzmq==27.3.0 msgpack==1.2.4 gevent==26.9.0 dlib-bin==20.0.1.post1 numpy==1.26.4
  pillow==10.4.0 opencv-python-headless==4.10.0.84)
ensure_venv "$venv" "${requirements[@]}"
export PYTHONPATH="$(fetch_sdist face_recognition 1.3.0):$(fetch_sdist face_recognition_models 0.3.0)"
scripts/fetch-test-data
swift build -c release --product zmface >/dev/null || fail "release build failed"
PY=$venv/bin/python
photo=$ZMFACE_CACHE/test-photos/obama.jpg
request="[{\"image\": \"$photo\", \"labels\": [{\"id\": 1, \"name\": \"person\", \"score\": 0.99, \"box\": {\"xmin\": 300, \"ymin\": 100, \"xmax\": 700, \"ymax\": 500}}]}]"
zport=$((20000 + RANDOM % 10000)); pport=$((zport + 1))
OPENBLAS_NUM_THREADS=1 .build/release/zmface serve --endpoint "tcp://127.0.0.1:$zport" \
  --image-root "$ZMFACE_CACHE/test-photos" --workers 2 --log-level warning &
zpid=$!
OPENBLAS_NUM_THREADS=1 "$PY" Benchmarks/python_face_server.py "tcp://127.0.0.1:$pport" >/dev/null &
ppid=$!
trap 'kill $zpid $ppid 2>/dev/null; wait 2>/dev/null' EXIT
for port in $zport $pport; do
  for _ in $(seq 100); do "$PY" "$client" call "tcp://127.0.0.1:$port" _zerorpc_ping --timeout 2 >/dev/null 2>&1 && break; sleep 0.2; done
done

# Both servers must agree that the face is found (the Python server answers face=None after encoding).
"$PY" "$client" call "tcp://127.0.0.1:$zport" detect_faces "$request" --raw | grep -q '"faceStatus": "unknown"' \
  || fail "zmface did not find the face"

results=()
for target in "zmface $zport" "python $pport"; do
  set -- $target
  ping=$("$PY" "$client" hammer "tcp://127.0.0.1:$2" _zerorpc_ping --concurrency 16 --requests "$ping_requests" --procs 2 --json)
  detect=$("$PY" "$client" hammer "tcp://127.0.0.1:$2" detect_faces "$request" --no-check --concurrency 8 \
    --requests "$detect_requests" --timeout 120 --json)
  results+=("$1" "$ping" "$detect")
done
python3 - "${results[@]}" <<'PY'
import json, sys
args = sys.argv[1:]
rows = {args[i]: (json.loads(args[i + 1]), json.loads(args[i + 2])) for i in range(0, len(args), 3)}
print("| call | server | calls/s | p50 ms | p99 ms | errors |")
print("|---|---|---|---|---|---|")
for index, call in enumerate(["_zerorpc_ping", "detect_faces (1 face)"]):
    for server, reports in rows.items():
        r = reports[index]
        print(f"| {call} | {server} | {r['throughput_rps']} | {r['latency_ms']['p50']} | {r['latency_ms']['p99']} | {r['errors']} |")
for index, call in enumerate(["_zerorpc_ping", "detect_faces"]):
    ratio = rows["zmface"][index]["throughput_rps"] / rows["python"][index]["throughput_rps"]
    print(f"{call}: zmface / python throughput = {ratio:.2f}x")
PY
