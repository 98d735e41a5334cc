#!/usr/bin/env bash
# zm_harness.sh - a REAL ZoneMinder 1.36 (Debian 12 package) on this host, without systemd or
# docker: a private MariaDB, zmc capturing a looping clip served over loopback HTTP by ffmpeg,
# events forced with zmu, and a clean tear-down. Used by Tests/zoneminder/run.sh.
#
# Usage (as root):
#   zm_harness.sh install                 apt-get install zoneminder mariadb-server ffmpeg when missing
#                                         (idempotent; services are not started)
#   zm_harness.sh up CLIP [options]       private MariaDB + ZoneMinder's schema + monitor 1 + capture
#       --video passthrough|encode|none   Monitors.VideoWriter 2 (default) / 1 (libx264) / 0
#       --jpegs 0|1|2|3                   Monitors.SaveJPEGs (default 1: capture JPEGs)
#       --scheme Deep|Medium|Shallow      Storage.Scheme (default Medium, ZoneMinder's default)
#       --min-section S                   Monitors.MinSectionLength seconds (default 2; ZM's is 10)
#       --pre N / --post N                Pre/PostEventCount frames (default 5 / 5)
#       --function Nodect|Modect          Monitors.Function (default Nodect: events only from
#                                         `events`; Modect: zmc's motion detection, Stats boxes)
#       --daemons                         run the full zmpkg.pl daemon set (zmdc, zmc, zmfilter,
#                                         zmwatch, zmstats) instead of zmc alone
#   zm_harness.sh events N T [--alarm S]  N forced alarms spread over T seconds (keep T/N >= 4 s),
#                                         then wait until all of them are closed
#   zm_harness.sh wait N [TIMEOUT]        wait until >= N events are closed (EndDateTime set)
#   zm_harness.sh status | env | sql 'SELECT ...'
#   zm_harness.sh down                    stop what `up` started (by recorded PID), undo its config
#
# Environment: ZMH_DIR (data; default .cache/zm-harness in the repository when the mysql and
# www-data users can reach it and the path fits ZoneMinder's 64-character Storage.Path, else
# /tmp/zmface-zm-harness), ZMH_DB_PORT (3307), ZMH_STREAM_PORT (8090), ZMH_KEEP_DATA=1 keeps
# ZMH_DIR on `down`.
#
# Everything listens on 127.0.0.1. Started processes are recorded in $ZMH_DIR/pids and only those
# are signalled on `down`; other MariaDB/PostgreSQL instances (system or private) are not touched.
# System changes: /etc/zm/conf.d/99-zm-harness.conf (removed on `down`) and the group of
# /etc/zm/zm.conf (www-data while up, restored on `down`), /run/zm and /tmp/zm.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

