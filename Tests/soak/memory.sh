#!/usr/bin/env bash
# Long-run memory test (Tests/soak/memory.py): one zmface process (serve: zerorpc + ingestion + PUB)
# ingests FRAMES frames of ZoneMinder events while its RSS is sampled; after the warm-up RSS must be
# flat and every frame stored exactly once. Usage: Tests/soak/memory.sh [FRAMES] (default 100000;
# a short form such as 3000 for CI). ZMFACE_BIN picks the binary (default: the release build if
# there is one, else the debug build). Prints "PASS memory: …" or "FAIL memory: …" for the tally.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

if [ -z "${ZMFACE_BIN:-}" ]; then
  ZMFACE_BIN=.build/release/zmface
  [ -x "$ZMFACE_BIN" ] || ZMFACE_BIN=.build/debug/zmface
fi
[ -x "$ZMFACE_BIN" ] || fail "$ZMFACE_BIN not built: run swift build first"
case $ZMFACE_BIN in /*) ;; *) ZMFACE_BIN=$PWD/$ZMFACE_BIN ;; esac
export ZMFACE_BIN
venv=$(ensure_ingest_venv)
scripts/fetch-test-data >/dev/null
out=${TMPDIR:-/tmp}/zmface-memory.out
if "$venv/bin/python" Tests/soak/memory.py "${1:-100000}" | tee "$out"; then
  echo "PASS memory: $(grep -oE 'frames=.*' "$out" | tail -1)"
else
  echo "FAIL memory: $(grep -oE 'frames=.*' "$out" | tail -1 || echo 'see above')"
  exit 1
fi
