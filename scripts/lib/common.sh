# Helpers shared by zmface's scripts. Source it from the repository root.

step() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
fail() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

ZMFACE_CACHE=${ZMFACE_CACHE:-$PWD/.cache}
DOWNLOADS=$ZMFACE_CACHE/downloads

# fetch_sdist NAME VERSION: downloads a source distribution from PyPI once, unpacks it under
# .cache/downloads and prints the unpacked directory. Nothing is built or installed.
fetch_sdist() {
  local name=$1 version=$2 dir archive
  dir=$DOWNLOADS/$name-$version
  if [ ! -d "$dir" ]; then
    mkdir -p "$DOWNLOADS"
    archive=$DOWNLOADS/$name-$version.tar.gz
    if [ ! -s "$archive" ]; then
      python3 -m pip download -q --no-deps --no-binary :all: -d "$DOWNLOADS" "$name==$version" >&2 \
        || [ -s "$archive" ] || fail "could not download $name==$version from PyPI"
    fi
    tar xzf "$archive" -C "$DOWNLOADS" || fail "could not unpack $archive"
  fi
  printf '%s\n' "$dir"
}

# ensure_venv DIR REQUIREMENT...: a Python venv with exactly these pinned packages, made once and
# remade when the list changes. Prints nothing on success; fails loudly otherwise.
ensure_venv() {
  local venv=$1; shift
  if [ "$(cat "$venv/.zmface-requirements" 2>/dev/null)" != "$*" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv" || fail "python3 -m venv failed (Debian: apt-get install python3-venv)"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@" \
      || fail "could not install into $venv: $*"
    echo "$*" > "$venv/.zmface-requirements"
  fi
}

# run_database_pytest SUITE TOOLS -- PYTEST-ARGS...: the database-backed pytest suites (Tests/ingest,
# Tests/mqtt). Checks ZoneMinder's unpacked schema, PostgreSQL 15 and the suite's TOOLS (a
# space-separated list, looked up on PATH and in /usr/sbin), then runs pytest on SUITE with the
# ingest venv and the test photos, ZMFACE_BIN pointing at the binary. Replaces the calling shell.
run_database_pytest() {
  local suite=$1 tools=$2 tool; shift 2
  [ "${1:-}" = -- ] && shift
  [ -s "$ZMFACE_CACHE/zoneminder/usr/share/zoneminder/db/zm_create.sql" ] \
    || fail "ZoneMinder's schema is missing: run scripts/setup"
  for tool in $tools; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || fail "$tool missing: run scripts/setup"
  done
  [ -x /usr/lib/postgresql/15/bin/pg_ctl ] || fail "PostgreSQL 15 missing: run scripts/setup"
  local zmface=${ZMFACE_BIN:-.build/debug/zmface} venv
  [ -x "$zmface" ] || note "$zmface not built (swift build): tests that run zmface will fail"
  venv=$(ensure_ingest_venv)
  scripts/fetch-test-data
  export ZMFACE_BIN=$PWD/$zmface
  exec "$venv/bin/python" -m pytest -p no:cacheprovider -q "$suite" "$@"
}

# ensure_ingest_venv: the one venv of the database-backed Python tests (ingest, mqtt, web), the soak and the demo
# (.cache/venv-ingest); prints its path (pip's output goes to stderr). One list here, so they
# never rebuild it back and forth. Use as venv=$(ensure_ingest_venv) under `set -e`.
ensure_ingest_venv() {
  local venv=$ZMFACE_CACHE/venv-ingest
  ensure_venv "$venv" PyMySQL==1.1.1 "psycopg[binary]==3.2.3" pillow==11.0.0 pyzmq==27.3.0 msgpack==1.2.4 \
    pytest==8.3.4 paho-mqtt==2.1.0 selenium==4.51.0 >&2
  printf '%s\n' "$venv"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
