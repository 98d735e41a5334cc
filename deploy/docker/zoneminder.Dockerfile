# ZoneMinder 1.36 from Debian 12 for the all-in-one trial (docker-compose --profile zoneminder):
# zmpkg.pl starts zmc/zmfilter/zmwatch without systemd, apache2 serves the web UI on port 80.
# The database is the `mariadb` service; zm_create.sql is loaded on first start.
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      zoneminder apache2 libapache2-mod-php mariadb-client curl \
    && rm -rf /var/lib/apt/lists/* \
    && a2enconf zoneminder && a2enmod rewrite cgi \
    && chgrp www-data /etc/zm/zm.conf \
    && printf 'ZM_PATH_FFMPEG=/usr/bin/ffmpeg\n' > /etc/zm/conf.d/10-ffmpeg.conf
# The API's rewrite rules, which Debian's package lacks (without them /zm/api/* is 404).
COPY deploy/docker/zoneminder-api.conf /etc/apache2/conf-available/zoneminder-api.conf
RUN a2enconf zoneminder-api \
    && echo 'ServerName localhost' > /etc/apache2/conf-available/servername.conf && a2enconf servername
COPY deploy/docker/zoneminder-entrypoint.sh /usr/local/bin/zoneminder-entrypoint.sh
EXPOSE 80
ENTRYPOINT ["/usr/local/bin/zoneminder-entrypoint.sh"]
