#!/usr/bin/env bash
# Training tests: real encodings of augmented real photos through encode/train/evaluate/calibrate
# and a serving server; scikit-learn as the SVM reference. Python side: the cross-check venv plus
# scikit-learn, pytest and the zerorpc client.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

zmface=${ZMFACE_BIN:-.build/debug/zmface}
[ -x "$zmface" ] || fail "$zmface not built: run swift build first"
venv=$ZMFACE_CACHE/venv-training
requirements=(numpy==1.26.4 pillow==10.4.0 scikit-learn==1.5.2 scipy==1.14.1 joblib==1.4.2 threadpoolctl==3.5.0
  pytest==8.3.4 zerorpc==0.6.3 pyzmq==27.3.0 msgpack==1.2.4 gevent==26.9.0)
ensure_venv "$venv" "${requirements[@]}"
scripts/fetch-test-data
scripts/fetch-recognition-set
export ZMFACE_BIN=$PWD/$zmface
exec "$venv/bin/python" -m pytest -p no:cacheprovider -q Tests/training "$@"
