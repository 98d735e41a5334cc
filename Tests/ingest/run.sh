#!/usr/bin/env bash
# Ingestion/sink tests: a private MariaDB with ZoneMinder 1.36's real schema (zm_create.sql and
# triggers.sql from the Debian package, unpacked by scripts/setup), ZoneMinder events written by
# Tests/ingest/zmfixture.py exactly as zmc 1.36.33 writes them (rows, JPEGs, fragmented H.264 MP4,
# the crash and zero-byte traps), and a private PostgreSQL 15 as the sink. Both servers run on
# their own ports on 127.0.0.1 (scripts/lib/dbservers.sh); no system service is used. The venv is
# made once under .cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

[ -s "$ZMFACE_CACHE/zoneminder/usr/share/zoneminder/db/zm_create.sql" ] \
  || fail "ZoneMinder's schema is missing: run scripts/setup"
for tool in mariadbd mariadb-install-db ffmpeg ffprobe; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || fail "$tool missing: run scripts/setup"
done
[ -x /usr/lib/postgresql/15/bin/pg_ctl ] || fail "PostgreSQL 15 missing: run scripts/setup"
zmface=${ZMFACE_BIN:-.build/debug/zmface}
[ -x "$zmface" ] || note "$zmface not built (swift build): tests that run zmface will fail"
venv=$(ensure_ingest_venv)
scripts/fetch-test-data
export ZMFACE_BIN=$PWD/$zmface
exec "$venv/bin/python" -m pytest -p no:cacheprovider -q Tests/ingest "$@"
