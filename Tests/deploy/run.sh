#!/usr/bin/env bash
# Deployment files and the demo, checked statically (fast; the image build and the running stack are
# scripts/docker-check's, not run in CI): docker-compose.yml through
# `docker-compose config` (Debian's docker-compose), its names cross-checked against the Dockerfile,
# deploy/docker/worker.json and the binary; deploy/zmface.service through `systemd-analyze verify`.
# Prints PASS/FAIL lines and "deploy: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh

zmface=${ZMFACE_BIN:-.build/debug/zmface}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
check() {
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "PASS $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}

command -v docker-compose >/dev/null || fail "docker-compose missing: run scripts/setup"
check "docker-compose.yml is valid (default services)" docker-compose config -q
check "docker-compose.yml is valid with the zoneminder profile" docker-compose --profile zoneminder config -q
docker-compose --profile zoneminder config >"$work/compose.yml" 2>"$work/compose.err"
check "services: postgres, mosquitto, zmface, and mariadb + zoneminder in the profile" test \
  "$(docker-compose --profile zoneminder config --services | sort | tr '\n' ' ')" = "mariadb mosquitto postgres zmface zoneminder "

# Cross-checks in Python over the resolved compose file, the Dockerfile and the image's worker.json.
python3 - "$work/compose.yml" <<'PY' | while read -r line; do echo "$line"; done >"$work/cross.txt"
import json, os, re, sys, yaml
compose = yaml.safe_load(open(sys.argv[1]))
services = compose["services"]
zmface = services["zmface"]
worker = json.load(open("deploy/docker/worker.json"))
dockerfile = open("Dockerfile").read()
sources = "".join(open(os.path.join(d, f)).read() for d, _, fs in os.walk("Sources") for f in fs if f.endswith(".swift"))

def result(ok, what):
    print(("PASS " if ok else "FAIL ") + what)

def port(endpoint):
    return int(endpoint.rsplit(":", 1)[1])

# docker-compose 1.29 resolves ports to "HOST_IP:PUBLISHED:TARGET/PROTO" and volumes to
# "SOURCE:TARGET:MODE" strings.
ports = [p.split("/")[0].split(":") for p in zmface["ports"]]
published = {int(p[-1]) for p in ports}
hosts = {p[0] if len(p) == 3 else None for p in ports}
tcp_rpc = [port(e) for e in worker["zerorpc"]["endpoints"] if e.startswith("tcp://")]
result(tcp_rpc and tcp_rpc[0] in published, f"zerorpc tcp port {tcp_rpc} is published")
result(port(worker["publish"]["endpoints"][0]) in published, "the PUB port is published")
result(port(worker["metrics"]["address"]) in published, "the metrics port is published")
result(hosts == {"127.0.0.1"}, "ports are published on the host's loopback only")
exposed = {int(p) for p in re.findall(r"^EXPOSE (.*)$", dockerfile, re.M)[0].split()}
result(published == exposed, f"Dockerfile EXPOSE {sorted(exposed)} = published {sorted(published)}")
health = " ".join(zmface["healthcheck"]["test"])
result(f":{port(worker['metrics']['address'])}/healthz" in health, "the healthcheck asks the metrics port's /healthz")
for name in zmface["environment"]:
    result(f'"{name}"' in sources, f"environment variable {name} is read by zmface")
def volume(spec):
    parts = spec.split(":")
    return {"source": parts[0], "target": parts[1], "read_only": len(parts) > 2 and parts[2] == "ro",
            "type": "bind" if parts[0].startswith("/") else "volume"}
targets = {v["target"]: v for v in map(volume, zmface["volumes"])}
result(targets["/etc/zmface/worker.json"]["read_only"], "worker.json is mounted read-only")
events = targets["/var/cache/zoneminder/events"]
result(events["read_only"], "the events folder is mounted read-only")
result(worker["zoneminder"]["eventsPath"] in worker["imageRoots"] and worker["zoneminder"]["eventsPath"] == "/var/cache/zoneminder/events",
       "worker.json reads events where the compose file mounts them")
for target, mount in targets.items():
    if mount["type"] == "bind":
        result(os.path.exists(mount["source"]), f"bind mount source {os.path.relpath(mount['source'])} exists")
host, _, db_port = worker["zoneminder"]["dbHost"].partition(":")
result(host in services and db_port == "3306", f"zoneminder.dbHost {worker['zoneminder']['dbHost']} is the compose MariaDB")
result(volume(services["zoneminder"]["volumes"][0])["source"] == events["source"],
       "zoneminder writes the events volume zmface reads")
env_models = re.findall(r"^ENV ZMFACE_MODELS=(\S+)", dockerfile, re.M)
result(env_models == [worker["models"]], f"the image's models folder {env_models} is worker.json's")
result(re.search(r"^USER zmface$", dockerfile, re.M) is not None, "the image runs as a non-root user")
for source in re.findall(r"^COPY (?!--from)(\S+) ", dockerfile, re.M) + re.findall(r"^COPY (\S+) ", open("deploy/docker/zoneminder.Dockerfile").read(), re.M):
    result(os.path.exists(source), f"Dockerfile COPY source {source} exists")
result(all(s.get("healthcheck") for s in services.values()), "every service has a healthcheck")

# MQTT: the image's worker.json publishes to the compose broker, whose configuration (mounted from
# deploy/docker/mosquitto.conf) listens where zmface connects, with anonymous access stated explicitly,
# published on the host's loopback only (like the other ports).
from urllib.parse import urlsplit
mosquitto = services["mosquitto"]
conf_lines = [l.split("#")[0].split() for l in open("deploy/docker/mosquitto.conf")]
conf = {}
for words in conf_lines:
    if words:
        conf.setdefault(words[0], []).append(" ".join(words[1:]))
mqtt_url = urlsplit(worker.get("mqtt", {}).get("url", ""))
result(mqtt_url.scheme == "mqtt" and mqtt_url.hostname == "mosquitto" and mqtt_url.hostname in services,
       f"worker.json's mqtt.url {mqtt_url.geturl()} is the compose broker")
result(conf.get("listener") == [str(mqtt_url.port or 1883)], f"mosquitto.conf listens on mqtt.url's port ({conf.get('listener')})")
result(conf.get("allow_anonymous") in (["true"], ["false"]), f"mosquitto.conf states allow_anonymous ({conf.get('allow_anonymous')})")
if conf.get("allow_anonymous") != ["false"]:
    result("username" not in worker["mqtt"] and "passwordFile" not in worker["mqtt"], "anonymous broker: worker.json sends no login")
mosquitto_mounts = {v["target"]: v for v in map(volume, mosquitto["volumes"])}
config_mount = mosquitto_mounts.get("/mosquitto/config/mosquitto.conf")
result(config_mount is not None and config_mount["read_only"]
       and os.path.samefile(config_mount["source"], "deploy/docker/mosquitto.conf"),
       "deploy/docker/mosquitto.conf is mounted read-only where eclipse-mosquitto:2 reads it")
result("/mosquitto/data" in mosquitto_mounts and mosquitto_mounts["/mosquitto/data"]["type"] == "volume"
       and conf.get("persistence_location") == ["/mosquitto/data/"], "the broker's retained messages persist in a volume")
mports = [p.split("/")[0].split(":") for p in mosquitto["ports"]]
result(mports == [["127.0.0.1", conf["listener"][0], conf["listener"][0]]], f"the MQTT port is published on the host's loopback only ({mosquitto['ports']})")
mhealth = mosquitto["healthcheck"]["test"]
result("mosquitto_sub" in mhealth and conf["listener"][0] in mhealth, "the mosquitto healthcheck subscribes on its listener")
result(zmface["depends_on"].get("mosquitto", {}).get("condition") == "service_healthy", "zmface starts once the broker is healthy")
default_stack = sorted(name for name, service in services.items() if not service.get("profiles"))
result(default_stack == ["mosquitto", "postgres", "zmface"], f"the default stack (no profile) is {default_stack}")
PY
cat "$work/cross.txt"
passed=$((passed + $(grep -c '^PASS ' "$work/cross.txt"))) failed=$((failed + $(grep -c '^FAIL ' "$work/cross.txt")))

# Base images are build arguments (both stages), the compose file passes them, and the local stand-ins
# (scripts/docker-base-images) are what its --env selects. No image is built here: scripts/docker-check does.
check "Dockerfile: ARG SWIFT_IMAGE=swift:6.3-bookworm before the first FROM" \
  test "$(sed -n '1,/^FROM /p' Dockerfile | grep -c '^ARG SWIFT_IMAGE=swift:6.3-bookworm$')" = 1
check "Dockerfile: ARG DEBIAN_IMAGE=debian:bookworm-slim before the first FROM" \
  test "$(sed -n '1,/^FROM /p' Dockerfile | grep -c '^ARG DEBIAN_IMAGE=debian:bookworm-slim$')" = 1
check "Dockerfile: the stages are FROM \${SWIFT_IMAGE} AS build, \${DEBIAN_IMAGE} AS models, \${DEBIAN_IMAGE}" \
  test "$(grep '^FROM ' Dockerfile | tr '\n' '|')" = 'FROM ${SWIFT_IMAGE} AS build|FROM ${DEBIAN_IMAGE} AS models|FROM ${DEBIAN_IMAGE}|'
for f in deploy/docker/zoneminder.Dockerfile deploy/docker/postgres.Dockerfile deploy/docker/mariadb.Dockerfile \
  deploy/docker/mosquitto.Dockerfile; do
  check "$f: FROM \${DEBIAN_IMAGE} (ARG DEBIAN_IMAGE=debian:bookworm-slim)" \
    test "$(grep -E '^(ARG|FROM) ' "$f" | tr '\n' '|')" = 'ARG DEBIAN_IMAGE=debian:bookworm-slim|FROM ${DEBIAN_IMAGE}|'
  # postgres, mariadb and mosquitto are built with deploy/docker as the context, zoneminder with the repository.
  case $f in *zoneminder*) context=. ;; *) context=deploy/docker ;; esac
  for source in $(sed -n 's/^COPY \([^ ]*\) .*/\1/p' "$f"); do
    case $source in
      *.sh) check "$f: COPY source $context/$source exists and is executable" test -x "$context/$source" ;;
      *) check "$f: COPY source $context/$source exists" test -f "$context/$source" ;;
    esac
  done