default_dir() {
  # every folder above must be searchable by others (mysql runs mariadbd, www-data runs zmc)
  local dir=${ZMFACE_CACHE:-$repo_root/.cache}/zm-harness p
  p=$(readlink -m "$dir")
  if [ ${#p} -le 50 ]; then
    local d=$(dirname "$p") ok=1
    while [ "$d" != / ]; do
      if [ -e "$d" ] && [ $(( 0$(stat -c %a "$d") & 1 )) -eq 0 ]; then ok=0; break; fi
      d=$(dirname "$d")
    done
    [ "$ok" = 1 ] && { echo "$p"; return; }
  fi
  echo /tmp/zmface-zm-harness
}

ZMH_DIR=$(readlink -m "${ZMH_DIR:-$(default_dir)}")
DB_PORT=${ZMH_DB_PORT:-3307}
STREAM_PORT=${ZMH_STREAM_PORT:-8090}
DB_USER=zmuser DB_PASS=zmpass DB_NAME=zm
ZM_CONF=/etc/zm/zm.conf
ZM_CONF_OVERRIDE=/etc/zm/conf.d/99-zm-harness.conf
SOCK=$ZMH_DIR/run/mysqld.sock
PIDS=$ZMH_DIR/pids
STATE=$ZMH_DIR/state
PACKAGES=(zoneminder mariadb-server mariadb-client ffmpeg)

log() { printf '[zm_harness %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }
sqlroot() { mysql --no-defaults --protocol=socket -S "$SOCK" -uroot "$@"; }
sqlzm() { mysql --no-defaults --protocol=tcp -h127.0.0.1 -P"$DB_PORT" -u"$DB_USER" -p"$DB_PASS" "$DB_NAME" "$@"; }
state_get() { [ -f "$STATE" ] && grep -E "^$1=" "$STATE" | tail -1 | cut -d= -f2- || true; }
state_set() { echo "$1=$2" >> "$STATE"; }
pid_add() { echo "$1 $2" >> "$PIDS"; }   # name pid
# running and not a zombie (PID 1 in a container may reap late; kill -0 succeeds on zombies)
alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
  local s; s=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$s" != Z ] && [ "$s" != X ]
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
zmu_cmd() { runuser -u www-data -- zmu -m 1 "$@"; }

cmd_install() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then log "installed: ${PACKAGES[*]}"; return 0; fi
  need_root
  log "installing: ${missing[*]}"
  # Packages must not start services (apache2, zoneminder, mariadb): without an init system that
  # refuses them already, keep them from starting for the duration of the install.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# zm_harness.sh install: no services started during the install\nexit 101\n' > "$policy"
    chmod 755 "$policy"; made_policy=1
  fi
  local rc=0
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=900 \
      "${missing[@]}"; } || rc=$?
  [ "$made_policy" = 1 ] && rm -f "$policy"
  [ "$rc" = 0 ] || die "apt-get install ${missing[*]} failed (exit $rc)"
  for b in zmc zmu; do command -v "$b" >/dev/null || die "$b missing after the install"; done
  [ -x /usr/sbin/mariadbd ] || die "mariadbd missing after the install"
  [ -s /usr/share/zoneminder/db/zm_create.sql ] || die "/usr/share/zoneminder/db/zm_create.sql missing after the install"
}

start_mariadb() {
  mkdir -p "$ZMH_DIR/mysql" "$ZMH_DIR/run" "$ZMH_DIR/logs"
  chown mysql:mysql "$ZMH_DIR/mysql" "$ZMH_DIR/run"
  if [ ! -d "$ZMH_DIR/mysql/mysql" ]; then
    mariadb-install-db --no-defaults --user=mysql --datadir="$ZMH_DIR/mysql" \
      --auth-root-authentication-method=socket --skip-test-db --skip-name-resolve \
      >"$ZMH_DIR/logs/mariadb-install.log" 2>&1 \
      || die "mariadb-install-db failed, see $ZMH_DIR/logs/mariadb-install.log"
  fi
  log "starting mariadbd on 127.0.0.1:$DB_PORT"
  # --no-defaults: /etc/mysql is not read, so no other instance (3306, /run/mysqld) is touched
  /usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$ZMH_DIR/mysql" \
    --socket="$SOCK" --port="$DB_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
    --pid-file="$ZMH_DIR/run/mysqld.pid" --log-error="$ZMH_DIR/logs/mariadb.err" \
    --innodb-buffer-pool-size=64M --innodb-log-file-size=16M --innodb-flush-log-at-trx-commit=2 \
    --performance-schema=OFF --character-set-server=utf8mb4 \
    </dev/null >/dev/null 2>&1 &
  local pid=$!
  pid_add mariadbd "$pid"
  for _ in $(seq 1 120); do
    if mysqladmin --no-defaults --protocol=socket -S "$SOCK" -uroot ping >/dev/null 2>&1; then return 0; fi
    alive "$pid" || die "mariadbd exited: $(tail -n 20 "$ZMH_DIR/logs/mariadb.err" 2>/dev/null)"
    sleep 0.25
  done
  die "mariadbd did not answer within 30 s, see $ZMH_DIR/logs/mariadb.err"
}

create_schema() {
  log "loading /usr/share/zoneminder/db/zm_create.sql"
  # it sources /usr/share/zoneminder/db/triggers.sql, so it must go through the mysql client
  sqlroot < /usr/share/zoneminder/db/zm_create.sql || die "loading zm_create.sql failed"
  # the grants of the Debian README; 127.0.0.1 because everything here connects over TCP
  sqlroot -e "
    CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
    CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
    GRANT LOCK TABLES,ALTER,CREATE,SELECT,INSERT,UPDATE,DELETE,INDEX,TRIGGER ON zm.* TO '$DB_USER'@'localhost';
    GRANT LOCK TABLES,ALTER,CREATE,SELECT,INSERT,UPDATE,DELETE,INDEX,TRIGGER ON zm.* TO '$DB_USER'@'127.0.0.1';
    FLUSH PRIVILEGES;" || die "creating $DB_USER failed"
}

write_zm_conf() {
  # zmc, the perl scripts and the web UI read /etc/zm/zm.conf, then /etc/zm/conf.d/*.conf in order.
  # ZM_DB_HOST "host:port" is understood by all of them.
  [ -d /etc/zm/conf.d ] || die "/etc/zm/conf.d missing: run '$0 install'"
  cat > "$ZM_CONF_OVERRIDE" <<EOF
# written by Tests/zoneminder/zm_harness.sh; removed by 'zm_harness.sh down'
ZM_DB_HOST=127.0.0.1:$DB_PORT
ZM_DB_NAME=$DB_NAME
ZM_DB_USER=$DB_USER
ZM_DB_PASS=$DB_PASS
ZM_DIR_EVENTS=$ZMH_DIR/events
# Debian's 01-system-paths.conf ships FFMPEG_EXECUTABLE-NOTFOUND
ZM_PATH_FFMPEG=/usr/bin/ffmpeg
EOF
  chmod 640 "$ZM_CONF_OVERRIDE"; chgrp www-data "$ZM_CONF_OVERRIDE"
  # Debian ships zm.conf root:root 0640, but zmc runs as www-data and must read it (README.Debian);
  # without this zmc exits 255 silently. The old group comes back on `down`.
  state_set zmconf_group "$(stat -c %G "$ZM_CONF")"
  chgrp www-data "$ZM_CONF"
  mkdir -p /run/zm /tmp/zm "$ZMH_DIR/events"
  chown www-data:www-data /run/zm /tmp/zm "$ZMH_DIR/events"
  chmod 755 "$ZMH_DIR"
}

start_streamer() {
  local clip=$1 vcodec
  vcodec=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$clip")
  local vopts="-c:v copy"
  if [ "$vcodec" != h264 ] && [ "$vcodec" != hevc ]; then
    vopts="-c:v libx264 -preset veryfast -tune zerolatency -g 10 -pix_fmt yuv420p"
  fi
  # Live (-re) Matroska over HTTP: it carries the H.264 extradata and codec_tag 0, so ZoneMinder's
  # passthrough writer can make an MP4 (MPEG-TS input gives 0-byte event MP4s in 1.36.33).
  # ffmpeg -listen 1 serves one client per run: respawn it for zmc's reconnects.
  cat > "$ZMH_DIR/streamer.sh" <<EOF
#!/bin/bash
child=
trap '[ -n "\$child" ] && kill \$child 2>/dev/null; exit 0' TERM INT
while true; do
  ffmpeg -hide_banner -loglevel error -nostdin -re -stream_loop -1 -i "$clip" -an $vopts \\
    -f matroska -listen 1 "http://127.0.0.1:$STREAM_PORT/cam.mkv" &
  child=\$!
  wait \$child
  sleep 0.2
done
EOF
  chmod +x "$ZMH_DIR/streamer.sh"
  "$ZMH_DIR/streamer.sh" >"$ZMH_DIR/logs/streamer.log" 2>&1 </dev/null &
  pid_add streamer "$!"
  log "streaming $clip (codec $vcodec) at http://127.0.0.1:$STREAM_PORT/cam.mkv"
}

configure_zm() {
  local clip=$1 video=$2 jpegs=$3 scheme=$4 minsec=$5 pre=$6 post=$7 function=$8
  local w h vw
  w=$(ffprobe -v error -select_streams v:0 -show_entries stream=width -of csv=p=0 "$clip")
  h=$(ffprobe -v error -select_streams v:0 -show_entries stream=height -of csv=p=0 "$clip")
  case $video in passthrough) vw=2 ;; encode) vw=1 ;; none) vw=0 ;; *) die "bad --video $video" ;; esac
  case $jpegs in 0|1|2|3) ;; *) die "bad --jpegs $jpegs" ;; esac
  case $scheme in Deep|Medium|Shallow) ;; *) die "bad --scheme $scheme" ;; esac
  case $function in Nodect|Modect) ;; *) die "bad --function $function" ;; esac
  local area=$((w*h))
  # Function=Nodect: no motion detection, events come only from forced alarms (zmu -a / -c).
  # Modect: zmc's own motion detection opens events and writes Stats alarm boxes.
  # The zone is the web UI's default full-frame 'All' zone.
  sqlzm -e "
    UPDATE Storage SET Path='$ZMH_DIR/events', Scheme='$scheme' WHERE Id=1;
    UPDATE Config SET Value='0' WHERE Name IN ('ZM_SHOW_PRIVACY','ZM_CHECK_FOR_UPDATES','ZM_TELEMETRY_DATA');
    DELETE FROM Monitors WHERE Id=1;
    INSERT INTO Monitors SET Id=1, Name='HarnessCam', Type='Ffmpeg', Function='$function', Enabled=1,
      DecodingEnabled=1, Path='http://127.0.0.1:$STREAM_PORT/cam.mkv', Method='', Width=$w, Height=$h,
      Colours=4, StorageId=1, SaveJPEGs=$jpegs, VideoWriter=$vw, OutputCodec=27, Encoder='libx264',
      OutputContainer='mp4', SectionLength=600, MinSectionLength=$minsec, PreEventCount=$pre,
      PostEventCount=$post, AlarmFrameCount=1, ImageBufferCount=3, Sequence=1, ZoneCount=1,
      EventPrefix='Event-';
    DELETE FROM Zones WHERE MonitorId=1;
    INSERT INTO Zones SET MonitorId=1, Name='All', Type='Active', Units='Percent', NumCoords=4,
      Coords='0,0 $((w-1)),0 $((w-1)),$((h-1)) 0,$((h-1))', Area=$area, AlarmRGB=0xff0000,
      CheckMethod='Blobs', MinPixelThreshold=25, MinAlarmPixels=$((area*3/100)),
      MaxAlarmPixels=$((area*75/100)), FilterX=3, FilterY=3, MinFilterPixels=$((area*3/100)),
      MaxFilterPixels=$((area*75/100)), MinBlobPixels=$((area*2/100)), MinBlobs=1;" \
    || die "configuring monitor 1 failed"
  log "monitor 1: ${w}x${h} $function VideoWriter=$vw SaveJPEGs=$jpegs Scheme=$scheme MinSectionLength=$minsec"
}

