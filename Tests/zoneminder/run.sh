#!/usr/bin/env bash
# End-to-end test with a REAL ZoneMinder 1.36 (the Debian package, installed when missing): zmc
# records forced-alarm events from a clip of Obama and Biden photos, and `zmface ingest --once`
# must turn every closed event into PostgreSQL rows with recognised names.
#
#   1. Tests/zoneminder/zm_harness.sh: install ZoneMinder, a private MariaDB, zmc capturing the
#      clip over loopback HTTP; N forced alarms (ZM_E2E_EVENTS, default 3) over T seconds
#      (ZM_E2E_SECONDS, default 5 per event; keep T/N >= 4 s or ZoneMinder merges events);
#   2. meanwhile a classifier is trained from the test photos (make_dataset.py, encode, train);
#   3. a private PostgreSQL (scripts/lib/dbservers.sh) receives the results of `zmface ingest --once`,
#      configured through ZoneMinder's own zm.conf (plus the harness's conf.d override);
#   4. checks: every closed event processed, its frames the selected alarm frames, a name in each
#      event, no duplicate detections, and a second run (explicit dbHost settings) adds nothing.
# Needs root and scripts/setup. ZMFACE_BIN overrides the binary, ZM_E2E_JPEGS=0 makes ZoneMinder
# keep only the MP4 (frames then come from the video), ZM_E2E_KEEP=1 keeps the work folder.
# Everything started is stopped on exit. Ends with one "tests: N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
t_start=$(now)
timings=()
lap() { timings+=("$1 $(since "$2") s"); }   # lap NAME START

zmface=${ZMFACE_BIN:-.build/debug/zmface}
events=${ZM_E2E_EVENTS:-3}
seconds=${ZM_E2E_SECONDS:-$((events * 5))}
jpegs=${ZM_E2E_JPEGS:-1}
harness=Tests/zoneminder/zm_harness.sh
photos=$ZMFACE_CACHE/test-photos
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
passed=0 failed=0 finished=0 harness_up=0 pg_up=0 train_pid="" api_pid=""
work=""

