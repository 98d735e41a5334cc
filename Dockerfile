# zmface image: a Swift toolchain builds it, Debian slim runs it (non-root, models included).
#   docker build -t zmface .      (docker-compose.yml builds it as the `zmface` service)
# Both base images are build arguments. The defaults come from Docker Hub; where no registry is reachable,
# scripts/docker-base-images makes stand-ins from Debian packages and this machine's Swift toolchain:
#   docker build --network host --build-arg SWIFT_IMAGE=zmface-local/swift:6.3-bookworm \
#     --build-arg DEBIAN_IMAGE=zmface-local/debian:bookworm-slim -t zmface:latest .
# (scripts/docker-check does exactly this, then starts docker-compose.yml and checks what answers.)
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG DEBIAN_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libdlib-dev libopenblas-dev libjpeg-dev libpng-dev libwebp-dev \
      libavformat-dev libavcodec-dev libswscale-dev libavutil-dev \
      libzmq3-dev libpq-dev libmariadb-dev libxgboost-dev libmosquitto-dev pkg-config ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The manifest names the Swift test targets, so their folders come too (.dockerignore leaves out the rest
# of Tests/, whose scripts would otherwise invalidate this stage's cache at every change).
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
# libzmfhog-x86-64-v3.so is dlib's HOG detector built for AVX2/FMA, which zmface loads from
# ../lib/zmface on CPUs that have them (`zmface info` says which detector runs). It is compiled here
# with the flags of Package.swift's CDlibHOGx86_64v3 target, not by SwiftPM: SwiftPM links every
# library against libswiftCore.so, which this image does not have (zmface carries its Swift runtime
# statically) and which the C++-only library never calls.
RUN swift build -c release --product zmface --static-swift-stdlib \
    && install -D -m 755 "$(swift build -c release --show-bin-path)/zmface" /out/usr/local/bin/zmface \
    && mkdir -p /out/usr/local/lib/zmface \
    && clang++ -std=c++17 -O3 -march=x86-64-v3 -fvisibility=hidden -fvisibility-inlines-hidden -fPIC -shared \
         -I Sources/CDlib/include -o /out/usr/local/lib/zmface/libzmfhog-x86-64-v3.so \
         Sources/CDlibHOGx86_64v3/hog_kernel_v3.cpp -ldlib
# Without its debug symbols the binary is 78 MB instead of 174 MB (backtraces then show addresses).
RUN strip /out/usr/local/bin/zmface /out/usr/local/lib/zmface/libzmfhog-x86-64-v3.so

# The dlib models: PyPI's face_recognition_models 0.3.0, checked against the committed sums. Taken from the
# checkout's models/ when scripts/setup has fetched them there (no network needed), downloaded otherwise.
FROM ${DEBIAN_IMAGE} AS models
COPY models/ /in/
RUN set -e; cd /in; \
    if ! sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1; then \
      apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        python3-pip ca-certificates; \
      python3 -m pip download -q --no-deps --no-binary :all: -d /tmp/models face_recognition_models==0.3.0; \
      tar xzf /tmp/models/face_recognition_models-0.3.0.tar.gz -C /tmp/models; \
      for model in $(awk '{print $2}' SHA256SUMS); do \
        cp "/tmp/models/face_recognition_models-0.3.0/face_recognition_models/models/$model" .; done; \
    fi; \
    sha256sum -c SHA256SUMS; \
    mkdir -p /out/usr/local/share/zmface/models; \
    for f in SHA256SUMS $(awk '{print $2}' SHA256SUMS); do cp "$f" /out/usr/local/share/zmface/models/; done

FROM ${DEBIAN_IMAGE}
# /run/zmface holds the ipc endpoint; owned by zmface here so that the compose volume mounted there
# (zmface-run, initialised from the image) is writable by it.
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libdlib19.1 libopenblas0-pthread libjpeg62-turbo libpng16-16 libwebp7 \
      libavformat59 libavcodec59 libswscale6 libavutil57 \
      libzmq5 libpq5 libmariadb3 libxgboost0 libmosquitto1 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/zmface --create-home --shell /usr/sbin/nologin zmface \
    && install -d -o zmface -g zmface -m 755 /run/zmface
COPY --from=build /out/ /
COPY --from=models /out/ /
# The faces page's files (web.address), where the binary looks for them (../share/zmface/web).
COPY Sources/Web/Assets/ /usr/local/share/zmface/web/
# Fails the build here, not at the first start, when a library the binary links is missing.
RUN if ldd /usr/local/bin/zmface /usr/local/lib/zmface/*.so | grep 'not found'; then exit 1; fi \
    && /usr/local/bin/zmface --help >/dev/null && /usr/local/bin/zmface info | grep '^HOG detector' 
COPY deploy/docker/worker.json /etc/zmface/worker.json
ENV ZMFACE_MODELS=/usr/local/share/zmface/models
USER zmface
WORKDIR /var/lib/zmface
# zerorpc (tcp), ZeroMQ PUB, Prometheus metrics; see deploy/docker/worker.json.
EXPOSE 4242 5556 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD curl -fsS http://127.0.0.1:9464/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/zmface"]
CMD ["serve", "--config", "/etc/zmface/worker.json"]