start_zm() {
  local daemons=$1
  if [ "$daemons" = 1 ]; then
    # zmpkg.pl works without systemd: it forks zmdc.pl, which runs zmc, zmfilter, zmwatch and
    # zmstats as www-data (zmfilter's PurgeWhenFull deletes events when the disk is 95 % full)
    /usr/bin/zmpkg.pl start >"$ZMH_DIR/logs/zmpkg-start.log" 2>&1 \
      || die "zmpkg.pl start failed (see $ZMH_DIR/logs/zmpkg-start.log, /var/log/zm/)"
    state_set zmpkg 1
    local dc; dc=$(cat /run/zm/zm.pid 2>/dev/null || true)
    [ -n "$dc" ] && pid_add zmdc "$dc"
    sleep 2
    local c
    for c in $(ps -o pid= --ppid "$dc" 2>/dev/null); do pid_add zmdc-child "$c"; done
  else
    # runuser stays zmc's parent (it forwards TERM to it); both PIDs are recorded
    runuser -u www-data -- /usr/bin/zmc -m 1 >"$ZMH_DIR/logs/zmc.out" 2>&1 </dev/null &
    local rpid=$!
    pid_add runuser-zmc "$rpid"
    local zpid=""
    for _ in $(seq 1 20); do
      # ps exits 1 while runuser has no child yet: under pipefail that must not end the script
      zpid=$(ps -o pid= --ppid "$rpid" 2>/dev/null | tr -d ' ' | head -1 || true)
      [ -n "$zpid" ] && break
      [ "$(cat "/proc/$rpid/comm" 2>/dev/null)" = zmc ] && break   # runuser exec'd zmc
      alive "$rpid" || die "zmc exited at once: $(tail -n 5 "$ZMH_DIR/logs/zmc.out" /tmp/zmc_m1.log 2>/dev/null)"
      sleep 0.1
    done
    [ -n "$zpid" ] && pid_add zmc "$zpid"
  fi
  log "waiting for monitor 1 to capture"
  local st=""
  for _ in $(seq 1 60); do
    st=$(sqlzm -N -e "SELECT CONCAT(Status,' ',CaptureFPS) FROM Monitor_Status WHERE MonitorId=1" 2>/dev/null || true)
    case $st in Connected*) log "monitor 1 status: $st"; return 0 ;; esac
    sleep 1
  done
  die "monitor 1 not Connected after 60 s (status: ${st:-none}); see $ZMH_DIR/logs, /var/log/zm and /tmp/zmc_m1.log"
}

