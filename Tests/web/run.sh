#!/usr/bin/env bash
# Faces page tests: the real zmface binary serving the page and its REST API (web.address) on a
# free loopback port, a private PostgreSQL 15 with rows seeded directly (real encodings and real
# crops cut from the test photos), and for the page itself headless Debian chromium driven by
# selenium (test_page*.py). The API tests are test_api*.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

run_database_pytest Tests/web "mariadbd mariadb-install-db ffmpeg ffprobe" -- "$@"
