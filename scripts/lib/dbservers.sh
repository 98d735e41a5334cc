#!/usr/bin/env bash
# Private MariaDB and PostgreSQL instances for the ingestion tests: own data folder, own port on
# 127.0.0.1, own unix socket; system instances (if any) and /etc/mysql, /etc/postgresql are never
# used or touched, and nothing is started as a system service.
#
# Source it (functions below) or run it: scripts/lib/dbservers.sh COMMAND ARGS...
#   mariadb_start DIR PORT           mariadbd on 127.0.0.1:PORT, socket DIR/mysqld.sock, data DIR/mysql
#                                    (made on first use), pid DIR/mysqld.pid, log DIR/mariadb.err
#   mariadb_load_zm_schema DIR DB    ZoneMinder 1.36's real zm_create.sql (+ triggers.sql) as database DB,
#                                    plus the read-only user zmface/zmface (SELECT on DB.*)
#   mariadb_stop DIR
#   postgres_start DIR PORT          PostgreSQL 15 cluster in DIR/data (made on first use), 127.0.0.1:PORT
#                                    and unix socket in DIR, log DIR/postgres.log; role and database
#                                    zmface (password zmface)
#   postgres_stop DIR                fast shutdown
#   postgres_restart DIR PORT
# As root, mariadbd runs as the OS user mysql and postgres as the OS user postgres, so DIR and the
# folders above it must be usable by them (the functions chown DIR). Every function prints nothing
# on success; on failure it prints "ERROR: ..." (with the server's log) and exits, like fail in
# common.sh (when sourced, call it in a subshell to go on after a failure).
# ZoneMinder's schema comes from scripts/setup (.cache/zoneminder); ZMFACE_ZM_DB overrides its folder.

_dbs_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ZMFACE_ZM_DB=${ZMFACE_ZM_DB:-${ZMFACE_CACHE:-$_dbs_root/.cache}/zoneminder/usr/share/zoneminder/db}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

_dbs_fail() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# _dbs_alive PID: running and not a zombie (PID 1 here may reap late; kill -0 succeeds on zombies)
_dbs_alive() {
  local state
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && [ "$state" != X ]
}

