#!/bin/sh
# Points ZoneMinder at the compose MariaDB, loads its schema once, starts zmpkg.pl and apache2.
set -eu
cat > /etc/zm/conf.d/90-compose.conf <<CONF
ZM_DB_HOST=${ZM_DB_HOST}
ZM_DB_NAME=${ZM_DB_NAME}
ZM_DB_USER=${ZM_DB_USER}
ZM_DB_PASS=${ZM_DB_PASS}
CONF
chgrp www-data /etc/zm/conf.d/90-compose.conf
chmod 640 /etc/zm/conf.d/90-compose.conf
if ! mysql -h"$ZM_DB_HOST" -u"$ZM_DB_USER" -p"$ZM_DB_PASS" "$ZM_DB_NAME" -e 'SELECT 1 FROM Config LIMIT 1' >/dev/null 2>&1; then
  # zm_create.sql sources triggers.sql by absolute path, so it goes through the mysql client.
  sed "s/CREATE DATABASE IF NOT EXISTS zm/CREATE DATABASE IF NOT EXISTS ${ZM_DB_NAME}/; s/^USE zm;/USE ${ZM_DB_NAME};/" \
    /usr/share/zoneminder/db/zm_create.sql | mysql -h"$ZM_DB_HOST" -u"$ZM_DB_USER" -p"$ZM_DB_PASS"
fi
chown -R www-data:www-data /var/cache/zoneminder/events
install -d -o www-data -g www-data /run/zm /tmp/zm
zmpkg.pl start
exec apache2ctl -D FOREGROUND
