#!/usr/bin/env bash
# Black-box tests of the zmface command line on real photos and deliberately broken files.
# What must hold: good images give one JSON line each with real boxes and 128-D encodings; every bad
# input gives exit code 1 and exactly one 'zmface: error:' line naming the file, never a crash
# (exit code >= 128) and never a partial result for that file; other images are still processed.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

zmface=${ZMFACE_BIN:-.build/debug/zmface}
[ -x "$zmface" ] || fail "$zmface not built: run swift build first"
scripts/fetch-test-data || fail "could not fetch the test photos"
photos=$ZMFACE_CACHE/test-photos
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

check() {  # check DESCRIPTION COMMAND...: passes when the command succeeds
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "PASS $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}

# expect_error NAME PATTERN ARGS...: exit 1, nothing on stdout, one stderr line matching PATTERN.
expect_error() {
  local what=$1 pattern=$2; shift 2
  "$zmface" "$@" >"$work/out" 2>"$work/err"
  local code=$?
  check "$what: exit code 1 (got $code)" test "$code" -eq 1
  check "$what: stdout empty" test ! -s "$work/out"
  check "$what: one error line" test "$(wc -l <"$work/err")" -eq 1
  check "$what: message matches '$pattern'" grep -qE "^zmface: error: .*$pattern" "$work/err"
}

json() {  # json FILE PYTHON-EXPRESSION-OVER-rows: evaluates to true/false
  python3 -c "import json,sys; rows=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if ($2) else 1)" "$1"
}

# --- good input -------------------------------------------------------------------------------
"$zmface" detect "$photos/obama.jpg" "$photos/biden.jpg" "$photos/32bit.png" >"$work/detect.jsonl" 2>"$work/err"
check "detect on three photos exits 0" test $? -eq 0
check "detect prints one line per image" json "$work/detect.jsonl" "len(rows) == 3"
check "each image has one face with a 128-D encoding" json "$work/detect.jsonl" \
  "all(len(r['faces']) == 1 and len(r['faces'][0]['encoding']) == 128 for r in rows)"
check "obama.jpg box is face_recognition's [142, 617, 409, 349]" json "$work/detect.jsonl" \
  "[rows[0]['faces'][0][k] for k in ('top','right','bottom','left')] == [142, 617, 409, 349]"
check "image sizes are reported" json "$work/detect.jsonl" "(rows[0]['width'], rows[0]['height']) == (910, 1137)"
check "stage timings are reported" json "$work/detect.jsonl" \
  "all(set(r['timingsMs']) == {'decode','detect','focus','encode'} and r['timingsMs']['detect'] > 0 for r in rows)"

"$zmface" compare "$photos/obama.jpg" "$photos/obama2.jpg" >"$work/same.json"
check "compare: two Obama photos are the same person" json "$work/same.json" "rows[0]['samePerson'] and rows[0]['distance'] < 0.6"
"$zmface" compare "$photos/obama.jpg" "$photos/biden.jpg" >"$work/diff.json"
check "compare: Obama and Biden are different people" json "$work/diff.json" "not rows[0]['samePerson'] and rows[0]['distance'] > 0.6"

# --- photos as users have them: format by content, EXIF orientation --------------------------
box_near() {  # box_near FILE: the one face's box is within 8 px of obama.jpg's [142, 617, 409, 349]
  json "$1" "len(rows) == 1 and len(rows[0]['faces']) == 1 and (rows[0]['width'], rows[0]['height']) == (910, 1137) \
    and all(abs(rows[0]['faces'][0][k] - v) <= 8 for k, v in zip(('top','right','bottom','left'), (142, 617, 409, 349)))"
}
ffmpeg -loglevel error -i "$photos/obama.jpg" -c:v libwebp -quality 85 -f webp "$work/webp-named.jpg"
"$zmface" detect "$work/webp-named.jpg" >"$work/webp.jsonl"
check "a WebP named .jpg is read as WebP: exit 0" test $? -eq 0
check "a WebP named .jpg: Obama's face where it is in the JPEG" box_near "$work/webp.jsonl"
# A phone held sideways stores the picture turned 90 degrees counter-clockwise (ffmpeg transpose=2)
# and tags it with EXIF orientation 6; the tag is written here into an APP1 segment.
ffmpeg -loglevel error -i "$photos/obama.jpg" -vf transpose=2 -q:v 2 "$work/stored.jpg"
python3 - "$work/stored.jpg" "$work/sideways.jpg" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
tiff = b"MM\x00\x2a" + struct.pack(">IH", 8, 1) + struct.pack(">HHIHH", 0x0112, 3, 1, 6, 0) + struct.pack(">I", 0)
payload = b"Exif\x00\x00" + tiff
open(sys.argv[2], "wb").write(data[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + data[2:])
PY
"$zmface" detect "$work/sideways.jpg" >"$work/sideways.jsonl"
check "a sideways JPEG with EXIF orientation 6: exit 0" test $? -eq 0
check "a sideways JPEG with EXIF orientation 6: upright, Obama's box as in the original" box_near "$work/sideways.jsonl"

# --- the HOG detector compiled for the CPU (x86-64-v3 when it has AVX2/FMA) and the baseline ----
# Both copies must find the same faces: identical boxes, detector scores equal to 1e-5 (FMA rounds
# differently), identical encodings (the network is the same code). On this suite's photos,
# upsampled once, so the pyramid code runs too.
"$zmface" info >"$work/info.txt"
ZMFACE_CPU=baseline "$zmface" info >"$work/info-baseline.txt"
check "info: ZMFACE_CPU=baseline forces the baseline HOG detector" \
  grep -q "^HOG detector x86-64 baseline (forced by ZMFACE_CPU=baseline)" "$work/info-baseline.txt"
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  check "info: this CPU has AVX2 and FMA, so the x86-64-v3 detector is loaded" \
    grep -q "^HOG detector x86-64-v3 (AVX2, FMA) from .*libzmfhog-x86-64-v3.so" "$work/info.txt"
else
  check "info: this CPU lacks AVX2/FMA, so the baseline runs" grep -q "^HOG detector x86-64 baseline" "$work/info.txt"
fi
hog_photos=("$photos/group-t1.jpg" "$photos/obama.jpg" "$photos/biden.jpg" "$photos/obama_partial_face.jpg")
"$zmface" detect --upsample 1 "${hog_photos[@]}" >"$work/hog-v3.jsonl"
ZMFACE_CPU=baseline "$zmface" detect --upsample 1 "${hog_photos[@]}" >"$work/hog-baseline.jsonl"
check "x86-64-v3 and baseline HOG: same boxes, scores within 1e-5, same encodings (${#hog_photos[@]} photos, 9 faces)" \
  python3 - "$work/hog-v3.jsonl" "$work/hog-baseline.jsonl" <<'PY'
import json, sys
a, b = ([json.loads(line) for line in open(path)] for path in sys.argv[1:3])
faces = [(x, y) for ra, rb in zip(a, b) for x, y in zip(ra["faces"], rb["faces"])]
box = ("top", "right", "bottom", "left")
ok = len(a) == len(b) == 4 and [len(r["faces"]) for r in a] == [len(r["faces"]) for r in b] and len(faces) == 9
ok = ok and all([x[k] for k in box] == [y[k] for k in box] for x, y in faces)
ok = ok and all(abs(x["confidence"] - y["confidence"]) < 1e-5 for x, y in faces)
ok = ok and all(max(abs(p - q) for p, q in zip(x["encoding"], y["encoding"])) < 1e-4 for x, y in faces)
sys.exit(0 if ok else 1)
PY

# --- bad input --------------------------------------------------------------------------------
printf 'not an image\n' >"$work/text.jpg"
: >"$work/empty.jpg"
head -c 30000 "$photos/obama.jpg" >"$work/truncated.jpg"
python3 - "$photos/obama.jpg" "$work" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
i = 2
while data[i + 1] not in (0xC0, 0xC2):          # walk markers to the frame header
    i += 2 + (data[i + 2] << 8 | data[i + 3])
def patched(w, h):
    out = bytearray(data); out[i + 5:i + 9] = bytes([h >> 8, h & 255, w >> 8, w & 255]); return out
open(sys.argv[2] + "/zero.jpg", "wb").write(patched(0, 480))
open(sys.argv[2] + "/huge.jpg", "wb").write(patched(65000, 65000))
PY
ffmpeg -loglevel error -f lavfi -i color=c=gray:s=320x240 -frames:v 1 "$work/noface.jpg"

expect_error "missing file" "no such file" detect "$work/missing.jpg"
expect_error "text file" "not a JPEG, PNG, WebP or BMP" detect "$work/text.jpg"
printf 'GIF89a\001\000\001\000\000\000\000;' >"$work/anim.jpg"
expect_error "a GIF named .jpg" "anim.jpg: GIF images are not supported" detect "$work/anim.jpg"
expect_error "empty file" "file is empty" detect "$work/empty.jpg"
expect_error "truncated JPEG" "truncated image" detect "$work/truncated.jpg"
expect_error "zero dimensions" "zero.jpg" detect "$work/zero.jpg"
expect_error "absurd dimensions" "65000x65000" detect "$work/huge.jpg"
expect_error "directory" "not a regular file" detect "$work"
expect_error "compare without a face" "no face found" compare "$photos/obama.jpg" "$work/noface.jpg"
expect_error "missing models" "scripts/setup" detect --models "$work/nomodels" "$photos/obama.jpg"

"$zmface" detect "$work/truncated.jpg" "$photos/obama.jpg" >"$work/mixed.jsonl" 2>"$work/err"
check "a bad image among good ones: exit 1" test $? -eq 1
check "a bad image among good ones: the good one is still reported" json "$work/mixed.jsonl" \
  "len(rows) == 1 and rows[0]['path'].endswith('obama.jpg')"

"$zmface" detect "$work/noface.jpg" >"$work/noface.jsonl"
check "an image without a face: exit 0 and an empty face list" json "$work/noface.jsonl" "rows[0]['faces'] == []"

"$zmface" detect --detector sift "$photos/obama.jpg" >/dev/null 2>"$work/err"
code=$?
check "unknown detector is a usage error, not a crash (exit $code)" test "$code" -ne 0 -a "$code" -lt 128
"$zmface" detect --upsample 99 "$photos/obama.jpg" >/dev/null 2>"$work/err"
code=$?
check "out-of-range upsample is a usage error (exit $code)" test "$code" -ne 0 -a "$code" -lt 128

# --- encode: a dataset of symbolic links -----------------------------------------------------
# alice/ holds a linked photo, a dangling link and a link back to the dataset (a cycle); bob is a
# linked folder. What must hold: links are followed, the cycle is reported and not looped, the
# dangling link is skipped with its reason, labels are the names in the dataset.
mkdir -p "$work/dataset/alice" "$work/library/bob-2019"
ln -s "$photos/obama.jpg" "$work/dataset/alice/obama.jpg"
ln -s "$work/nowhere.jpg" "$work/dataset/alice/gone.jpg"
ln -s .. "$work/dataset/alice/loop"
cp "$photos/biden.jpg" "$work/library/bob-2019/"
ln -s "$work/library/bob-2019" "$work/dataset/bob"
timeout 300 "$zmface" encode "$work/dataset" --out "$work/links.json" --workers 2 >"$work/out" 2>"$work/err"
code=$?
check "encode on linked files and folders with a cycle: exit 0 (got $code)" test "$code" -eq 0
check "encode: both linked photos encoded, labelled by their names in the dataset" python3 -c "
import json, sys
samples = json.load(open(sys.argv[1]))['samples']
sys.exit(0 if sorted((s['label'], s['path'].split('/')[-1]) for s in samples) == [('alice', 'obama.jpg'), ('bob', 'biden.jpg')] else 1)" "$work/links.json"
check "encode: the cycle is reported as skipped" grep -qE "^skipped .*/alice/loop: symlink cycle" "$work/err"
check "encode: the dangling link is reported as skipped" grep -qE "^skipped .*/alice/gone.jpg: dangling symlink" "$work/err"
check "encode: both are in the encodings file's skipped list" python3 -c "
import json, sys
skipped = json.load(open(sys.argv[1]))['skipped']
sys.exit(0 if sorted(e['path'].split('/')[-1] for e in skipped) == ['gone.jpg', 'loop'] else 1)" "$work/links.json"

# --- worker.json pipeline sections: every mistake names its field, before any model is loaded ----
bad_config() {  # bad_config NAME PATTERN JSON-FRAGMENT
  printf '{%s}\n' "$3" >"$work/bad.json"
  expect_error "worker.json $1" "$2" ingest --once --config "$work/bad.json"
}
bad_config "unknown zoneminder field" "'zoneminder.dbHots' is not a known setting" '"zoneminder": {"dbHots": "x"}'
bad_config "bad ZM_DB_HOST" "'zoneminder.dbHost'.*port or a socket" '"zoneminder": {"dbHost": "db:x"}'
bad_config "bad startAt" "'zoneminder.startAt'" '"zoneminder": {"startAt": "yesterday"}'
bad_config "bad frame selection" "'frames.select'.*alarm" '"frames": {"select": "some"}'
bad_config "negative maxPerEvent" "'frames.maxPerEvent'" '"frames": {"maxPerEvent": -1}'
bad_config "remote PUB endpoint" "'publish.endpoints\[0\]'" '"publish": {"endpoints": ["tcp://0.0.0.0:5556"]}'
bad_config "bad ipc mode" "'ipc.mode'.*octal" '"ipc": {"mode": "rw-rw----"}'
bad_config "ingestion without PostgreSQL" "'postgres.url' is required" '"zoneminder": {"enabled": true}'
bad_config "unreadable zm.conf" "'zoneminder.zmConf'.*cannot read" '"zoneminder": {"zmConf": "/nonexistent/zm.conf"}, "postgres": {"url": "postgresql:///x"}'
expect_error "backfill with a bad time" "--since \"soon\"" backfill --since soon --config "$work/bad.json"
expect_error "db migrate against a stopped server" "PostgreSQL unavailable" db migrate --config "$work/bad.json"
echo '{}' >"$work/empty.json"
expect_error "db migrate without a database" "no database" db migrate --config "$work/empty.json"

# --- the README describes this binary and these sources (Tests/cli/readme_check.py) -------------
readme_check() { python3 Tests/cli/readme_check.py "$1" "$zmface" README.md .; }
check "README: every option it shows for a command exists in that command's --help" readme_check flags
check "README: every option of a command with a heading is documented" readme_check options
check "README: the subcommand list is the binary's" readme_check commands
check "README: every worker.json field in the table is accepted by the binary" readme_check config
check "README: every worker.json field the reader accepts has a row in the table" readme_check config-keys
check "README: the module table names exactly Package.swift's targets" readme_check modules

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
