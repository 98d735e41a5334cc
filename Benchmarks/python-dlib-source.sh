#!/usr/bin/env bash
# Makes (once) and prints the path of a Python whose dlib 20.0.1 is compiled from its sdist on this
# machine, against Debian's OpenBLAS, as a user of the original would have it: the fair side of
# Benchmarks/pool.sh's comparison (the dlib-bin wheel has no BLAS, so its encodings are ~4x slower).
# The compile takes 12-27 min on 2 cores; the venv is kept in $ZMFACE_CACHE/venv-dlib-source.
# Usage: Benchmarks/python-dlib-source.sh   (then: Benchmarks/pool.sh 4 "$(Benchmarks/python-dlib-source.sh)")
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
venv=$ZMFACE_CACHE/venv-dlib-source
requirements="dlib==20.0.1 (from source) numpy==1.26.4 pillow==10.4.0 cmake==3.31.6"
if [ "$(cat "$venv/.zmface-requirements" 2>/dev/null)" != "$requirements" ]; then
  dpkg -s libopenblas-dev >/dev/null 2>&1 || fail "libopenblas-dev missing (scripts/setup installs it)"
  rm -rf "$venv"
  python3 -m venv "$venv" || fail "python3 -m venv failed"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check numpy==1.26.4 pillow==10.4.0 cmake==3.31.6 >&2 \
    || fail "could not install numpy, pillow and cmake into $venv"
  # dlib's setup.py runs `cmake` from PATH; the venv's comes first.
  PATH="$venv/bin:$PATH" "$venv/bin/python" -m pip install -q --disable-pip-version-check \
    --no-binary dlib dlib==20.0.1 >&2 || fail "dlib 20.0.1 did not build from source"
  echo "$requirements" > "$venv/.zmface-requirements"
fi
"$venv/bin/python" -c 'import dlib; assert dlib.DLIB_USE_BLAS, "dlib built without BLAS"' \
  || fail "$venv's dlib was built without BLAS"
printf '%s\n' "$venv/bin/python"
