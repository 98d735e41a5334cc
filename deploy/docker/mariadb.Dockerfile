# MariaDB 10.11 from Debian 12, for docker-compose.yml's zoneminder profile where mariadb:10.11 cannot be
# pulled (scripts/docker-base-images builds it as zmface-local/mariadb:10.11-bookworm; select it with
# ZMFACE_MARIADB_IMAGE). Its entrypoint does the official image's basics: MARIADB_ROOT_PASSWORD,
# MARIADB_DATABASE, MARIADB_USER/MARIADB_PASSWORD on first start; healthcheck.sh answers the compose
# healthcheck (--connect and --innodb_initialized both mean: the server answers a query).
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      mariadb-server mariadb-client gosu \
    && rm -rf /var/lib/apt/lists/* /var/lib/mysql \
    && install -d -o mysql -g mysql /var/lib/mysql /run/mysqld
COPY mariadb-entrypoint.sh /usr/local/bin/mariadb-entrypoint.sh
COPY mariadb-healthcheck.sh /usr/local/bin/healthcheck.sh
VOLUME /var/lib/mysql
EXPOSE 3306
ENTRYPOINT ["/usr/local/bin/mariadb-entrypoint.sh"]
CMD ["mariadbd"]