cmd_up() {
  need_root
  local clip=${1:-}; shift || true
  [ -n "$clip" ] || die "usage: up CLIP [options]"
  local video=passthrough jpegs=1 scheme=Medium minsec=2 pre=5 post=5 daemons=0 function=Nodect
  while [ $# -gt 0 ]; do
    case $1 in
      --video) video=$2; shift ;; --jpegs) jpegs=$2; shift ;; --scheme) scheme=$2; shift ;;
      --min-section) minsec=$2; shift ;; --pre) pre=$2; shift ;; --post) post=$2; shift ;;
      --daemons) daemons=1 ;; --function) function=$2; shift ;;
      *) die "unknown option $1" ;;
    esac; shift
  done
  local b
  for b in zmc zmu zmpkg.pl ffmpeg ffprobe mysql mysqladmin mariadb-install-db; do
    command -v "$b" >/dev/null || die "$b missing: run '$0 install'"
  done
  [ -x /usr/sbin/mariadbd ] || die "mariadbd missing: run '$0 install'"
  [ -f "$PIDS" ] && grep -q . "$PIDS" && die "already up ($PIDS exists); run '$0 down' first"
  [ -e "$ZM_CONF_OVERRIDE" ] && die "$ZM_CONF_OVERRIDE exists: another harness is up (or was not taken down)"
  port_busy "$DB_PORT" && die "127.0.0.1:$DB_PORT is in use (set ZMH_DB_PORT)"
  port_busy "$STREAM_PORT" && die "127.0.0.1:$STREAM_PORT is in use (set ZMH_STREAM_PORT)"
  [ ${#ZMH_DIR} -le 50 ] || die "ZMH_DIR $ZMH_DIR is too long for Storage.Path (varchar(64) with /events)"
  clip=$(readlink -f "$clip"); [ -r "$clip" ] || die "clip $clip not readable"
  case $ZMH_DIR in /|/tmp|/root|/home|/work|/usr*|/etc*|/var|/var/lib*) die "refusing ZMH_DIR=$ZMH_DIR (it is emptied)" ;; esac
  rm -rf "$ZMH_DIR"
  mkdir -p "$ZMH_DIR/logs"; : > "$PIDS"; : > "$STATE"
  state_set clip "$clip"
  start_mariadb
  create_schema
  write_zm_conf
  configure_zm "$clip" "$video" "$jpegs" "$scheme" "$minsec" "$pre" "$post" "$function"
  start_streamer "$clip"
  start_zm "$daemons"
  cmd_env
}

