"""A real mosquitto broker started by the tests, clients that read it (paho-mqtt and the
mosquitto_sub command), a test CA made with openssl, and worker.json with an `mqtt` section."""

import json
import signal
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as paho

from zmface_run import rows


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """mosquitto on 127.0.0.1:`port` with its own config, log and (optionally) password file and
    TLS listener. Stopped by its own pid; `restart()` keeps the port."""

    def __init__(self, workdir, port=None, users=None, tls=None, persistent=False):
        self.persistent = persistent
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.users = users or {}
        self.tls = tls
        self.process = None
        self.log_path = self.dir / "mosquitto.log"

    def config(self):
        lines = [
            f"listener {self.port} 127.0.0.1",
            # persistent: sessions and retained messages survive a restart (saved at SIGTERM).
            *(["persistence true", f"persistence_location {self.dir}/"] if self.persistent
              else ["persistence false"]),
            # Run as root by the tests: stay root so the test's private files stay readable.
            "user root",
            f"log_dest file {self.log_path}",
            "log_type all",
            f"allow_anonymous {'false' if self.users else 'true'}",
        ]
        if self.users:
            password_file = self.dir / "passwords"
            password_file.write_text("")
            for user, password in self.users.items():
                subprocess.run(["mosquitto_passwd", "-b", str(password_file), user, password], check=True)
            lines.append(f"password_file {password_file}")
        if self.tls:
            lines += [f"cafile {self.tls.ca}", f"certfile {self.tls.cert}", f"keyfile {self.tls.key}"]
        path = self.dir / "mosquitto.conf"
        path.write_text("\n".join(lines) + "\n")
        return path

    def start(self):
        self.process = subprocess.Popen(["mosquitto", "-c", str(self.config())], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited {self.process.returncode}:\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(f"mosquitto not listening on {self.port}:\n{self.log()}")
                time.sleep(0.05)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def restart(self):
        self.stop()
        self.start()

    def log(self):
        return self.log_path.read_text() if self.log_path.exists() else ""


class CertificateAuthority:
    """A CA and a server certificate it signed for 127.0.0.1 and localhost, made with openssl."""

    def __init__(self, workdir):
        d = Path(workdir)
        d.mkdir(parents=True, exist_ok=True)
        self.ca, self.ca_key = d / "ca.crt", d / "ca.key"
        self.cert, self.key = d / "server.crt", d / "server.key"
        run = lambda *args: subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)  # noqa: E731
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=zmface test CA",
            "-keyout", self.ca_key, "-out", self.ca)
        csr = d / "server.csr"
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", self.key, "-out", csr)
        ext = d / "san.ext"
        ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        run("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key, "-CAcreateserial", "-days", "2",
            "-extfile", ext, "-out", self.cert)


class Collector:
    """A paho-mqtt subscriber to `topics` that records (topic, payload text, receive time). When
    `pgurl` is given, each message naming an event checks at once that PostgreSQL holds that
    event; the ones that came before their commit are in `uncommitted`."""

    def __init__(self, port, topics=("#",), pgurl=None, session=None, **tls):
        self.messages = []
        self.uncommitted = []
        self.pgurl = pgurl
        self.topics = topics
        self.lock = threading.Lock()
        self.connected = threading.Event()
        # session: a fixed client id whose subscriptions the broker keeps while it is away.
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2,
                                  client_id=session or f"test-{uuid.uuid4().hex[:8]}",
                                  clean_session=session is None)
        if tls:
            self.client.tls_set(**tls)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(min_delay=1, max_delay=1)
        self.client.connect_async("127.0.0.1", port, keepalive=10)
        self.client.loop_start()
        assert self.connected.wait(20), "paho could not connect to the broker"

    def _on_connect(self, client, userdata, flags, reason, properties):
        for topic in self.topics:
            client.subscribe(topic, qos=1)
        self.connected.set()

    def _on_message(self, client, userdata, message):
        text = message.payload.decode()
        if self.pgurl and text.startswith("{"):
            event = json.loads(text).get("event")
            if event is not None and "/config" not in message.topic and not rows(
                    self.pgurl, "SELECT 1 FROM events WHERE event_id=%s", (event,)):
                self.uncommitted.append((message.topic, event))
        with self.lock:
            self.messages.append((message.topic, text, time.time()))

    def on(self, prefix):
        """(topic, payload) of the messages whose topic starts with `prefix`, in arrival order."""
        with self.lock:
            return [(t, p) for t, p, _ in self.messages if t.startswith(prefix)]

    def wait_for(self, predicate, timeout=120, what="messages"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        with self.lock:
            seen = [t for t, _, _ in self.messages]
        raise AssertionError(f"timed out waiting for {what}; topics seen: {seen}")

    def stop(self):
        self.client.loop_stop()
        self.client.disconnect()


def retained(port, topics=("#",), extra=()):
    """Every retained message on `topics`, as a fresh mosquitto_sub sees it: {topic: payload}."""
    args = ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-v", "--retained-only", "-W", "3", *extra]
    for topic in topics:
        args += ["-t", topic]
    p = subprocess.run(args, capture_output=True, text=True, timeout=30)
    # -W ends it with exit code 27 once the retained messages are read; anything else is an error.
    assert p.returncode in (0, 27), p.stderr
    found = {}
    for line in p.stdout.splitlines():
        topic, _, payload = line.partition(" ")
        found[topic] = payload
    return found


def with_mqtt(config_path, mqtt, metrics=None):
    """Adds an `mqtt` section (and a metrics address) to a worker.json from zmface_run.worker_json."""
    config = json.loads(Path(config_path).read_text())
    config["mqtt"] = mqtt
    if metrics:
        config["metrics"] = {"address": metrics}
    Path(config_path).write_text(json.dumps(config))
    return config_path


def metric(address, name):
    """The value of one unlabelled metric from zmface's /metrics (0 when not exported yet)."""
    import urllib.request
    text = urllib.request.urlopen(f"http://{address}/metrics", timeout=10).read().decode()
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
