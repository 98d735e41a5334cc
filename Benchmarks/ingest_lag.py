"""Ingest lag under a steady event rate: ZoneMinder events (rows + JPEGs + H.264 MP4, written as zmc
writes them by Tests/ingest/zmfixture.py) arrive every PERIOD seconds while `zmface ingest` runs;
lag = commit time (events.processed_at) - EndDateTime. Not a test: figures go to the README.

Usage (from the repo root, after Tests/ingest/run.sh made its venv):
  .cache/venv-ingest/bin/python Benchmarks/ingest_lag.py [ZMFACE] [EVENTS] [PERIOD] [FRAMES_PER_EVENT]
"""

import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests/ingest"))
import zmfixture  # noqa: E402
from zmface_run import rows  # noqa: E402

zmface = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build/release/zmface")
count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
period = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
frames = int(sys.argv[4]) if len(sys.argv) > 4 else 20

mariadb, postgres = zmfixture.MariaDB(), zmfixture.Postgres()
mariadb.start()
postgres.start()
work = Path(tempfile.mkdtemp(prefix="zmlag"))
try:
    config = mariadb.new_zm_database()
    zm = zmfixture.ZoneMinderWriter(mariadb.root(config["name"]), config["name"], work / "events")
    zm.add_monitor(1, "Front")
    pgurl = postgres.fresh_database()
    worker = work / "worker.json"
    worker.write_text(json.dumps({
        "workers": 2,
        "zoneminder": {"dbHost": f"127.0.0.1:{config['port']}", "dbName": config["name"], "dbUser": "zmface",
                       "dbPassword": "zmface", "pollSeconds": 0.5, "settleSeconds": 1},
        "frames": {"select": "alarm", "maxPerEvent": 10},
        "postgres": {"url": pgurl},
        "zerorpc": {"endpoints": [f"ipc://{work}/rpc.sock"]},
    }))
    images = zmfixture.frames_from(["obama.jpg", "biden.jpg", "blank"], frames)
    log = open(work / "ingest.log", "w")
    server = subprocess.Popen([zmface, "ingest", "--config", str(worker)], stdout=log, stderr=subprocess.STDOUT)
    time.sleep(3)
    started = time.time()
    for i in range(count):
        now = dt.datetime.now()
        ev = zm.open_event(1, "Medium", start=now - dt.timedelta(seconds=frames / 10))
        zm.write_frames(ev, images, alarm=set(range(1, frames + 1)))
        zm.write_video(ev)
        zm.close_event(ev, end=dt.datetime.now())
        time.sleep(max(0, started + (i + 1) * period - time.time()))
    deadline = time.time() + 120
    while len(rows(pgurl, "SELECT 1 FROM events")) < count and time.time() < deadline:
        time.sleep(0.5)
    server.terminate()
    server.wait(timeout=60)
    lags = [r[0] for r in rows(pgurl, "SELECT extract(epoch FROM processed_at - end_time) FROM events")]
    lags = [float(x) for x in lags]
    print(f"events: {len(lags)}/{count} every {period} s, {frames} frames each (10 alarm frames recognised), "
          f"2 workers")
    print(f"lag (commit - EndDateTime): median {statistics.median(lags):.2f} s, max {max(lags):.2f} s "
          f"(EndDateTime has 1 s resolution; settleSeconds = 1)")
finally:
    postgres.close()
    mariadb.close()