closed_count() { sqlzm -N -e "SELECT COUNT(*) FROM Events WHERE EndDateTime IS NOT NULL"; }

cmd_wait() {
  local n=${1:?usage: wait N [TIMEOUT]} timeout=${2:-120} t0=$SECONDS c
  while [ $((SECONDS - t0)) -lt "$timeout" ]; do
    c=$(closed_count)
    [ "$c" -ge "$n" ] && { log "$c events closed"; return 0; }
    sleep 0.5
  done
  die "timeout: only $(closed_count) closed events after ${timeout}s (wanted $n)"
}

cmd_events() {
  local n=${1:?usage: events N T [--alarm S]} t=${2:?usage: events N T [--alarm S]} alarm=""
  shift 2
  while [ $# -gt 0 ]; do case $1 in --alarm) alarm=$2; shift ;; *) die "unknown option $1" ;; esac; shift; done
  local base; base=$(closed_count)
  # An event lasts about max(MinSectionLength, pre-event (+ GOP) + alarm + PostEventCount frames) and
  # must close before the next trigger, or ZoneMinder folds the next alarm into the open event.
  local period; period=$(awk -v t="$t" -v n="$n" 'BEGIN{printf "%.3f", t/n}')
  [ -n "$alarm" ] || alarm=$(awk -v p="$period" 'BEGIN{a=p/4; if(a>3)a=3; if(a<0.5)a=0.5; printf "%.2f", a}')
  awk -v p="$period" 'BEGIN{exit !(p < 4)}' && log "WARNING: period ${period}s < 4 s; events may merge"
  log "forcing $n alarms of ${alarm}s, one every ${period}s"
  local start i at now d; start=$(date +%s.%N)
  for i in $(seq 0 $((n - 1))); do
    at=$(awk -v s="$start" -v i="$i" -v p="$period" 'BEGIN{printf "%.3f", s+i*p}')
    now=$(date +%s.%N)
    d=$(awk -v a="$at" -v b="$now" 'BEGIN{d=a-b; printf "%.3f", (d>0?d:0)}'); sleep "$d"
    zmu_cmd -a >/dev/null || die "zmu -a (force alarm) failed"
    sleep "$alarm"
    zmu_cmd -c >/dev/null || die "zmu -c (cancel alarm) failed"
  done
  cmd_wait $((base + n)) $((t + 60))
}

cmd_status() {
  [ -f "$PIDS" ] || { echo "not up"; return 0; }
  local name pid
  while read -r name pid; do
    printf '%-12s %-7s %s\n' "$name" "$pid" "$(alive "$pid" && echo running || echo gone)"
  done < "$PIDS"
  sqlzm -e "SELECT m.Id, m.Function, s.Status, s.CaptureFPS, s.AnalysisFPS FROM Monitors m LEFT JOIN Monitor_Status s ON s.MonitorId=m.Id;
            SELECT Id, Name, Cause, StartDateTime, EndDateTime, Frames, AlarmFrames, MaxScore, DefaultVideo, Scheme,
                   (SELECT COUNT(*) FROM Frames f WHERE f.EventId=e.Id) AS FrameRows FROM Events e ORDER BY Id" 2>/dev/null || true
}

cmd_env() {
  cat <<EOF
ZMH_DIR=$ZMH_DIR
ZM_CONF=$ZM_CONF
ZM_DB_HOST=127.0.0.1
ZM_DB_PORT=$DB_PORT
ZM_DB_SOCKET=$SOCK
ZM_DB_NAME=$DB_NAME
ZM_DB_USER=$DB_USER
ZM_DB_PASS=$DB_PASS
ZM_EVENTS_DIR=$ZMH_DIR/events
EOF
}

stop_pid() {  # name pid
  local name=$1 pid=$2
  alive "$pid" || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 80); do alive "$pid" || return 0; sleep 0.25; done
  log "$name ($pid) did not stop within 20 s of TERM, sending KILL"; kill -9 "$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do alive "$pid" || return 0; sleep 0.25; done
  log "WARNING: $name ($pid) still alive after KILL"
}