# _dbs_as USER CMD...: runs CMD as USER when root, else as the current user
_dbs_as() {
  local user=$1; shift
  if [ "$(id -u)" = 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

# _dbs_prepare_dir DIR USER: makes DIR, gives it to USER (as root), checks USER can write there
_dbs_prepare_dir() {
  local dir=$1 user=$2
  mkdir -p "$dir" || _dbs_fail "cannot create $dir"
  if [ "$(id -u)" = 0 ]; then
    id "$user" >/dev/null 2>&1 || _dbs_fail "OS user $user missing (is the server package installed? run scripts/setup)"
    chown "$user:$user" "$dir" || _dbs_fail "cannot chown $dir to $user"
    runuser -u "$user" -- test -w "$dir" -a -x "$dir" \
      || _dbs_fail "$user cannot use $dir: a folder above it is not searchable by $user (chmod 755 it, or use a folder under /tmp)"
  fi
}

_dbs_port() {
  case ${1:-} in ''|*[!0-9]*) _dbs_fail "bad port '${1:-}'" ;; esac
}

mariadb_sql() {  # mariadb_sql DIR ARGS... : the mariadb client as root over DIR's socket
  local dir=$1 user=root; shift
  # unix_socket authentication: the OS user is the account (mariadb-install-db made root and,
  # when not run as root, the installing user)
  [ "$(id -u)" = 0 ] || user=$(id -un)
  mariadb --no-defaults --protocol=socket -S "$dir/mysqld.sock" -u"$user" "$@"
}

mariadb_start() {
  [ $# -eq 2 ] || _dbs_fail "usage: mariadb_start DIR PORT"
  local dir=$1 port=$2 user=mysql pid
  _dbs_port "$port"
  command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || _dbs_fail "mariadbd missing: run scripts/setup"
  dir=$(readlink -m "$dir")
  [ "$(id -u)" = 0 ] || user=$(id -un)
  if [ -s "$dir/mysqld.pid" ] && _dbs_alive "$(cat "$dir/mysqld.pid")"; then
    _dbs_fail "mariadbd already running for $dir (pid $(cat "$dir/mysqld.pid"))"
  fi
  _dbs_prepare_dir "$dir" "$user"
  if [ ! -d "$dir/mysql/mysql" ]; then
    rm -rf "$dir/mysql"
    # --auth-root-authentication-method=socket: root logs in over the socket as OS root, no password
    mariadb-install-db --no-defaults --user="$user" --datadir="$dir/mysql" \
      --auth-root-authentication-method=socket --skip-test-db --skip-name-resolve \
      --innodb-log-file-size=8M --innodb-buffer-pool-size=32M >"$dir/install.log" 2>&1 \
      || _dbs_fail "mariadb-install-db failed for $dir/mysql:
$(tail -n 30 "$dir/install.log")"
  fi
  touch "$dir/mariadb.err"; chown "$user" "$dir/mariadb.err" 2>/dev/null || true
  rm -f "$dir/mysqld.pid"
  # --no-defaults: /etc/mysql is not read, so a system instance (3306, /run/mysqld) is not touched.
  # Small buffers, no performance schema, relaxed durability: a throwaway test server.
  local mariadbd=/usr/sbin/mariadbd; command -v mariadbd >/dev/null && mariadbd=$(command -v mariadbd)
  "$mariadbd" --no-defaults --user="$user" --datadir="$dir/mysql" \
    --socket="$dir/mysqld.sock" --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
    --pid-file="$dir/mysqld.pid" --log-error="$dir/mariadb.err" \
    --innodb-buffer-pool-size=32M --innodb-log-file-size=8M --innodb-flush-log-at-trx-commit=2 \
    --innodb-doublewrite=0 --performance-schema=OFF --max-connections=200 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    </dev/null >/dev/null 2>&1 &
  pid=$!
  local i
  for i in $(seq 1 300); do
    if [ -S "$dir/mysqld.sock" ] && mariadb_sql "$dir" -e 'SELECT 1' >/dev/null 2>&1; then
      [ -s "$dir/mysqld.pid" ] || echo "$pid" > "$dir/mysqld.pid"
      return 0
    fi
    _dbs_alive "$pid" || _dbs_fail "mariadbd exited while starting on 127.0.0.1:$port ($dir/mariadb.err):
$(tail -n 30 "$dir/mariadb.err")"
    sleep 0.05
  done
  kill "$pid" 2>/dev/null || true
  _dbs_fail "mariadbd did not answer within 15 s on $dir/mysqld.sock ($dir/mariadb.err):
$(tail -n 30 "$dir/mariadb.err")"
}

mariadb_stop() {
  [ $# -eq 1 ] || _dbs_fail "usage: mariadb_stop DIR"
  local dir=$1 pid i
  dir=$(readlink -m "$dir")
  [ -s "$dir/mysqld.pid" ] || return 0
  pid=$(cat "$dir/mysqld.pid")
  _dbs_alive "$pid" || { rm -f "$dir/mysqld.pid"; return 0; }
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 600); do
    _dbs_alive "$pid" || { rm -f "$dir/mysqld.pid"; return 0; }
    sleep 0.05
  done
  _dbs_fail "mariadbd (pid $pid, $dir) did not stop within 30 s of SIGTERM"
}

mariadb_load_zm_schema() {
  [ $# -eq 2 ] || _dbs_fail "usage: mariadb_load_zm_schema DIR DBNAME"
  local dir=$1 db=$2 tmp
  dir=$(readlink -m "$dir")
  [[ $db =~ ^[A-Za-z0-9_]{1,64}$ ]] || _dbs_fail "bad database name '$db' (letters, digits, _)"
  [ -s "$ZMFACE_ZM_DB/zm_create.sql" ] && [ -s "$ZMFACE_ZM_DB/triggers.sql" ] \
    || _dbs_fail "ZoneMinder schema missing in $ZMFACE_ZM_DB: run scripts/setup"
  # The file creates and uses `zm` and sources triggers.sql by its installed absolute path.
  grep -q '^USE `zm`;$' "$ZMFACE_ZM_DB/zm_create.sql" && grep -q '^source /usr/share/zoneminder/db/triggers.sql$' "$ZMFACE_ZM_DB/zm_create.sql" \
    || _dbs_fail "$ZMFACE_ZM_DB/zm_create.sql does not look like ZoneMinder 1.36's (no 'USE \`zm\`;' or 'source .../triggers.sql' line)"
  tmp=$(mktemp "${TMPDIR:-/tmp}/zm_create.XXXXXX.sql")
  sed -e "s#^CREATE DATABASE /\*!32312 IF NOT EXISTS\*/ \`zm\`;#CREATE DATABASE \`$db\`;#" \
      -e "s#^USE \`zm\`;#USE \`$db\`;#" \
      -e "s#^source /usr/share/zoneminder/db/triggers.sql#source $ZMFACE_ZM_DB/triggers.sql#" \
      "$ZMFACE_ZM_DB/zm_create.sql" > "$tmp"
  grep -q "^CREATE DATABASE \`$db\`;" "$tmp" || { rm -f "$tmp"; _dbs_fail "could not rewrite the database name in zm_create.sql"; }
  local err
  if ! err=$(mariadb_sql "$dir" --batch < "$tmp" 2>&1 >/dev/null); then
    rm -f "$tmp"
    _dbs_fail "loading zm_create.sql into $db failed: $err"
  fi
  rm -f "$tmp"
  err=$(mariadb_sql "$dir" -e "
    CREATE USER IF NOT EXISTS 'zmface'@'127.0.0.1' IDENTIFIED BY 'zmface';
    CREATE USER IF NOT EXISTS 'zmface'@'localhost' IDENTIFIED BY 'zmface';
    GRANT SELECT ON \`$db\`.* TO 'zmface'@'127.0.0.1';
    GRANT SELECT ON \`$db\`.* TO 'zmface'@'localhost';" 2>&1) || _dbs_fail "creating the zmface user for $db failed: $err"
}

_pg_socket_ok() { [ ${#1} -le 90 ] || _dbs_fail "$1 is too long for a unix socket folder (max 90 characters)"; }

postgres_start() {
  [ $# -eq 2 ] || _dbs_fail "usage: postgres_start DIR PORT"
  local dir=$1 port=$2 user=postgres err
  _dbs_port "$port"
  [ -x "$PG_BIN/pg_ctl" ] || _dbs_fail "$PG_BIN/pg_ctl missing: run scripts/setup (Debian postgresql)"
  dir=$(readlink -m "$dir")
  _pg_socket_ok "$dir"
  [ "$(id -u)" = 0 ] || user=$(id -un)
  if [ ! -s "$dir/data/PG_VERSION" ]; then
    _dbs_prepare_dir "$dir" "$user"
    rm -rf "$dir/data"
    # trust on the unix socket (superuser postgres for the fixtures), passwords over TCP
    _dbs_as "$user" "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --no-locale --no-sync --no-instructions >"$dir/initdb.log" 2>&1 \
      || _dbs_fail "initdb failed for $dir/data:
$(tail -n 30 "$dir/initdb.log")"
    cat >> "$dir/data/postgresql.conf" <<EOF

# zmface test instance (scripts/lib/dbservers.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 100
shared_buffers = 16MB
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
EOF
  elif [ "$(id -u)" = 0 ]; then
    runuser -u "$user" -- test -w "$dir" -a -w "$dir/data" || _dbs_fail "$dir or $dir/data is not writable by $user"
  fi
  if _dbs_as "$user" "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    _dbs_fail "postgres already running for $dir/data"
  fi
  _dbs_as "$user" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 -s -o "-p $port" start >/dev/null 2>&1 \
    || _dbs_fail "postgres did not start on 127.0.0.1:$port ($dir/postgres.log):
$(tail -n 30 "$dir/postgres.log" 2>/dev/null)"
  err=$("$PG_BIN/psql" -h "$dir" -p "$port" -U postgres -d postgres -X -q -A -t -v ON_ERROR_STOP=1 2>&1 >/dev/null <<'EOF'
SELECT 'CREATE ROLE zmface LOGIN PASSWORD ''zmface''' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'zmface')
\gexec
SELECT 'CREATE DATABASE zmface OWNER zmface' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'zmface')
\gexec
EOF
) || _dbs_fail "creating role/database zmface failed: $err"
}

postgres_stop() {
  [ $# -eq 1 ] || _dbs_fail "usage: postgres_stop DIR"
  local dir=$1 user=postgres
  dir=$(readlink -m "$dir")
  [ "$(id -u)" = 0 ] || user=$(id -un)
  [ -s "$dir/data/postmaster.pid" ] || return 0
  _dbs_as "$user" "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 || return 0
  _dbs_as "$user" "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 -s stop >/dev/null 2>&1 \
    || _dbs_fail "postgres in $dir/data did not stop ($dir/postgres.log):
$(tail -n 20 "$dir/postgres.log" 2>/dev/null)"
}

postgres_restart() {
  [ $# -eq 2 ] || _dbs_fail "usage: postgres_restart DIR PORT"
  postgres_stop "$1"
  postgres_start "$1" "$2"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  cmd=${1:-}
  case $cmd in
    mariadb_start|mariadb_stop|mariadb_load_zm_schema|mariadb_sql|postgres_start|postgres_stop|postgres_restart)
      shift; "$cmd" "$@" ;;
    *) sed -n '2,22p' "$0" >&2; exit 2 ;;
  esac
fi
