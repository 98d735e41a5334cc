#!/usr/bin/env bash
# Alarm region vs whole frame on real ZoneMinder motion events: a real ZoneMinder 1.36 (the test
# harness, Modect) records a clip in which a portrait crosses a still scene three times; zmc's own
# motion detection opens the events and writes the Stats boxes. `zmface ingest --once` then handles
# the same events twice, into two fresh PostgreSQL databases: `frames.region full` and `alarm`.
# Printed: faces found and named per run, recognition seconds (the sum of the per-event times zmface
# logs) and the ratio. Usage (as root): Benchmarks/alarm-region.sh [EVENTS] [MARGIN...]
# ZMFACE_BIN picks the binary (default: the debug build; the time goes to dlib, built -O2 either way).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
events=${1:-3}
shift || true
margins=("${@:-0.1}")
zmface=${ZMFACE_BIN:-.build/debug/zmface}
[ -x "$zmface" ] || fail "$zmface not built"
zmface=$(readlink -f "$zmface")
harness=Tests/zoneminder/zm_harness.sh
scripts/fetch-test-data >/dev/null
photos=$ZMFACE_CACHE/test-photos
venv=$(ensure_ingest_venv)

work=$(mktemp -d /tmp/zmface-region.XXXXXX)
chmod 755 "$work"
export ZMH_DB_PORT=$(free_port) ZMH_STREAM_PORT=$(free_port)
ZMH_DIR=$("$harness" env | sed -n 's/^ZMH_DIR=//p')
export ZMH_DIR
pg_port=$(free_port)
cleanup() {
  "$harness" down >/dev/null 2>&1 || true
  scripts/lib/dbservers.sh postgres_stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step "classifier (obama, biden) and the clip"
"$venv/bin/python" Tests/training/make_dataset.py "$photos" "$work/dataset" >/dev/null
"$zmface" encode "$work/dataset/train" --out "$work/encodings.json" >/dev/null 2>&1
"$zmface" train "$work/encodings.json" --classifier svm --out "$work/faces.model" >/dev/null 2>&1
# A still scene (one frame of ffmpeg's test pattern) that a portrait of about 110-pixel face crosses
# from left to right in 7 s, three times in 36 s: motion only where the portrait moves.
ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=640x480:rate=1 -frames:v 1 "$work/scene.png"
ffmpeg -loglevel error -y -loop 1 -framerate 10 -t 36 -i "$work/scene.png" -loop 1 -framerate 10 -t 36 \
  -i "$photos/obama.jpg" -filter_complex \
  "[1:v]scale=-2:260[p];[0:v][p]overlay=x='-250+(mod(t,12)-2)*127':y=110:enable='between(mod(t,12),2,9)',format=yuv420p" \
  -r 10 -c:v libx264 -preset veryfast -crf 18 -g 10 "$work/clip.mp4"

step "ZoneMinder (Modect) until $events events are closed"
"$harness" up "$work/clip.mp4" --function Modect --video passthrough --jpegs 1 >/dev/null
"$harness" wait "$events" 240 >/dev/null
# Stop the camera stream, so no new motion events arrive while the runs ingest; every run then
# handles exactly the same closed events.
kill "$(awk '$1 == "streamer" {print $2}' "$ZMH_DIR/pids")" 2>/dev/null || true
sleep 8
last=$("$harness" sql "SELECT MAX(Id) FROM Events WHERE EndDateTime IS NOT NULL" | tail -1)
stats=$("$harness" sql "SELECT COUNT(DISTINCT EventId), COUNT(*) FROM Stats" | tail -1)
echo "ZoneMinder: $("$harness" sql "SELECT COUNT(*) FROM Events WHERE EndDateTime IS NOT NULL" | tail -1) closed events, Stats (events, rows): $stats"

scripts/lib/dbservers.sh postgres_start "$work/pg" "$pg_port" >/dev/null
pg() { PGPASSWORD=zmface psql -h 127.0.0.1 -p "$pg_port" -U zmface -d "$1" -X -q -A -t -c "$2"; }
run() {  # run NAME REGION MARGIN: ingest every closed event into database NAME
  local name=$1 region=$2 margin=$3
  /usr/lib/postgresql/15/bin/psql -h "$work/pg" -p "$pg_port" -U postgres -d postgres -X -q -c "CREATE DATABASE $name OWNER zmface" >/dev/null || fail "could not create database $name"
  cat > "$work/$name.json" <<JSON
{"workers": 2, "models": "$PWD/models", "classifier": {"model": "$work/faces.model"},
 "zoneminder": {"enabled": true, "dbHost": "127.0.0.1:$ZMH_DB_PORT", "dbName": "zm", "dbUser": "zmuser",
   "dbPassword": "zmpass", "pollSeconds": 0.5, "settleSeconds": 2},
 "frames": {"select": "alarm", "maxPerEvent": 0, "region": "$region", "regionMargin": $margin},
 "postgres": {"url": "postgresql://zmface:zmface@127.0.0.1:$pg_port/$name"}, "publish": {"endpoints": []},
 "zerorpc": {"endpoints": ["ipc://$work/$name.sock"]}}
JSON
  "$zmface" ingest --once --config "$work/$name.json" 2>"$work/$name.log" || { tail -5 "$work/$name.log" >&2; fail "ingest into $name failed"; }
  local seconds frames found named
  seconds=$(grep -o 'seconds=[0-9.]*' "$work/$name.log" | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }')
  frames=$(pg "$name" "SELECT COUNT(*) FROM frames WHERE event_id <= $last")
  found=$(pg "$name" "SELECT COUNT(*) FROM detections WHERE event_id <= $last")
  named=$(pg "$name" "SELECT COUNT(*) FROM detections WHERE name IS NOT NULL AND event_id <= $last")
  echo "$name $region $margin $frames $found $named $seconds"
}
step "ingesting the same events: whole frames, then alarm regions"
results=("$(run region_full full 0)")
for margin in "${margins[@]}"; do results+=("$(run "region_alarm_${margin/./_}" alarm "$margin")"); done
echo
echo "binary: $zmface; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
echo "| frames.region | margin | frames | faces found | named | recognition s | faster | faces kept |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
read -r _ _ _ _ base_found _ base_seconds <<<"${results[0]}"
for line in "${results[@]}"; do
  read -r _ region margin frames found named seconds <<<"$line"
  awk -v r="$region" -v m="$margin" -v f="$frames" -v fo="$found" -v n="$named" -v s="$seconds" \
      -v bs="$base_seconds" -v bf="$base_found" \
    'BEGIN { printf "| %s | %s | %d | %d | %d | %.1f | %.2fx | %.1f %% |\n", r, (r=="full"?"-":m), f, fo, n, s, bs/s, (bf?100*fo/bf:0) }'
done
