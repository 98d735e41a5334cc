"""Long-run memory test: one zmface process ingests FRAMES frames of ZoneMinder events (written as
zmc writes them, see Tests/ingest/zmfixture.py; no faults) while its resident memory is sampled.
After a warm-up RSS must be flat; and every frame written must be stored exactly once.

Usage: memory.py [FRAMES]   (default 100000; Tests/soak/memory.sh; CI runs a short form)
Environment:
  ZMFACE_BIN                 the binary (default .build/release/zmface if built, else .build/debug/zmface)
  ZMFACE_MEMORY_COMMAND      serve (default: zerorpc + ingestion in one process) or ingest (no zerorpc)
  ZMFACE_MEMORY_SIZE         frame size, default 320x240
  ZMFACE_MEMORY_BACKLOG      frames written but not yet stored before the writer waits (default 300)
  ZMFACE_MEMORY_SAMPLE_S     seconds between RSS samples (default 2)
  ZMFACE_MEMORY_RPC_S        seconds between detect_faces calls (default 5; 0 = none)
  ZMFACE_MEMORY_SEED         the writer's random seed (default 11)

What runs: private MariaDB + PostgreSQL, two monitors; a writer thread creates closed events of
20-60 frames (4 in 5 capture JPEGs only, 1 in 5 an H.264 MP4 only, so the FFmpeg decode path runs),
cycling photos with faces and blank frames, never more than BACKLOG frames ahead of what PostgreSQL
has stored, and removes the folders of events once they are stored (disk). zmface runs with
frames.select=all, two workers, a PUB socket (a SUB thread counts every message) and, with serve, a
zerorpc endpoint that a thread calls with detect_faces now and then (by hand, DEALER + msgpack, like
Tests/ingest/test_serve.py). Every ZMFACE_MEMORY_SAMPLE_S seconds VmRSS, VmHWM, threads, open
descriptors and CPU seconds of the zmface process and the frames stored are appended to memory.csv
in the work dir (kept; the event folders are removed at the end).

The verdict (flat RSS), on frames stored, not time:
  warm-up       the first 10% of the frames (caches, allocator arenas, connection buffers fill up);
                the least-squares slope of RSS over frames stored is computed over the rest
  baseline      the highest RSS while the second quarter (25%..50%) of the frames was stored
  end           the highest RSS while the last quarter (75%..100%) was stored, and at the end
  growth        end - baseline; FAIL when it is more than 64 MiB AND more than 15% of the baseline.
Maximum against maximum, so allocator noise is compared like for like: glibc keeps freed heap
resident and gives it back in steps, and the large buffers of a detect_faces call on a full-size
photo make RSS breathe by tens of MiB (seen: +-40 MiB around ~400 MiB) without any leak. A real
leak is linear in frames and the windows' midpoints are half the run apart: over 100,000 frames,
4 KiB per frame is ~195 MiB of growth, and anything above ~1.3 KiB per frame crosses 64 MiB. A short
run cannot see small leaks this way (3,000 frames x 4 KiB = 6 MiB); read its slope (KiB per 1000
frames) instead, and judge a long run's shape in memory.csv. The slope is not a verdict: since
zmface trims its heap every 30 s RSS is a sawtooth (+-80 MiB), and a 30,000-frame run's fitted
slope swung to +1.2 MiB per 1000 frames while its peaks stayed flat. Also FAIL: any frame lost or stored
twice, an event processed twice, an unreadable frame, a PUB gap, an announced event not stored, a
zerorpc call without an answer or with an error other than Overloaded, zmface dying, stalling for
300 s, or not exiting 0 on SIGTERM.
Ends with "memory: frames=N stored=N rss_start=... -> PASS" (or FAIL, exit 1).
"""

import csv
import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests/ingest"))
import msgpack  # noqa: E402
import psycopg  # noqa: E402
import zmq  # noqa: E402
import zmfixture  # noqa: E402


def default_binary():
    release = ROOT / ".build/release/zmface"
    return str(release if release.exists() else ROOT / ".build/debug/zmface")