check() {  # check DESCRIPTION COMMAND...: passes when the command succeeds
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "PASS $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT
  [ -n "$train_pid" ] && kill "$train_pid" 2>/dev/null && wait "$train_pid" 2>/dev/null
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null
  if [ "$harness_up" = 1 ]; then
    local pids; pids=$(awk '{print $2}' "$ZMH_DIR/pids" 2>/dev/null)
    if [ "$finished" != 1 ] && [ -d "$ZMH_DIR/logs" ]; then
      echo "--- ZoneMinder harness state at the failure"
      "$harness" status 2>&1 | tail -n 20
      tail -n 10 "$ZMH_DIR/logs/mariadb.err" "$ZMH_DIR/logs/streamer.log" "$ZMH_DIR/logs/zmc.out" \
        /var/log/zm/zmc_m1.log 2>/dev/null
    fi
    local t; t=$(now)
    "$harness" down >"$work/down.log" 2>&1 || { cat "$work/down.log"; }
    lap down "$t"
    local left="" p
    for p in $pids; do
      [ -e "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && left="$left $p"
    done
    check "harness down stops every process it started${left:+ (left:$left)}" test -z "$left"
    check "harness down removes its ZoneMinder config override" test ! -e /etc/zm/conf.d/99-zm-harness.conf
  fi
  [ "$pg_up" = 1 ] && (scripts/lib/dbservers.sh postgres_stop "$work/pg")
  if [ -n "$work" ]; then
    if [ "${ZM_E2E_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
  fi
  if [ "$finished" != 1 ]; then
    failed=$((failed + 1)); echo "FAIL the run stopped before its checks were done (exit $rc; the reason is above)"
  fi
  [ ${#timings[@]} -gt 0 ] && echo "timings: $(IFS=,; echo "${timings[*]}" | sed 's/,/, /g'), total $(since "$t_start") s"
  echo "tests: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && exit 0
  exit 1
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT
trap 'echo "terminated" >&2; exit 143' TERM

[ "$(id -u)" = 0 ] || fail "needs root (installs ZoneMinder; runs MariaDB, zmc and PostgreSQL as their users)"
[ -x "$zmface" ] || fail "$zmface not built: run swift build first"
zmface=$(readlink -f "$zmface")
[ -x "$PG_BIN/pg_ctl" ] || fail "PostgreSQL 15 missing: run scripts/setup"
awk -v t="$seconds" -v n="$events" 'BEGIN{exit !(n >= 1 && t / n >= 4)}' \
  || fail "ZM_E2E_SECONDS/ZM_E2E_EVENTS must be >= 4 s per event (got $seconds/$events)"

step "ZoneMinder install"
t=$(now)
"$harness" install
lap install "$t"

step "test photos and Python venv"
t=$(now)
scripts/fetch-test-data
venv=$(ensure_ingest_venv)
lap data "$t"

# a short folder under /tmp: PostgreSQL's unix socket lives in it; mysql/postgres must reach it
work=$(mktemp -d /tmp/zmface-zm-e2e.XXXXXX)
chmod 755 "$work"
export ZMH_DB_PORT=${ZMH_DB_PORT:-$(free_port)} ZMH_STREAM_PORT=${ZMH_STREAM_PORT:-$(free_port)}
ZMH_DIR=$("$harness" env | sed -n 's/^ZMH_DIR=//p')
export ZMH_DIR
pg_port=$(free_port)

step "training a classifier (in the background)"
t_train=$(now)
(
  set -e
  "$venv/bin/python" Tests/training/make_dataset.py "$photos" "$work/dataset"
  "$zmface" encode "$work/dataset/train" --out "$work/encodings.json"
  "$zmface" train "$work/encodings.json" --classifier svm --out "$work/faces.model"
) >"$work/train.log" 2>&1 &
train_pid=$!

step "clip: Obama and Biden stills, 640x480, 10 fps, H.264"
# 3 s of each, the whole portrait scaled to 480 lines and padded: faces of about 108 and 75 px that
# stay well above the blur gate (recognition.focusThreshold 200; a tight crop of biden.jpg, a soft
# photo, measures about 80 and every face in it is then "blurry"). Keyframe every second.
scale="scale=-2:480,pad=640:480:(ow-iw)/2:0,setsar=1,format=yuv420p"
ffmpeg -hide_banner -loglevel error -nostdin -y \
  -loop 1 -framerate 10 -t 3 -i "$photos/obama.jpg" -loop 1 -framerate 10 -t 3 -i "$photos/biden.jpg" \
  -filter_complex "[0:v]$scale[a];[1:v]$scale[b];[a][b]concat=n=2:v=1[v]" \
  -map "[v]" -r 10 -c:v libx264 -preset veryfast -crf 18 -g 10 -pix_fmt yuv420p "$work/clip.mp4" \
  || fail "ffmpeg could not make the clip"

step "PostgreSQL on 127.0.0.1:$pg_port"
pg_up=1
scripts/lib/dbservers.sh postgres_start "$work/pg" "$pg_port"
pgurl="postgresql://zmface:zmface@127.0.0.1:$pg_port/zmface"
# query helpers for the checks: an error is printed and gives empty output, so the check fails
# with its own message instead of ending the run
pg() {
  PGPASSWORD=zmface "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U zmface -d zmface -X -q -A -t -v ON_ERROR_STOP=1 -c "$1" \
    || echo "(psql failed: $1)" >&2
}

step "ZoneMinder up (MariaDB on 127.0.0.1:$ZMH_DB_PORT, data in $ZMH_DIR)"
[ -s "$ZMH_DIR/pids" ] && fail "a harness is already up in $ZMH_DIR: run $harness down"
[ -e /etc/zm/conf.d/99-zm-harness.conf ] && fail "/etc/zm/conf.d/99-zm-harness.conf exists: another harness is up"
t=$(now)
harness_up=1
"$harness" up "$work/clip.mp4" --video passthrough --jpegs "$jpegs" >/dev/null
lap up "$t"
zm() { { "$harness" sql "$1" 2>/dev/null || echo "(ZoneMinder query failed: $1)" >&2; } | tail -n +2; }
# The Notes write-back's account, as the README tells users to make it: Events.Notes and nothing else.
mysql --no-defaults -S "$ZMH_DIR/run/mysqld.sock" -uroot -e "CREATE USER 'zmface_notes'@'%' IDENTIFIED BY 'notespass';
  GRANT SELECT (Id, Notes), UPDATE (Notes) ON zm.Events TO 'zmface_notes'@'%';" \
  || fail "could not create the Notes account"

step "recording $events forced-alarm events over $seconds s"
t=$(now)
"$harness" events "$events" "$seconds"
lap events "$t"

step "waiting for the classifier"
t=$(now)
rc=0; wait "$train_pid" || rc=$?
train_pid=""
[ "$rc" = 0 ] && [ -s "$work/faces.model" ] || { tail -n 30 "$work/train.log"; fail "training failed (exit $rc)"; }
lap train-wait "$t"
timings+=("train $(since "$t_train") s (overlapped)")

# Run 1 reads the database settings from ZoneMinder's own zm.conf (+ conf.d, where the harness
# points ZM_DB_HOST at its MariaDB); run 2 from explicit dbHost/dbName/dbUser/dbPassword.
write_config() {  # write_config FILE ZONEMINDER-DB-JSON
  cat > "$1" <<EOF
{
  "workers": 2,
  "models": "$PWD/models",
  "classifier": {"model": "$work/faces.model", "minProba": 0.7},
  "zoneminder": {"enabled": true, $2, "pollSeconds": 0.5, "settleSeconds": 2},
  "frames": {"select": "alarm", "maxPerEvent": 10},
  "postgres": {"url": "$pgurl"},
  "publish": {"endpoints": []},
  "zerorpc": {"endpoints": ["ipc://$work/rpc.sock"]}
}
EOF
}
write_config "$work/worker-zmconf.json" \
  "\"zmConf\": \"/etc/zm/zm.conf\", \"notes\": {\"enabled\": true, \"dbUser\": \"zmface_notes\", \"dbPassword\": \"notespass\"}"
write_config "$work/worker-dbhost.json" \
  "\"dbHost\": \"127.0.0.1:$ZMH_DB_PORT\", \"dbName\": \"zm\", \"dbUser\": \"zmuser\", \"dbPassword\": \"zmpass\""

step "zmface ingest --once (zoneminder.zmConf = /etc/zm/zm.conf)"
t=$(now)
rc=0; "$zmface" ingest --once --config "$work/worker-zmconf.json" 2>"$work/ingest1.log" || rc=$?
lap ingest "$t"
grep 'event processed' "$work/ingest1.log" | sed 's/^/    /' || true
check "ingest --once exits 0 (got $rc)" test "$rc" -eq 0
# the other checks read what this run wrote: without it they would only repeat its failure
[ "$rc" = 0 ] || { tail -n 30 "$work/ingest1.log"; fail "zmface ingest --once failed (exit $rc); its log is above"; }

# --- checks -------------------------------------------------------------------------------------
mapfile -t closed < <(zm "SELECT Id FROM Events WHERE EndDateTime IS NOT NULL ORDER BY Id")
check "ZoneMinder recorded $events closed events (got ${#closed[@]})" test "${#closed[@]}" -eq "$events"
check "ZoneMinder has no open event" test "$(zm "SELECT COUNT(*) FROM Events WHERE EndDateTime IS NULL")" -eq 0
check "the log has one 'event processed' line per event" \
  test "$(grep -c 'event processed' "$work/ingest1.log" || true)" -eq "${#closed[@]}"

while read -r id frames alarm length video; do
  note "ZoneMinder event $id: $frames frames, $alarm alarm frames, $length s, video ${video:-none}"
done < <(zm "SELECT Id, Frames, AlarmFrames, Length, DefaultVideo FROM Events ORDER BY Id")
videos=$(find "$ZMH_DIR/events" -name '*-video.mp4' -size +0 | wc -l)
check "ZoneMinder wrote a non-empty <Id>-video.mp4 for every event ($videos)" test "$videos" -eq "${#closed[@]}"
jpgs=$(find "$ZMH_DIR/events" -name '*-capture.jpg' | wc -l)
if [ "$jpegs" = 0 ]; then
  check "ZoneMinder wrote no capture JPEGs (SaveJPEGs=0: frames come from the MP4; found $jpgs)" test "$jpgs" -eq 0
else
  check "ZoneMinder wrote capture JPEGs (SaveJPEGs=$jpegs; found $jpgs)" test "$jpgs" -gt 0
fi

names_ok() {  # every name is one of the two people in the clip
  [ -z "$(pg "SELECT DISTINCT name FROM detections WHERE name IS NOT NULL AND name NOT IN ('obama', 'biden')")" ]
}
for id in "${closed[@]}"; do
  outcome=$(pg "SELECT outcome FROM events WHERE event_id = $id")
  check "event $id: outcome processed (got '${outcome:-no row}')" test "$outcome" = processed
  alarm_rows=$(zm "SELECT COUNT(*) FROM Frames WHERE EventId = $id AND Type = 'Alarm'")
  expected=$(( alarm_rows < 10 ? alarm_rows : 10 ))
  selected=$(pg "SELECT frames_selected FROM events WHERE event_id = $id")
  frame_rows=$(pg "SELECT COUNT(*) FROM frames WHERE event_id = $id")
  check "event $id: min(10, $alarm_rows alarm frames) = $expected frames selected (events.frames_selected ${selected:-none}, frames rows $frame_rows)" \
    test "$expected" -ge 1 -a "${selected:-x}" = "$expected" -a "$frame_rows" = "$expected"
  not_alarm=$(comm -23 <(pg "SELECT frame_id FROM frames WHERE event_id = $id" | sort) \
                       <(zm "SELECT FrameId FROM Frames WHERE EventId = $id AND Type = 'Alarm'" | sort) | tr '\n' ' ')
  check "event $id: every stored frame is one of ZoneMinder's alarm frames${not_alarm:+ (not: $not_alarm)}" test -z "$not_alarm"
  errors=$(pg "SELECT COUNT(*) FROM frames WHERE event_id = $id AND error IS NOT NULL")
  check "event $id: every frame was read ($errors errors)" test "$errors" -eq 0
  named=$(pg "SELECT COUNT(*) FROM detections WHERE event_id = $id AND name IS NOT NULL")
  check "event $id: at least one recognised face ($named named detections)" test "$named" -ge 1
  [ "$named" -ge 1 ] || pg "SELECT 'frame ' || frame_id || ' face ' || face_index || ': person ' || person || ', status ' || status ||
             ', probability ' || COALESCE(round(probability::numeric, 3)::text, '-') ||
             ', distance ' || COALESCE(round(distance::numeric, 3)::text, '-') || ', box ' ||
             (box_right - box_left) || 'px' FROM detections WHERE event_id = $id ORDER BY frame_id, face_index" | sed 's/^/    /'
  faces=$(pg "SELECT faces FROM events WHERE event_id = $id")
  detections=$(pg "SELECT COUNT(*) FROM detections WHERE event_id = $id")
  frame_faces=$(pg "SELECT COALESCE(SUM(faces), 0) FROM frames WHERE event_id = $id")
  check "event $id: events.faces = sum of frames.faces = detections (${faces:-none}, $frame_faces, $detections)" \
    test "${faces:-x}" = "$detections" -a "$frame_faces" = "$detections"
  summary_names=$(pg "SELECT COALESCE(string_agg(name, ',' ORDER BY name), '') FROM event_summaries WHERE event_id = $id AND name IS NOT NULL")
  detection_names=$(pg "SELECT COALESCE(string_agg(DISTINCT name, ',' ORDER BY name), '') FROM detections WHERE event_id = $id AND name IS NOT NULL")
  check "event $id: event_summaries name the same people as its detections ($summary_names)" \
    test "$summary_names" = "$detection_names"
done
check "names are only obama and biden" names_ok

# The Notes write-back: each event's Notes is ZoneMinder's own text, then zmface's part with the
# people the stored decision names; ZoneMinder's own filter engine (zmfilter.pl) then finds the
# events by name.
for id in "${closed[@]}"; do
  part=$(pg "SELECT '[zmface: ' || string_agg(p, ', ' ORDER BY o) || ']' FROM (
               SELECT name p, 1 - seen_confidence o FROM event_summaries WHERE event_id = $id AND seen
               UNION ALL SELECT count(*) || ' unknown', 2 FROM event_summaries WHERE event_id = $id AND name IS NULL
               HAVING count(*) > 0) x")
  notes=$(zm "SELECT Notes FROM Events WHERE Id = $id")
  check "event $id: Notes '$notes' = ZoneMinder's 'Forced Web:' + '$part'" test -n "$part" -a "$notes" = "Forced Web: $part"
done
zm_filter() {  # zm_filter NAME: runs ZoneMinder's filter engine once with an AutoArchive filter on Notes
  zm "INSERT INTO Filters (Name, Query_json, AutoArchive, UserId, Background, Concurrent)
      VALUES ('zmface $1', '{\"terms\":[{\"attr\":\"Notes\",\"op\":\"LIKE\",\"val\":\"$1\"}]}', 1, 1, 0, 0)" >/dev/null
  local id rc=0
  id=$(zm "SELECT Id FROM Filters WHERE Name = 'zmface $1'")
  timeout 120 zmfilter.pl --filter_id="$id" >>"$work/zmfilter.log" 2>&1 || rc=$?
  check "zmfilter.pl ran the filter Notes LIKE %$1% (exit $rc)" test "$rc" -eq 0
  archived=$(zm "SELECT Id FROM Events WHERE Archived = 1 ORDER BY Id" | tr '\n' ' ')
}
# A name nobody has archives nothing (the filter selects by Notes, not everything) ...
zm_filter "zmface: nobody-else"
check "ZoneMinder's filter for a name zmface never wrote archived nothing ('$archived')" test -z "$archived"
# ... and a name zmface wrote archives exactly the events whose decision saw that person.
zm_filter obama
seen_obama=$(pg "SELECT event_id FROM event_summaries WHERE name = 'obama' AND seen ORDER BY event_id" | tr '\n' ' ')
check "ZoneMinder's filter on Notes archived exactly the events where zmface saw obama ('$archived' = '$seen_obama')" \
  test -n "$seen_obama" -a "$archived" = "$seen_obama"
# ZoneMinder's own API (its CakePHP app, served here by PHP's built-in server instead of Apache)
# shows the same Notes.
api_port=$(free_port)
php -S "127.0.0.1:$api_port" -t /usr/share/zoneminder/www/api/app/webroot \
  /usr/share/zoneminder/www/api/app/webroot/index.php >"$work/zm-api.log" 2>&1 &
api_pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$api_port/" && break; sleep 0.2; done
for id in "${closed[@]}"; do
  api_notes=$(curl -fsS "http://127.0.0.1:$api_port/events/$id.json" | jq -r .event.Event.Notes 2>/dev/null || true)
  check "ZoneMinder's API /events/$id.json shows the Notes ('$api_notes')" \
    test "$api_notes" = "$(zm "SELECT Notes FROM Events WHERE Id = $id")" -a -n "$api_notes"
done
kill "$api_pid" 2>/dev/null; wait "$api_pid" 2>/dev/null || true; api_pid=""
dups=$(pg "SELECT COUNT(*) FROM (SELECT 1 FROM detections GROUP BY event_id, frame_id, face_index HAVING COUNT(*) > 1) d")
check "no duplicate (event_id, frame_id, face_index)" test "$dups" -eq 0
extra=$(pg "SELECT COUNT(*) FROM events WHERE event_id NOT IN ($(IFS=,; echo "${closed[*]:-0}"))")
check "no rows for events ZoneMinder does not have ($extra)" test "$extra" -eq 0

snapshot() {
  pg "SELECT (SELECT COUNT(*) FROM events) || ' ' || (SELECT COALESCE(SUM(runs), 0) FROM events) || ' ' ||
             (SELECT COUNT(*) FROM frames) || ' ' || (SELECT COUNT(*) FROM detections) || ' ' ||
             (SELECT COUNT(*) FROM event_summaries)"
}
before=$(snapshot)
step "zmface ingest --once again (explicit dbHost 127.0.0.1:$ZMH_DB_PORT)"
rc=0; "$zmface" ingest --once --config "$work/worker-dbhost.json" 2>"$work/ingest2.log" || rc=$?
[ "$rc" = 0 ] || tail -n 30 "$work/ingest2.log"
check "second ingest --once exits 0 (got $rc)" test "$rc" -eq 0
after=$(snapshot)
check "second ingest --once adds nothing (events runs frames detections summaries: $before -> $after)" test -n "$before" -a "$before" = "$after"
check "second ingest --once processes no event" test "$(grep -c 'event processed' "$work/ingest2.log" || true)" -eq 0

read -r n_events _ n_frames n_detections _ <<<"$after"
names=$(pg "SELECT COALESCE(string_agg(name || ': ' || n, ', ' ORDER BY name), '') FROM
            (SELECT name, COUNT(*) n FROM detections WHERE name IS NOT NULL GROUP BY name) x")
unknown=$(pg "SELECT COUNT(*) FROM detections WHERE name IS NULL")
echo
echo "zoneminder e2e: $n_events events, $n_frames frames, $n_detections detections, names: {$names}, unnamed: $unknown, wall $(since "$t_start") s"
finished=1
