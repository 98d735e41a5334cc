"""Fixtures for the zerorpc tests: a real `zmface serve` process, real photos, real clients.

Every server binds loopback or an ipc path in a temporary folder and is stopped with SIGTERM at the
end of its test; its exit code is checked there too (a crash fails the test that caused it).
"""

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import zerorpc

ROOT = Path(__file__).resolve().parents[2]
ZMFACE = Path(os.environ.get("ZMFACE_BIN", ROOT / ".build/debug/zmface"))
PHOTOS = Path(os.environ.get("ZMFACE_TEST_PHOTOS", ROOT / ".cache/test-photos"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running `zmface serve`; `endpoint` is where clients connect."""

    def __init__(self, tmp_path, config=None, args=(), endpoint=None, expect_start=True):
        self.tmp_path = tmp_path
        self.endpoint = endpoint or f"tcp://127.0.0.1:{free_port()}"
        cmd = [str(ZMFACE), "serve", "--endpoint", self.endpoint, "--image-root", str(PHOTOS),
               "--image-root", str(tmp_path), *args]
        self.config_path = None
        if config is not None:
            self.config_path = tmp_path / f"config-{free_port()}.json"
            self.config_path.write_text(json.dumps(config))
            cmd += ["--config", str(self.config_path)]
        self.log_path = tmp_path / f"serve-{free_port()}.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        if expect_start:
            self.wait_ready()

    def wait_ready(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if "zerorpc server listening" in self.log_path.read_text():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"zmface serve exited early:\n{self.log_path.read_text()}")
            time.sleep(0.1)
        raise AssertionError(f"zmface serve not ready after {timeout}s:\n{self.log_path.read_text()}")

    def client(self, timeout=30, heartbeat=5):
        c = zerorpc.Client(timeout=timeout, heartbeat=heartbeat)
        c.connect(self.endpoint)
        return c

    def output(self):
        return self.log_path.read_text()

    def rss_mib(self):
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS")

    def wait_for_log(self, text, count=1, timeout=60):
        deadline = time.time() + timeout
        while self.output().count(text) < count:
            assert time.time() < deadline, f"{text!r} not logged:\n{self.output()}"
            time.sleep(0.1)

    def stop(self, timeout=60):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self.log.close()
        return code


@pytest.fixture
def start_server(tmp_path):
    servers = []

    def start(**kwargs):
        server = Server(tmp_path, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        code = server.stop()
        assert code in (0, 1), f"zmface serve ended with {code}:\n{server.output()}"


@pytest.fixture
def photo():
    def path(name):
        p = PHOTOS / name
        assert p.exists(), f"{p} missing: run scripts/fetch-test-data"
        return str(p)
    return path


def person(xmin, ymin, xmax, ymax, **extra):
    return {"id": 1, "name": "person", "score": 0.99,
            "box": {"xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax}, **extra}


# Person boxes in full-image pixels: around the face, and on background far from it.
OBAMA_FACE_BOX = (300, 100, 700, 500)      # obama.jpg face is at top=142 right=617 bottom=409 left=349
OBAMA_BACKGROUND_BOX = (0, 900, 200, 1100)