ZMFACE = os.environ.get("ZMFACE_BIN") or default_binary()
COMMAND = os.environ.get("ZMFACE_MEMORY_COMMAND", "serve")
TOTAL = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
SIZE = tuple(int(v) for v in os.environ.get("ZMFACE_MEMORY_SIZE", "320x240").split("x"))
BACKLOG = int(os.environ.get("ZMFACE_MEMORY_BACKLOG", "300"))
SAMPLE_S = float(os.environ.get("ZMFACE_MEMORY_SAMPLE_S", "2"))
RPC_S = float(os.environ.get("ZMFACE_MEMORY_RPC_S", "5")) if COMMAND == "serve" else 0
SEED = int(os.environ.get("ZMFACE_MEMORY_SEED", "11"))
STALL_S = 300
WARMUP = 0.10                   # of the frames: the slope is fitted after it
BASELINE = (0.25, 0.50)         # the second quarter
END = (0.75, 1.0)               # the last quarter
LIMIT_MIB, LIMIT_PCT = 64, 15
FPS = 10
PHOTOS = zmfixture.PHOTOS.resolve()

work = Path(zmfixture._server_dir("zmface-memory-"))


def log(text):
    print(f"[memory {time.strftime('%H:%M:%S')}] {text}", flush=True)


TICK = os.sysconf("SC_CLK_TCK")


def proc_status(pid):
    """VmRSS and VmHWM in KiB, threads, open descriptors, CPU seconds (user + system) of a live
    process (None when gone)."""
    try:
        fields = {}
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.split()
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = round((int(stat[11]) + int(stat[12])) / TICK, 2)
        return int(fields["VmRSS"][0]), int(fields["VmHWM"][0]), int(fields["Threads"][0]), fds, cpu
    except (FileNotFoundError, ProcessLookupError, KeyError):
        return None


