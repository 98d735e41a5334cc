"""Two instances x 1 worker against one instance x 2 workers, on the same ZoneMinder events
(issue 18's "several instances" benchmark). The ingestion tests' fixtures make a private MariaDB
with ZoneMinder 1.36's schema and events written as zmc writes them (640x480, every frame an alarm
frame, half of them Obama), and a private PostgreSQL; each run ingests all events into a fresh
database with `zmface ingest --once` and is timed from start to the last exit. Printed: a Markdown
table (wall seconds, frames/s, each instance's share, runs > 1). Usage (as root, from the
repository, with the ingest venv):
    .cache/venv-ingest/bin/python Benchmarks/instances.py [EVENTS] [FRAMES]
ZMFACE_BIN picks the binary (default .build/debug/zmface)."""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests/ingest"))
import zmfixture  # noqa: E402

ZMFACE = Path(os.environ.get("ZMFACE_BIN", ROOT / ".build/debug/zmface"))


def train_model(work):
    subprocess.run([sys.executable, str(ROOT / "Tests/training/make_dataset.py"), str(zmfixture.PHOTOS), str(work)],
                   check=True, capture_output=True)
    for step in (["encode", str(work / "train"), "--out", str(work / "train.json")],
                 ["train", str(work / "train.json"), "--classifier", "svm", "--out", str(work / "faces.model")]):
        subprocess.run([str(ZMFACE), *step], check=True, capture_output=True, cwd=ROOT)
    return work / "faces.model"


def config(work, zm_config, pgurl, model, name, workers):
    path = work / f"{name}.json"
    path.write_text(json.dumps({
        "workers": workers, "models": str(ROOT / "models"),
        "classifier": {"model": str(model), "minProba": 0.7},
        "zoneminder": {"enabled": True, "dbHost": f"127.0.0.1:{zm_config['port']}", "dbName": zm_config["name"],
                       "dbUser": zm_config["user"], "dbPassword": zm_config["password"], "pollSeconds": 0.3,
                       "settleSeconds": 1, "instance": name},
        "frames": {"select": "alarm", "maxPerEvent": 0},
        "postgres": {"url": pgurl}, "publish": {"endpoints": []},
        "zerorpc": {"endpoints": [f"ipc://{work}/{name}.sock"]},
    }))
    return path


def run(configs, pgurl):
    started = time.monotonic()
    processes = [subprocess.Popen([str(ZMFACE), "ingest", "--once", "--config", str(c)], cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for c in configs]
    for p in processes:
        _, err = p.communicate()
        if p.returncode != 0:
            raise SystemExit(f"zmface ingest failed ({p.returncode}):\n{err[-2000:]}")
    seconds = time.monotonic() - started
    import psycopg
    with psycopg.connect(pgurl, autocommit=True) as c:
        frames = c.execute("SELECT count(*) FROM frames").fetchone()[0]
        shares = dict(c.execute("SELECT instance, count(*) FROM events GROUP BY instance").fetchall())
        reruns = c.execute("SELECT count(*) FROM events WHERE runs > 1").fetchone()[0]
    return seconds, frames, shares, reruns


def main():
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    frames = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    mariadb, postgres = zmfixture.MariaDB(), zmfixture.Postgres()
    mariadb.start()
    postgres.start()
    try:
        with tempfile.TemporaryDirectory(prefix="zmface-instances-") as tmp:
            work = Path(tmp)
            model = train_model(work)
            zm_config = mariadb.new_zm_database()
            storage = Path(tempfile.mkdtemp(prefix="zmi-", dir="/tmp")) / "events"
            writer = zmfixture.ZoneMinderWriter(mariadb.root(zm_config["name"]), zm_config["name"], storage)
            writer.add_monitor(1, "Front")
            images = zmfixture.frames_from(["obama.jpg", "blank"], frames)
            for _ in range(events):
                writer.create_event(1, "Medium", images, alarm=set(range(1, frames + 1)))
            rows = []
            for label, layout in (("one instance x 2 workers", [("solo", 2)]),
                                  ("two instances x 1 worker", [("a", 1), ("b", 1)]),
                                  ("one instance x 2 workers (again)", [("solo2", 2)])):
                pgurl = postgres.fresh_database()
                configs = [config(work, zm_config, pgurl, model, name, workers) for name, workers in layout]
                seconds, stored, shares, reruns = run(configs, pgurl)
                rows.append((label, seconds, stored, shares, reruns))
            print(f"\n{events} events x {frames} frames (640x480), binary {ZMFACE}, {os.cpu_count()} cores, "
                  f"{time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())}")
            print("| layout | wall s (models loaded included) | frames | frames/s | shares | events run twice |")
            print("|---|---:|---:|---:|---|---:|")
            for label, seconds, stored, shares, reruns in rows:
                print(f"| {label} | {seconds:.1f} | {stored} | {stored / seconds:.1f} | {shares} | {reruns} |")
    finally:
        mariadb.close()
        postgres.close()


if __name__ == "__main__":
    main()