done
for script in deploy/docker/*.sh; do
  check "$script passes sh -n" sh -n "$script"
done
for script in scripts/docker-base-images scripts/docker-check; do
  check "$script is executable and passes bash -n" bash -c "test -x $script && bash -n $script"
done
eval "$(scripts/docker-base-images --env)"
local_images=$(docker-compose --profile zoneminder config 2>/dev/null | python3 -c '
import sys, yaml
s = yaml.safe_load(sys.stdin)["services"]
print(s["postgres"]["image"], s["mariadb"]["image"], s["zmface"]["build"]["args"]["SWIFT_IMAGE"],
      s["zmface"]["build"]["args"]["DEBIAN_IMAGE"], s["zoneminder"]["build"]["args"]["DEBIAN_IMAGE"], s["mosquitto"]["image"])')
check "docker-compose.yml takes the local base images from scripts/docker-base-images --env ($local_images)" test \
  "$local_images" = "$ZMFACE_POSTGRES_IMAGE $ZMFACE_MARIADB_IMAGE $ZMFACE_SWIFT_IMAGE $ZMFACE_DEBIAN_IMAGE $ZMFACE_DEBIAN_IMAGE $ZMFACE_MOSQUITTO_IMAGE"
unset ZMFACE_POSTGRES_IMAGE ZMFACE_MARIADB_IMAGE ZMFACE_SWIFT_IMAGE ZMFACE_DEBIAN_IMAGE ZMFACE_MOSQUITTO_IMAGE
registry_images=$(docker-compose --profile zoneminder config 2>/dev/null | python3 -c '
import sys, yaml
s = yaml.safe_load(sys.stdin)["services"]
print(s["postgres"]["image"], s["mariadb"]["image"], s["zmface"]["build"]["args"]["SWIFT_IMAGE"],
      s["zmface"]["build"]["args"]["DEBIAN_IMAGE"], s["mosquitto"]["image"])')
check "docker-compose.yml defaults to the registry images ($registry_images)" test \
  "$registry_images" = "postgres:15-bookworm mariadb:10.11 swift:6.3-bookworm debian:bookworm-slim eclipse-mosquitto:2"
check ".dockerignore keeps .build, .cache and .git out of the build context" \
  bash -c 'for p in .build .cache .git; do grep -qxF "$p" .dockerignore || exit 1; done'
check "scripts/setup installs debootstrap and docker.io (docker-base-images, docker-check)" \
  bash -c 'grep -q "debootstrap" scripts/setup && grep -q "docker.io" scripts/setup'
check "README points at the last docker-check result" grep -q "Benchmarks/results/docker-check.txt" README.md

# The packages the images install exist in Debian 12: the runtime stage's and the local stand-ins'.
local_packages=$(cat deploy/docker/postgres.Dockerfile deploy/docker/mariadb.Dockerfile deploy/docker/mosquitto.Dockerfile \
  | sed -n '/apt-get install/,/rm -rf/p' | tr ' \\' '\n\n' | grep -E '^(postgresql|mariadb|gosu|mosquitto)' | sort -u)
missing=$(for p in $local_packages; do apt-cache show "$p" >/dev/null 2>&1 || echo "$p"; done)
check "local postgres/mariadb/mosquitto image packages exist in Debian 12 ($(echo $local_packages | wc -w))${missing:+; missing: $missing}" test -z "$missing"
runtime=$(sed -n '/^FROM \${DEBIAN_IMAGE}$/,$p' Dockerfile | sed -n '/apt-get install/,/rm -rf/p' \
  | tr ' \\' '\n\n' | grep -E '^lib|^ca-certificates$|^curl$' | sort -u)
missing=$(for p in $runtime; do apt-cache show "$p" >/dev/null 2>&1 || echo "$p"; done)
check "runtime packages exist in Debian 12 ($(echo $runtime | wc -w) packages)${missing:+; missing: $missing}" test -z "$missing"

# The image's worker.json passes zmface's own check (models pointed at this checkout's).
python3 -c "import json,sys; c=json.load(open('deploy/docker/worker.json')); c['models']='$PWD/models'; json.dump(c, open(sys.argv[1], 'w'))" "$work/worker.json"
ZMFACE_DATABASE_URL=postgresql://zmface@postgres/zmface "$zmface" serve --config "$work/worker.json" --check >"$work/check.out" 2>&1
check "deploy/docker/worker.json passes zmface serve --check" grep -q "configuration OK" "$work/check.out" || cat "$work/check.out"
check "deploy/docker/worker.json publishes to the compose broker (--check: mqtt://mosquitto:1883)" \
  grep -q "mqtt: mqtt://mosquitto:1883" "$work/check.out"
check "the repository's worker.json passes zmface serve --check" "$zmface" serve --config worker.json --check --models "$PWD/models"

# systemd: the unit verifies, with ExecStart pointing at this build.
unit=deploy/zmface.service
for setting in "User=zmface" "Restart=always" "ProtectSystem=strict" "NoNewPrivileges=yes" \
  "ReadOnlyPaths=/var/cache/zoneminder/events" 'ExecReload=/bin/kill -HUP $MAINPID'; do
  check "$unit sets $setting" grep -qxF "$setting" "$unit"
done
if command -v systemd-analyze >/dev/null; then
  sed "s#/usr/local/bin/zmface#$PWD/$zmface#g" "$unit" >"$work/zmface.service"
  SYSTEMD_LOG_LEVEL=err systemd-analyze verify "$work/zmface.service" >"$work/verify.out" 2>&1
  code=$?
  # Outside a booted systemd, verify may only complain about the missing user and cgroups.
  grep -vE "zmface\.service: (Failed to determine user credentials|.*user.*zmface)|cgroup|Failed to connect to bus|Failed to setup working directory" \
    "$work/verify.out" >"$work/verify.rest" || true
  check "systemd-analyze verify $unit (exit $code)" test ! -s "$work/verify.rest"
  [ -s "$work/verify.rest" ] && cat "$work/verify.rest"
else
  note "systemd-analyze not installed: unit not verified"
fi

# The README's first command ends in scripts/demo: it must recognise the demo events and clean up.
ZMFACE_BIN=$PWD/$zmface timeout 600 scripts/demo --data "$work/demo" >"$work/demo.out" 2>&1
code=$?
check "scripts/demo exits 0 (got $code)" test "$code" -eq 0
check "scripts/demo publishes Obama at the door" grep -q "PUB face/1/obama .*obama, p=" "$work/demo.out"
check "scripts/demo decodes Biden from a video-only event" grep -q "PUB face/2/biden .*biden, p=" "$work/demo.out"
check "scripts/demo prints the stored events" grep -qE "^ +4 +Garage +processed" "$work/demo.out"
check "scripts/demo stops zmface cleanly" grep -q "stopped zmface (exit 0)" "$work/demo.out"
[ "$code" -eq 0 ] || tail -30 "$work/demo.out"

echo "deploy: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
