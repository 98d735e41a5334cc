# zmface image: a Swift toolchain builds it, Debian slim runs it (non-root, models included).
#   docker build -t zmface .      (docker-compose.yml builds it as the `zmface` service)
ARG SWIFT_IMAGE=swift:6.3-bookworm

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libdlib-dev libopenblas-dev libjpeg-dev libpng-dev libwebp-dev \
      libavformat-dev libavcodec-dev libswscale-dev libavutil-dev \
      libzmq3-dev libpq-dev libmariadb-dev libxgboost-dev libmosquitto-dev pkg-config \
      python3 python3-pip ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Fuzz ./Fuzz
RUN swift build -c release --product zmface --static-swift-stdlib \
    && install -D -m 755 "$(swift build -c release --show-bin-path)/zmface" /out/usr/local/bin/zmface
# The dlib models, from PyPI's face_recognition_models 0.3.0, checked against the committed sums.
COPY models/SHA256SUMS /out/usr/local/share/zmface/models/SHA256SUMS
RUN python3 -m pip download -q --no-deps --no-binary :all: -d /tmp/models face_recognition_models==0.3.0 \
    && tar xzf /tmp/models/face_recognition_models-0.3.0.tar.gz -C /tmp/models \
    && cd /out/usr/local/share/zmface/models \
    && for model in $(awk '{print $2}' SHA256SUMS); do \
         cp "/tmp/models/face_recognition_models-0.3.0/face_recognition_models/models/$model" .; done \
    && sha256sum -c SHA256SUMS

FROM debian:bookworm-slim
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libdlib19.1 libopenblas0-pthread libjpeg62-turbo libpng16-16 libwebp7 \
      libavformat59 libavcodec59 libswscale6 libavutil57 \
      libzmq5 libpq5 libmariadb3 libxgboost0 libmosquitto1 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/zmface --create-home --shell /usr/sbin/nologin zmface
COPY --from=build /out/ /
COPY deploy/docker/worker.json /etc/zmface/worker.json
ENV ZMFACE_MODELS=/usr/local/share/zmface/models
USER zmface
WORKDIR /var/lib/zmface
# zerorpc (tcp), ZeroMQ PUB, Prometheus metrics; see deploy/docker/worker.json.
EXPOSE 4242 5556 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD curl -fsS http://127.0.0.1:9464/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/zmface"]
CMD ["serve", "--config", "/etc/zmface/worker.json"]