cmd_down() {
  need_root
  if [ -f "$PIDS" ]; then
    if [ "$(state_get zmpkg)" = 1 ]; then
      log "zmpkg.pl stop"; /usr/bin/zmpkg.pl stop >"$ZMH_DIR/logs/zmpkg-stop.log" 2>&1 || true
    fi
    # zmc first (it closes the open event on SIGTERM), then the rest in reverse start order
    local name n p kids k
    for name in zmc zmdc-child zmdc runuser-zmc; do
      while read -r n p; do stop_pid "$n" "$p"; done < <(grep "^$name " "$PIDS" || true)
    done
    while read -r n p; do
      kids=$(ps -o pid= --ppid "$p" 2>/dev/null || true)
      stop_pid "$n" "$p"
      for k in $kids; do stop_pid ffmpeg "$k"; done
    done < <(grep '^streamer ' "$PIDS" || true)
    while read -r n p; do stop_pid "$n" "$p"; done < <(grep '^mariadbd ' "$PIDS" || true)
    local group; group=$(state_get zmconf_group)
    [ -n "$group" ] && [ -f "$ZM_CONF" ] && chgrp "$group" "$ZM_CONF"
    rm -f "$PIDS"
  else
    log "nothing to stop"
  fi
  rm -f "$ZM_CONF_OVERRIDE"
  if [ "${ZMH_KEEP_DATA:-0}" != 1 ]; then rm -rf "$ZMH_DIR"; else log "kept $ZMH_DIR"; fi
  log "down"
}

case ${1:-} in
  install) shift; cmd_install "$@" ;;
  up) shift; cmd_up "$@" ;;
  events) shift; cmd_events "$@" ;;
  wait) shift; cmd_wait "$@" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  sql) shift; sqlzm -e "$*" ;;
  down) cmd_down ;;
  *) sed -n '2,33p' "$0"; exit 2 ;;
esac
