#!/usr/bin/env bash
# Two zmface builds side by side in one run, for refactors that must not slow anything down:
#   1. detect_faces over zerorpc (serve, 2 workers): calls/s and latency of a person box on obama.jpg
#      (zrpc_client.py hammer, 4 concurrent callers);
#   2. whole-frame recognition, the path ingestion takes: `zmface detect` over seven 640x480 scenes,
#      user CPU seconds (best of 3);
#   3. the PostgreSQL commit of ingestion (`zmface-bench sink`, when a URL is given): rows/s of the
#      batched commit.
# Usage: Benchmarks/compare-builds.sh OLD_BUILD_DIR NEW_BUILD_DIR [POSTGRES_URL]
#   POSTGRES_URL: a role that may create databases (a scratch one is made and dropped per build).
#   a build dir holds zmface and zmface-bench (e.g. ../wt-base/.build/release .build/release).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
old=${1:?usage: compare-builds.sh OLD_BUILD_DIR NEW_BUILD_DIR [POSTGRES_URL]}
new=${2:?usage: compare-builds.sh OLD_BUILD_DIR NEW_BUILD_DIR [POSTGRES_URL]}
pgurl=${3:-}
client=${ZRPC_CLIENT:-../shared/tools/zrpc_client.py}
venv=$ZMFACE_CACHE/venv-zerorpc
ensure_venv "$venv" zerorpc==0.6.3 pyzmq==27.3.0 msgpack==1.2.4 gevent==26.9.0 pytest==8.3.4
scripts/fetch-test-data
export OPENBLAS_NUM_THREADS=1
scenes=$ZMFACE_CACHE/bench/scenes
mkdir -p "$scenes"
for photo in obama obama2 obama3 biden astronaut group-t1 32bit; do
  source=$(ls "$ZMFACE_CACHE"/test-photos/"$photo".* | head -1)
  [ -s "$scenes/$photo.jpg" ] || ffmpeg -loglevel error -y -i "$source" -q:v 3 \
    -vf "scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2" "$scenes/$photo.jpg"
done
photo=$ZMFACE_CACHE/test-photos/obama.jpg
request="[{\"image\": \"$photo\", \"labels\": [{\"id\": 1, \"name\": \"person\", \"score\": 0.99, \"box\": {\"xmin\": 300, \"ymin\": 100, \"xmax\": 700, \"ymax\": 500}}]}]"

for label in old new old new; do
  dir=$old; [ "$label" = new ] && dir=$new
  port=$(free_port)
  "$dir/zmface" serve --endpoint "tcp://127.0.0.1:$port" --image-root "$ZMFACE_CACHE/test-photos" --workers 2 \
    --log-level warning &
  pid=$!
  for _ in $(seq 100); do
    "$venv/bin/python" "$client" call "tcp://127.0.0.1:$port" _zerorpc_ping --timeout 2 >/dev/null 2>&1 && break
    sleep 0.2
  done
  rpc=$("$venv/bin/python" "$client" hammer "tcp://127.0.0.1:$port" detect_faces "$request" -c 4 -n 200 --no-check --json)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  best=""
  for _ in 1 2 3; do
    seconds=$( { /usr/bin/time -f %U "$dir/zmface" detect "$scenes"/*.jpg >/dev/null; } 2>&1 | tail -1)
    best=$(python3 -c "print(min(float('$seconds'), float('${best:-1e9}')))")
  done
  sink="-"
  if [ -n "$pgurl" ]; then
    # A fresh database per run: the two builds may have different schema versions.
    scratch="zmface_compare_$$"
    PGOPTIONS=--client-min-messages=warning psql -q "$pgurl" -c "DROP DATABASE IF EXISTS $scratch" -c "CREATE DATABASE $scratch" >/dev/null
    url=$(python3 -c "import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path='/' + sys.argv[2]).geturl())" "$pgurl" "$scratch")
    sink=$("$dir/zmface-bench" sink --database "$url" 2>/dev/null | awk -F'|' '/multi-row/ {gsub(/ /, "", $5); print $5 " rows/s"}')
    psql -q "$pgurl" -c "DROP DATABASE $scratch" >/dev/null
  fi
  echo "$label: detect_faces $(python3 -c "import json,sys; r=json.loads(sys.argv[1]); print(f\"{r['throughput_rps']} calls/s, p50 {r['latency_ms']['p50']} ms, p99 {r['latency_ms']['p99']} ms\")" "$rpc"); whole frames (7 x 640x480, user CPU) ${best} s; sink: $sink"
done
