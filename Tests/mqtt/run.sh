#!/usr/bin/env bash
# MQTT tests: `zmface ingest`/`serve` against a real mosquitto broker from Debian, started by the
# tests on a free loopback port (plain, with a password file, with TLS from a test CA made by
# openssl), read with paho-mqtt and mosquitto_sub; the events come from the ingestion tests'
# fixtures (a private MariaDB with ZoneMinder 1.36's schema, a private PostgreSQL; see
# Tests/ingest/run.sh), imported by Tests/mqtt/conftest.py. The venv is the ingestion tests' one.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

[ -s "$ZMFACE_CACHE/zoneminder/usr/share/zoneminder/db/zm_create.sql" ] \
  || fail "ZoneMinder's schema is missing: run scripts/setup"
for tool in mosquitto mosquitto_sub mosquitto_passwd openssl mariadbd ffmpeg; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || fail "$tool missing: run scripts/setup"
done
[ -x /usr/lib/postgresql/15/bin/pg_ctl ] || fail "PostgreSQL 15 missing: run scripts/setup"
zmface=${ZMFACE_BIN:-.build/debug/zmface}
[ -x "$zmface" ] || note "$zmface not built (swift build): tests that run zmface will fail"
venv=$(ensure_ingest_venv)
scripts/fetch-test-data
export ZMFACE_BIN=$PWD/$zmface
exec "$venv/bin/python" -m pytest -p no:cacheprovider -q Tests/mqtt "$@"
