#!/usr/bin/env bash
# Soak with faults (Tests/soak/soak.py): ZoneMinder events stream in while zmface is SIGKILLed,
# PostgreSQL and MariaDB are restarted, events are deleted and corrupt files handed over; nothing may
# be lost or stored twice. Usage: Tests/soak/run.sh [SECONDS] (default 90; run for hours by hand).
# Prints "PASS soak …" or "FAIL soak …" for the test tally.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

zmface=${ZMFACE_BIN:-.build/debug/zmface}
[ -x "$zmface" ] || fail "$zmface not built: run swift build first"
venv=$(ensure_ingest_venv)
scripts/fetch-test-data >/dev/null
export ZMFACE_BIN=$PWD/$zmface
if "$venv/bin/python" Tests/soak/soak.py "${1:-90}" | tee "${TMPDIR:-/tmp}/zmface-soak.out"; then
  echo "PASS soak: $(grep -oE 'lost=.*' "${TMPDIR:-/tmp}/zmface-soak.out")"
else
  echo "FAIL soak: see above"
  exit 1
fi
