#!/bin/sh
# Stands in for the official mariadb image's healthcheck.sh: healthy when the server answers a query
# over its socket (what --connect and --innodb_initialized check there).
exec mariadb --protocol=socket -uroot -p"${MARIADB_ROOT_PASSWORD:-}" -e 'SELECT 1' >/dev/null 2>&1