def host_busy():
    """(busy, total) jiffies of all CPUs from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def count_frames(conn):
    """Frames stored in PostgreSQL (0 before zmface's first migration made the table)."""
    try:
        return conn.execute("SELECT count(*) FROM frames").fetchone()[0]
    except psycopg.errors.UndefinedTable:
        return 0


def detect_faces(endpoint, image, abort, timeout=120):
    """One zerorpc v3 detect_faces request by hand (a fresh DEALER per call, as a hook script
    would connect), one person label covering the image; ('OK'|'ERR', args) or None (no answer)."""
    socket = zmq.Context.instance().socket(zmq.DEALER)
    socket.setsockopt(zmq.LINGER, 0)
    socket.connect(endpoint)
    from PIL import Image
    with Image.open(image) as im:
        width, height = im.size
    request = [{"image": str(image), "labels": [{"id": 1, "name": "person", "score": 0.99,
                                                 "box": {"xmin": 0, "ymin": 0, "xmax": width, "ymax": height}}]}]
    message_id = os.urandom(16).hex().encode()
    socket.send_multipart([b"", msgpack.packb([{"message_id": message_id, "v": 3}, "detect_faces", [request]],
                                              use_bin_type=True)])
    deadline = time.time() + timeout
    try:
        while time.time() < deadline and not abort.is_set():
            if not socket.poll(1000):
                continue
            _, name, args = msgpack.unpackb(socket.recv_multipart()[-1], raw=False)
            if name in ("OK", "ERR"):
                return name, args
        return None
    finally:
        socket.close()


class Caller(threading.Thread):
    """detect_faces every RPC_S seconds, in turn with camera-sized frames (640x480 Obama and Biden,
    the 1280x886 group photo of six people) and one large photo (Biden, 970x2204); counts answers.

    It starts with a burst, every image twice with two calls at a time, so that during the warm-up
    each worker has handled each image size. Without it RSS was seen to climb in steps of 40-60 MiB
    (and sometimes fall back) whenever calls on the big photos landed on a thread that had not had
    one before, well after the warm-up, and a 3,000-frame run read that as growth: allocator arenas
    (glibc gives threads their own) growing to the largest image and keeping the pages. A leak is per
    call and keeps growing after the burst; this does not.
    """

    def __init__(self, endpoint, stop):
        super().__init__(daemon=True)
        self.endpoint, self.stop = endpoint, stop
        self.images = [zmfixture.frame_image("obama.jpg", (640, 480)), zmfixture.frame_image("biden.jpg", (640, 480)),
                       PHOTOS / "group-t1.jpg", PHOTOS / "biden.jpg"]
        self.ok = self.overloaded = self.faces = 0
        self.latencies = []
        self.problems = []
        self.lock = threading.Lock()
        self.abort = threading.Event()   # zmface is gone: stop waiting for answers

    def call(self, image):
        started = time.monotonic()
        try:
            answer = detect_faces(self.endpoint, image, self.abort)
        except Exception as error:  # noqa: BLE001 - reported, fails the run
            answer = error
        with self.lock:
            self.latencies.append(time.monotonic() - started)
            if answer is None:
                self.problems.append(f"detect_faces {image.name}: no answer")
            elif isinstance(answer, Exception):
                self.problems.append(f"detect_faces {image.name}: {answer!r}")
            elif answer[0] == "OK":
                self.ok += 1
                self.faces += sum(len(label.get("faces") or []) for label in json.loads(answer[1][0])[0]["labels"])
            elif answer[1] and answer[1][0] == "Overloaded":
                self.overloaded += 1
            else:
                self.problems.append(f"detect_faces {image.name}: {answer}")

    def run(self):
        for image in self.images * 2:
            pair = [threading.Thread(target=self.call, args=(image,)) for _ in range(2)]
            for t in pair:
                t.start()
            for t in pair:
                t.join()
        turn = 0
        while not self.stop.wait(RPC_S):
            self.call(self.images[turn % len(self.images)])
            turn += 1


class Writer(threading.Thread):
    """Closed events until TOTAL frames are written, at most BACKLOG frames ahead of PostgreSQL;
    the folders of stored events are removed (rows stay, as after a zmfilter purge of files)."""

    def __init__(self, zm, pgurl):
        super().__init__(daemon=True)
        self.zm, self.pgurl = zm, pgurl
        self.rng = random.Random(SEED)
        self.expected = {}      # event id -> frames
        self.written = 0
        self.videos = 0
        self.removed = 0
        self.waits = 0.0
        self.error = None
        self.stop = threading.Event()

    def stored_frames(self, conn):
        return count_frames(conn)

    def remove_stored(self, conn, pending):
        if not pending:
            return
        try:
            done = {r[0] for r in conn.execute("SELECT event_id FROM events WHERE event_id = ANY(%s)",
                                               (list(pending),))}
        except psycopg.errors.UndefinedTable:   # before zmface's first migration
            return
        for eid in done:
            ev = pending.pop(eid)
            self.zm.delete_event(ev, rows=False)
            self.zm.events.pop(eid, None)
            self.removed += 1

    def create(self, frames):
        rng = self.rng
        images = zmfixture.frames_from(rng.choice([["obama.jpg", "blank"], ["biden.jpg"], ["blank"],
                                                   ["obama.jpg", "biden.jpg", "blank", "blank"]]), frames, size=SIZE)
        video = rng.random() < 0.2
        now = dt.datetime.now()
        scheme = rng.choice(["Deep", "Medium", "Shallow"])
        kwargs = dict(images=images, jpegs=not video, video=video, start=now - dt.timedelta(seconds=frames / FPS),
                      end=now)
        monitor = rng.choice([1, 2])
        try:
            ev = self.zm.create_event(monitor, scheme, **kwargs)
        except ValueError as error:  # Deep: another event of this monitor in the same second
            if "same second" not in str(error):
                raise
            ev = self.zm.create_event(monitor, "Medium", **kwargs)
        self.videos += video
        return ev

    def run(self):
        try:
            with psycopg.connect(self.pgurl, autocommit=True) as conn:
                pending = {}
                while self.written < TOTAL and not self.stop.is_set():
                    self.remove_stored(conn, pending)
                    waited = time.monotonic()
                    while self.written - self.stored_frames(conn) > BACKLOG and not self.stop.is_set():
                        time.sleep(0.2)
                        self.remove_stored(conn, pending)
                    self.waits += time.monotonic() - waited
                    frames = min(self.rng.randint(20, 60), TOTAL - self.written)
                    ev = self.create(frames)
                    self.expected[ev.id] = frames
                    self.written += frames
                    pending[ev.id] = ev
                while pending and not self.stop.is_set():
                    self.remove_stored(conn, pending)
                    time.sleep(0.5)
        except Exception as error:  # noqa: BLE001 - the main loop reports it and fails
            self.error = error


def main():
    log(f"{TOTAL} frames of {SIZE[0]}x{SIZE[1]}, zmface {COMMAND} ({ZMFACE}), work dir {work}")
    mariadb, postgres = zmfixture.MariaDB(), zmfixture.Postgres()
    mariadb.start()
    postgres.start()
    db = mariadb.new_zm_database("zm")
    zm = zmfixture.ZoneMinderWriter(mariadb.root("zm"), "zm", work / "events")
    zm.add_monitor(1, "Front", width=SIZE[0], height=SIZE[1])
    zm.add_monitor(2, "Back", width=SIZE[0], height=SIZE[1])
    pgurl = postgres.url
    pub = f"ipc://{work}/pub.sock"
    rpc = f"ipc://{work}/rpc.sock"
    config = work / "worker.json"
    config.write_text(json.dumps({
        "workers": 2,
        "imageRoots": [str(PHOTOS), str(zmfixture.FRAMES_CACHE.resolve())],
        "zoneminder": {"enabled": True, "dbHost": f"127.0.0.1:{mariadb.port}", "dbName": "zm", "dbUser": db["user"],
                       "dbPassword": db["password"], "pollSeconds": 0.3, "settleSeconds": 1, "abandonSeconds": 5},
        "frames": {"select": "all", "maxPerEvent": 0},
        "postgres": {"url": pgurl},
        "publish": {"endpoints": [pub], "statusSeconds": 2},
        "zerorpc": {"endpoints": [rpc]},
    }))
    subscriber = zmfixture.PubCounter(pub)
    subscriber.start()
    zmface_log = open(work / "zmface.log", "w")
    started = time.monotonic()
    host_start = host_busy()
    zmface = subprocess.Popen([ZMFACE, COMMAND, "--config", str(config)], stdout=zmface_log,
                              stderr=subprocess.STDOUT, cwd=ROOT)
    writer = Writer(zm, pgurl)
    writer.start()
    stop_calls = threading.Event()
    caller = None
    if RPC_S > 0:
        caller = Caller(rpc, stop_calls)
        caller.start()

    samples = []    # (elapsed s, frames written, frames stored, rss KiB, hwm KiB, threads, fds, cpu s)
    csv_path = work / "memory.csv"
    csv_file = open(csv_path, "w", newline="")
    out = csv.writer(csv_file)
    out.writerow(["elapsed_s", "frames_written", "frames_stored", "rss_kib", "hwm_kib", "threads", "fds",
                  "zmface_cpu_s", "pub_messages", "rpc_ok"])
    failure = None
    last_progress, last_stored = time.monotonic(), -1
    next_report = 0.1
    with psycopg.connect(pgurl, autocommit=True) as conn:
        while True:
            time.sleep(SAMPLE_S)
            status = proc_status(zmface.pid)
            if zmface.poll() is not None or status is None:
                failure = f"zmface exited ({zmface.poll()}) during the run; see {work}/zmface.log"
                break
            stored = count_frames(conn)
            elapsed = time.monotonic() - started
            row = (round(elapsed, 1), writer.written, stored, *status)
            samples.append(row)
            out.writerow([*row, subscriber.count, caller.ok if caller else 0])
            csv_file.flush()
            if stored >= next_report * TOTAL:
                log(f"{stored}/{TOTAL} frames stored, {elapsed:.0f} s, RSS {status[0] / 1024:.1f} MiB")
                next_report += 0.1
            if writer.error:
                failure = f"writer failed: {writer.error!r}"
                break
            if stored != last_stored:
                last_stored, last_progress = stored, time.monotonic()
            elif time.monotonic() - last_progress > STALL_S:
                failure = f"no frame stored for {STALL_S} s ({stored}/{writer.written} stored)"
                break
            if stored >= TOTAL and writer.written >= TOTAL:
                break
    elapsed = time.monotonic() - started
    host_end = host_busy()
    writer.stop.set()
    writer.join(timeout=30)
    stop_calls.set()
    if caller:
        if failure:
            caller.abort.set()
        caller.join(timeout=150)
    time.sleep(3)  # the last event and status messages
    final = proc_status(zmface.pid)
    if zmface.poll() is None:
        zmface.send_signal(signal.SIGTERM)
    try:
        code = zmface.wait(timeout=120)
    except subprocess.TimeoutExpired:
        zmface.kill()
        code = "timeout"
    zmface_log.close()
    subscriber.stop()
    csv_file.close()

    frames, outcomes, runs, errors, detections = {}, {}, {}, 0, 0
    with psycopg.connect(pgurl, autocommit=True) as c:
        try:
            for event_id, frame_id in c.execute("SELECT event_id, frame_id FROM frames"):
                frames.setdefault(event_id, []).append(frame_id)
            outcomes = dict(c.execute("SELECT event_id, outcome FROM events").fetchall())
            runs = dict(c.execute("SELECT event_id, runs FROM events").fetchall())
            errors = c.execute("SELECT count(*) FROM frames WHERE error IS NOT NULL").fetchone()[0]
            detections = c.execute("SELECT count(*) FROM detections").fetchone()[0]
        except psycopg.errors.UndefinedTable:   # zmface never got as far as its schema
            pass
    stored_total = sum(len(v) for v in frames.values())

    problems = []
    if failure:
        problems.append(failure)
    lost = duplicated = 0
    for event_id, count in writer.expected.items():
        got = sorted(frames.get(event_id, []))
        if outcomes.get(event_id) != "processed":
            lost += count - len(set(got))
            problems.append(f"event {event_id}: outcome {outcomes.get(event_id)}")
        elif got != list(range(1, count + 1)):
            lost += len(set(range(1, count + 1)) - set(got))
            duplicated += len(got) - len(set(got))
            problems.append(f"event {event_id}: frames {got}, expected 1..{count}")
    reprocessed = sum(1 for n in runs.values() if n > 1)
    unknown = set(outcomes) - set(writer.expected)
    if reprocessed:
        problems.append(f"{reprocessed} events processed more than once")
    if unknown:
        problems.append(f"events stored that were never written: {sorted(unknown)[:10]}")
    if errors:
        problems.append(f"{errors} frames stored with an error (no faults were injected)")
    unstored = set(subscriber.announced) - set(outcomes)
    if unstored:
        problems.append(f"{len(unstored)} events announced on PUB but not stored")
    if subscriber.gaps:
        problems.append(f"{subscriber.gaps} gaps in the PUB numbering")
    if subscriber.by_type.get("event", 0) < len(writer.expected) and not failure:
        problems.append(f"PUB announced {subscriber.by_type.get('event', 0)} of {len(writer.expected)} events")
    if caller and not failure:   # after a failure, calls left unanswered say nothing new
        problems += caller.problems[:10]
    if code != 0:
        problems.append(f"zmface exit status {code} (expected 0 after SIGTERM)")

    # -- the memory verdict ------------------------------------------------------------------------
    def window(lo, hi):
        return [s for s in samples if lo * TOTAL <= s[2] <= hi * TOTAL]

    base_window = window(*BASELINE)
    end_window = window(*END)
    if final:
        end_window = end_window + [(elapsed, writer.written, stored_total, *final)]
    rss_start = max(s[3] for s in base_window) / 1024 if base_window else float("nan")
    rss_end = max(s[3] for s in end_window) / 1024 if end_window else float("nan")
    growth = rss_end - rss_start
    growth_pct = 100 * growth / rss_start if rss_start else float("nan")
    # per 1000 frames between the windows' midpoints (half the run apart)
    per_1k = growth * 1024 / max(1, TOTAL * (sum(END) - sum(BASELINE)) / 2) * 1000
    after = [s for s in samples if s[2] >= WARMUP * TOTAL]
    slope = float("nan")
    if len(after) >= 3 and len({s[2] for s in after}) >= 2:
        xs, ys = [s[2] for s in after], [s[3] for s in after]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs) * 1000
    leak = growth > LIMIT_MIB and growth_pct > LIMIT_PCT
    if not base_window or not end_window:
        problems.append("too few RSS samples for a verdict (run longer or lower ZMFACE_MEMORY_SAMPLE_S)")
    if leak:
        problems.append(f"RSS grew {growth:.1f} MiB ({growth_pct:.1f}%) after the warm-up: more than "
                        f"{LIMIT_MIB} MiB and {LIMIT_PCT}%")

    # -- report ---------------------------------------------------------------------------------------
    warm = next((s for s in samples if s[2] >= WARMUP * TOTAL), None)
    done = next((s for s in samples if s[2] >= stored_total), samples[-1] if samples else None)
    fps_all = stored_total / done[0] if done and done[0] else 0
    fps_steady = ((done[2] - warm[2]) / (done[0] - warm[0]) if warm and done and done[0] > warm[0] else 0)
    print(f"memory: {'frames':>9} {'elapsed s':>9} {'RSS MiB':>8} {'HWM MiB':>8} {'threads':>7} {'fds':>5}")
    shown = set()
    for i in range(16):
        target = stored_total * i / 15
        pick = min(range(len(samples)), key=lambda k: abs(samples[k][2] - target), default=None)
        if pick is None or pick in shown:
            continue
        shown.add(pick)
        s = samples[pick]
        print(f"memory: {s[2]:>9} {s[0]:>9.0f} {s[3] / 1024:>8.1f} {s[4] / 1024:>8.1f} {s[5]:>7} {s[6]:>5}")
    print(f"memory: {len(writer.expected)} events ({writer.videos} video only), frames written {writer.written}, "
          f"stored {stored_total}, detections {detections}, folders removed after storing {writer.removed}")
    print(f"memory: throughput {fps_all:.1f} frames/s overall, {fps_steady:.1f} frames/s after the warm-up "
          f"({elapsed:.0f} s; writer waited {writer.waits:.0f} s for the backlog of {BACKLOG}); "
          f"100000 frames would take ~{100000 / fps_steady / 60:.0f} min" if fps_steady else
          f"memory: throughput {fps_all:.1f} frames/s")
    print(f"memory: PUB messages {subscriber.count} {dict(sorted(subscriber.by_type.items()))}, gaps {subscriber.gaps}"
          + (f"; detect_faces OK {caller.ok} (faces {caller.faces}), Overloaded {caller.overloaded}, "
             f"problems {len(caller.problems)}, latency mean {sum(caller.latencies) / max(1, len(caller.latencies)):.2f} s "
             f"max {max(caller.latencies, default=0):.2f} s" if caller else "; zerorpc not used"))
    busy = 100 * (host_end[0] - host_start[0]) / max(1, host_end[1] - host_start[1])
    cpu = samples[-1][7] if samples else 0
    print(f"memory: CPU: zmface {cpu:.0f} s = {cpu / elapsed:.2f} cores, host busy {busy:.0f}% of "
          f"{os.cpu_count()} cores")
    print(f"memory: zmface exit {code}; samples {len(samples)} in {csv_path}; log {work}/zmface.log")
    for problem in problems[:20]:
        print(f"memory: PROBLEM {problem}")
    ok = not problems
    print(f"memory: frames={writer.written} stored={stored_total} lost={lost} duplicated={duplicated} "
          f"rss_start={rss_start:.1f} MiB rss_end={rss_end:.1f} MiB growth={growth:+.1f} MiB ({growth_pct:+.1f}%) "
          f"per_1k_frames={per_1k:+.1f} KiB slope={slope:+.1f} KiB/1k frames -> {'PASS' if ok else 'FAIL'}")
    shutil.rmtree(work / "events", ignore_errors=True)
    postgres.close()
    mariadb.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
