#!/usr/bin/env bash
# zerorpc tests: the real zerorpc-python 0.6.3 client (and raw pyzmq for node-style and malformed
# traffic) against a real `zmface serve`. The venv is made once under .cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

zmface=${ZMFACE_BIN:-.build/debug/zmface}
[ -x "$zmface" ] || fail "$zmface not built: run swift build first"
venv=$ZMFACE_CACHE/venv-zerorpc
requirements=(zerorpc==0.6.3 pyzmq==27.3.0 msgpack==1.2.4 gevent==26.9.0 pytest==8.3.4)
ensure_venv "$venv" "${requirements[@]}"
scripts/fetch-test-data
export ZMFACE_BIN=$PWD/$zmface
exec "$venv/bin/python" -m pytest -p no:cacheprovider -q Tests/zerorpc "$@"
