"""Soak with faults: a steady stream of ZoneMinder events (written as zmc writes them, see
Tests/ingest/zmfixture.py) while zmface ingests them and the script repeatedly SIGKILLs zmface,
restarts PostgreSQL, restarts MariaDB, deletes events before or while they are processed, and
hands over corrupt JPEGs and truncated MP4s. At the end every expected frame must be stored exactly
once and every published event must be stored.

Usage: soak.py SECONDS   (Tests/soak/run.sh; CI runs a short form, run it for hours by hand)
Prints the figures and ends with "soak: lost=0 duplicated=0 ..."; exits 1 on any loss or duplicate.
"""

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests/ingest"))
import psycopg  # noqa: E402
import zmfixture  # noqa: E402

ZMFACE = os.environ.get("ZMFACE_BIN", str(ROOT / ".build/debug/zmface"))
duration = float(sys.argv[1]) if len(sys.argv) > 1 else 120
seed = int(os.environ.get("ZMFACE_SOAK_SEED", "7"))
rng = random.Random(seed)             # the fault loop's
writer_rng = random.Random(seed + 1)  # the event writer thread's (its own, so the faults' order is fixed)
work = Path(zmfixture._server_dir("zmface-soak-"))


def log(text):
    print(f"[soak {time.strftime('%H:%M:%S')}] {text}", flush=True)


class Zmface:
    def __init__(self, config):
        self.config = config
        self.process = None
        self.starts = 0

    def start(self):
        self.starts += 1
        self.log = open(work / f"zmface-{self.starts}.log", "w")
        self.process = subprocess.Popen([ZMFACE, "ingest", "--config", str(self.config)], stdout=self.log,
                                        stderr=subprocess.STDOUT, cwd=ROOT)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=120)


