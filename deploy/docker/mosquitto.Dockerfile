# Mosquitto 2 from Debian 12, for docker-compose.yml where eclipse-mosquitto:2 cannot be pulled
# (scripts/docker-base-images builds it as zmface-local/mosquitto:2-bookworm; select it with
# ZMFACE_MOSQUITTO_IMAGE). Laid out like the official image: the configuration in
# /mosquitto/config/mosquitto.conf (docker-compose.yml mounts deploy/docker/mosquitto.conf there),
# persistence in /mosquitto/data, the broker runs as user mosquitto; mosquitto_sub/mosquitto_pub
# are there too (the compose healthcheck uses mosquitto_sub, as it would in the official image).
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      mosquitto mosquitto-clients \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o mosquitto -g mosquitto -m 755 /mosquitto/config /mosquitto/data /mosquitto/log
COPY mosquitto.conf /mosquitto/config/mosquitto.conf
VOLUME /mosquitto/data
EXPOSE 1883
USER mosquitto
CMD ["/usr/sbin/mosquitto", "-c", "/mosquitto/config/mosquitto.conf"]
