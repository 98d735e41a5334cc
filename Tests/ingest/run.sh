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

run_database_pytest Tests/ingest "mariadbd mariadb-install-db ffmpeg ffprobe" -- "$@"
