#!/usr/bin/env bash
# MQTT tests: `zmface ingest`/`serve` against a real mosquitto broker from Debian, started by the
# tests on a free loopback port (plain, with a password file, with TLS from a test CA made by
# openssl), read with paho-mqtt and mosquitto_sub; the events come from the ingestion tests'
# fixtures (a private MariaDB with ZoneMinder 1.36's schema, a private PostgreSQL; see
# Tests/ingest/run.sh), imported by Tests/mqtt/conftest.py. The venv is the ingestion tests' one.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

run_database_pytest Tests/mqtt "mosquitto mosquitto_sub mosquitto_passwd openssl mariadbd ffmpeg" -- "$@"
