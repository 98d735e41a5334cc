"""Running the real zmface binary against the fixtures: worker.json for a ZoneMinder database and
a PostgreSQL URL, `zmface ingest` once or as a long-running process, and reads of the results."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
ZMFACE = Path(os.environ.get("ZMFACE_BIN", ROOT / ".build/debug/zmface"))


def worker_json(zm, pgurl, tmp_path, model=None, frames=None, publish=None, **zoneminder):
    cfg = zm.config
    config = {
        "workers": 2,
        # Frames from H.264 video score a little lower than the JPEGs (0.88 vs 0.95 for Biden).
        "classifier": {"model": str(model) if model else None, "minProba": 0.7},
        "zoneminder": {
            "enabled": True,
            "dbHost": f"127.0.0.1:{cfg['port']}",
            "dbName": cfg["name"],
            "dbUser": cfg["user"],
            "dbPassword": cfg["password"],
            "pollSeconds": 0.3,
            "settleSeconds": 1,
            "abandonSeconds": 2,
            **zoneminder,
        },
        "frames": frames or {"select": "alarm", "maxPerEvent": 0},
        "postgres": {"url": pgurl},
        "publish": publish or {"endpoints": []},
        "zerorpc": {"endpoints": [f"ipc://{tmp_path}/rpc.sock"]},
    }
    path = tmp_path / f"worker-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(config))
    return path


def ingest_once(config, *args, check=True, timeout=300):
    p = subprocess.run([str(ZMFACE), "ingest", "--once", "--config", str(config), *args],
                       capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"zmface ingest --once failed ({p.returncode}):\n{p.stderr}")
    return p


class Running:
    """A long-running `zmface ingest` (or serve) whose log goes to a file."""

    def __init__(self, config, tmp_path, command="ingest", args=()):
        self.log_path = tmp_path / f"{command}-{time.monotonic_ns()}.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([str(ZMFACE), command, "--config", str(config), *args],
                                        stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)

    def output(self):
        return self.log_path.read_text()

    def wait_for(self, text, count=1, timeout=120):
        deadline = time.time() + timeout
        while self.output().count(text) < count:
            if self.process.poll() is not None:
                raise AssertionError(f"zmface exited ({self.process.returncode}):\n{self.output()}")
            if time.time() > deadline:
                raise AssertionError(f"{text!r} x{count} not logged in {timeout}s:\n{self.output()}")
            time.sleep(0.1)

    def stop(self, sig=signal.SIGTERM, timeout=120):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        self.log.close()
        return code


def rows(pgurl, sql, params=None):
    with psycopg.connect(pgurl, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def wait_until(predicate, timeout=120, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