def main():
    mariadb, postgres = zmfixture.MariaDB(), zmfixture.Postgres()
    mariadb.start()
    postgres.start()
    db = mariadb.new_zm_database("zm")
    zm = zmfixture.ZoneMinderWriter(mariadb.root("zm"), "zm", work / "events")
    zm.add_monitor(1, "Front")
    zm.add_monitor(2, "Back")
    pgurl = postgres.url
    pub = f"ipc://{work}/pub.sock"
    config = work / "worker.json"
    config.write_text(json.dumps({
        "workers": 2,
        "zoneminder": {"dbHost": f"127.0.0.1:{mariadb.port}", "dbName": "zm", "dbUser": db["user"],
                       "dbPassword": db["password"], "pollSeconds": 0.3, "settleSeconds": 1, "abandonSeconds": 5},
        "frames": {"select": "all", "maxPerEvent": 0},
        "postgres": {"url": pgurl},
        "publish": {"endpoints": [pub], "statusSeconds": 2},
        "zerorpc": {"endpoints": [f"ipc://{work}/rpc.sock"]},
    }))
    subscriber = zmfixture.PubCounter(pub)
    subscriber.start()
    zmface = Zmface(config)
    zmface.start()

    expected = {}          # event id -> frame count (events that must be stored)
    deleted = set()        # events deleted on purpose
    writer_lock = threading.Lock()
    faults = {"zmface SIGKILL": 0, "PostgreSQL restart": 0, "MariaDB restart": 0, "event deleted": 0,
              "corrupt JPEG": 0, "truncated MP4": 0}
    stop_writing = threading.Event()

    def write_events():
        while not stop_writing.is_set():
            frames = writer_rng.randint(4, 9)
            images = zmfixture.frames_from(writer_rng.choice([["obama.jpg", "blank"], ["biden.jpg"], ["blank"]]), frames)
            jpegs, video = writer_rng.choice([(True, False), (False, True), (True, True)])
            with writer_lock:
                try:
                    ev = zm.create_event(writer_rng.choice([1, 2]), writer_rng.choice(["Deep", "Medium", "Shallow"]), images,
                                         jpegs=jpegs, video=video, alarm=set(range(1, frames + 1)),
                                         start=dt.datetime.now() - dt.timedelta(seconds=frames / 10),
                                         end=dt.datetime.now())
                except Exception as error:  # MariaDB restarting under the writer: try again later
                    log(f"writer: {error}")
                    time.sleep(0.5)
                    continue
                expected[ev.id] = frames
                roll = writer_rng.random()
                if roll < 0.08 and jpegs:
                    ev.capture_path(writer_rng.randint(1, frames)).write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
                    faults["corrupt JPEG"] += 1
                elif roll < 0.16 and video and not jpegs:
                    data = ev.video_path.read_bytes()
                    ev.video_path.write_bytes(data[: len(data) // 2])
                    faults["truncated MP4"] += 1
                elif roll < 0.24:
                    zm.delete_event(ev)
                    deleted.add(ev.id)
                    faults["event deleted"] += 1
            time.sleep(writer_rng.uniform(0.3, 1.2))

    writer = threading.Thread(target=write_events, daemon=True)
    writer.start()
    started = time.time()
    fault_turn = 0
    while time.time() - started < duration:
        time.sleep(rng.uniform(4, 8))
        # In turn, so even a short run has every kind: kill, PostgreSQL, kill, MariaDB, …
        fault = ["zmface SIGKILL", "PostgreSQL restart", "zmface SIGKILL", "MariaDB restart"][fault_turn % 4]
        fault_turn += 1
        log(f"fault: {fault}")
        faults[fault] += 1
        if fault == "zmface SIGKILL":
            zmface.kill()
            zmface.start()
        elif fault == "PostgreSQL restart":
            postgres.stop()
            time.sleep(rng.uniform(1, 4))
            postgres.start()
        else:
            with writer_lock:
                mariadb.stop()
                time.sleep(rng.uniform(1, 4))
                mariadb.start()
                zm.conn = mariadb.root("zm")
    stop_writing.set()
    writer.join()
    log(f"{len(expected)} events written; waiting for zmface to catch up")

    def stored():
        with psycopg.connect(pgurl, autocommit=True) as c:
            return {r[0]: r[1] for r in c.execute("SELECT event_id, outcome FROM events")}

    deadline = time.time() + 300
    while time.time() < deadline:
        have = stored()
        if all(e in have for e in expected if e not in deleted):
            break
        time.sleep(1)
    time.sleep(3)  # the last status and event messages
    code = zmface.stop()
    subscriber.stop()

    with psycopg.connect(pgurl, autocommit=True) as c:
        frames = {}
        for event_id, frame_id in c.execute("SELECT event_id, frame_id FROM frames"):
            frames.setdefault(event_id, []).append(frame_id)
        outcomes = dict(c.execute("SELECT event_id, outcome FROM events").fetchall())
        runs = dict(c.execute("SELECT event_id, runs FROM events").fetchall())
        errors = c.execute("SELECT count(*) FROM frames WHERE error IS NOT NULL").fetchone()[0]
        detections = c.execute("SELECT count(*) FROM detections").fetchone()[0]
        max_lag = c.execute("SELECT max(extract(epoch FROM processed_at - end_time)) FROM events").fetchone()[0]

    lost, duplicated, problems = 0, 0, []
    for event_id, count in expected.items():
        if event_id in deleted:
            if outcomes.get(event_id) not in (None, "deleted", "processed"):
                problems.append(f"deleted event {event_id}: outcome {outcomes.get(event_id)}")
            continue
        got = sorted(frames.get(event_id, []))
        if outcomes.get(event_id) != "processed" and not (outcomes.get(event_id) == "skipped" and got):
            lost += count
            problems.append(f"event {event_id}: outcome {outcomes.get(event_id)}")
        elif got != list(range(1, count + 1)):
            lost += len(set(range(1, count + 1)) - set(got))
            duplicated += len(got) - len(set(got))
            problems.append(f"event {event_id}: frames {got}, expected 1..{count}")
    duplicated += sum(1 for n in runs.values() if n > 1)  # a committed event processed again
    # PUB: every announced event is stored (publish after commit); numbering has no gap within a
    # session except before the subscriber's first message of it.
    unstored = [e for e in subscriber.announced if e not in outcomes]
    gaps = subscriber.gaps
    total_frames = sum(n for e, n in expected.items() if e not in deleted)
    print(f"soak: {duration:.0f} s, events {len(expected)} ({len(deleted)} deleted on purpose), frames {total_frames}, "
          f"detections {detections}, unreadable frames stored with their error {errors}")
    print("soak: faults " + ", ".join(f"{k} {v}" for k, v in faults.items()))
    print(f"soak: zmface starts {zmface.starts} (restarts survived {zmface.starts - 1}), last exit {code}, "
          f"PUB messages {subscriber.count} in {len(subscriber.last_seq)} sessions, gaps {gaps}, "
          f"announced but not stored {len(unstored)}")
    print(f"soak: max ingest lag {max_lag or 0:.1f} s")
    for problem in problems[:20]:
        print(f"soak: PROBLEM {problem}")
    ok = lost == 0 and duplicated == 0 and not unstored and gaps == 0 and code == 0 and not problems
    print(f"soak: lost={lost} duplicated={duplicated} -> {'PASS' if ok else 'FAIL'}")
    postgres.close()
    mariadb.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
