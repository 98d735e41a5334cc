#!/bin/sh
# The official mariadb image's basics on Debian's MariaDB 10.11: on an empty /var/lib/mysql, install the
# system tables, set MARIADB_ROOT_PASSWORD for root@'%' and root@localhost, create MARIADB_DATABASE and
# MARIADB_USER@'%' with all privileges on it; then run mariadbd as mysql in the foreground.
set -eu
install -d -o mysql -g mysql /var/lib/mysql /run/mysqld
if [ ! -d /var/lib/mysql/mysql ]; then
  [ -n "${MARIADB_ROOT_PASSWORD:-}" ] || { echo "mariadb-entrypoint: MARIADB_ROOT_PASSWORD is not set" >&2; exit 1; }
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql --auth-root-authentication-method=normal \
    --skip-test-db >/dev/null
  sql() { printf '%s\n' "$1" | sed "s/'/''/g"; }   # quotes a value for a '...' SQL string
  init=$(mktemp)
  {
    echo "CREATE USER IF NOT EXISTS 'root'@'%';"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$(sql "$MARIADB_ROOT_PASSWORD")';"
    echo "ALTER USER 'root'@'%' IDENTIFIED BY '$(sql "$MARIADB_ROOT_PASSWORD")';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "${MARIADB_DATABASE:-}" ]; then echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"; fi
    if [ -n "${MARIADB_USER:-}" ]; then
      echo "CREATE USER '$(sql "$MARIADB_USER")'@'%' IDENTIFIED BY '$(sql "${MARIADB_PASSWORD:-}")';"
      [ -z "${MARIADB_DATABASE:-}" ] || echo "GRANT ALL ON \`$MARIADB_DATABASE\`.* TO '$(sql "$MARIADB_USER")'@'%';"
    fi
    echo "FLUSH PRIVILEGES;"
  } >"$init"
  gosu mysql mariadbd --datadir=/var/lib/mysql --skip-networking --socket=/run/mysqld/mysqld.sock &
  pid=$!
  i=0
  until mariadb-admin --socket=/run/mysqld/mysqld.sock -uroot ping >/dev/null 2>&1; do
    i=$((i + 1)); [ "$i" -lt 300 ] || { echo "mariadb-entrypoint: the first start did not answer" >&2; exit 1; }
    sleep 0.2
  done
  mariadb --socket=/run/mysqld/mysqld.sock -uroot <"$init"
  rm -f "$init"
  kill "$pid"; wait "$pid" || true
  echo "mariadb-entrypoint: initialised /var/lib/mysql (database ${MARIADB_DATABASE:-none}, user ${MARIADB_USER:-none})"
fi
if [ "${1:-}" = mariadbd ]; then
  shift
  exec gosu mysql mariadbd --datadir=/var/lib/mysql --bind-address=0.0.0.0 --skip-name-resolve "$@"
fi
exec "$@"
