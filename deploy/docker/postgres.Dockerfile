# PostgreSQL 15 from Debian 12, for docker-compose.yml where postgres:15-bookworm cannot be pulled
# (scripts/docker-base-images builds it as zmface-local/postgres:15-bookworm; select it with
# ZMFACE_POSTGRES_IMAGE). Its entrypoint does the official image's basics: POSTGRES_USER, POSTGRES_PASSWORD,
# POSTGRES_DB on first start, data in PGDATA=/var/lib/postgresql/data, password logins from the network.
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      postgresql-15 postgresql-client-15 gosu \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o postgres -g postgres -m 2775 /var/run/postgresql /var/lib/postgresql/data
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
CMD ["postgres"]
