"""The ZeroMQ PUB side: a foreign subscriber (pyzmq) and `zmface subscribe` receive every result
with consecutive sequence numbers, only after PostgreSQL has it; a late subscriber is told what it
missed; hostile names survive both PostgreSQL and JSON."""

import json
import socket
import subprocess
import threading
import time

import zmq

from conftest import BIDEN, OBAMA
from zmfixture import frames_from
from zmface_run import ROOT, ZMFACE, Running, rows, wait_until, worker_json


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Subscriber(threading.Thread):
    """pyzmq SUB collecting (topic, message); for each event message it checks at once that
    PostgreSQL already holds the event (publish follows commit)."""

    def __init__(self, endpoint, pgurl):
        super().__init__(daemon=True)
        self.context = zmq.Context()
        self.socket = self.context.socket(zmq.SUB)
        self.socket.setsockopt(zmq.SUBSCRIBE, b"")
        self.socket.setsockopt(zmq.RCVTIMEO, 200)
        self.socket.connect(endpoint)
        self.pgurl = pgurl
        self.messages = []
        self.uncommitted = []
        self.running = True

    def run(self):
        while self.running:
            try:
                topic, body = self.socket.recv_multipart()
            except zmq.Again:
                continue
            message = json.loads(body)
            if message["type"] == "event":
                if not rows(self.pgurl, "SELECT 1 FROM events WHERE event_id=%s", (message["event"],)):
                    self.uncommitted.append(message["event"])
            self.messages.append((topic.decode(), message))

    def stop(self):
        self.running = False
        self.join()
        self.socket.close()
        self.context.term()


def test_subscribers_get_every_result_in_order_after_commit(zm, pgurl, tmp_path, hostile_model):
    zm.add_monitor(3, "Gate")
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model,
                         publish={"endpoints": [endpoint], "statusSeconds": 1, "serverId": "zmface-test"})
    server = Running(config, tmp_path)
    pysub = Subscriber(endpoint, pgurl)
    pysub.start()
    cli = subprocess.Popen([str(ZMFACE), "subscribe", "--endpoint", endpoint, "--idle-timeout", "30"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        wait_until(lambda: any(m["type"] == "status" for _, m in pysub.messages), what="a status message")
        events = [zm.create_event(3, "Medium", frames_from(["obama.jpg", "biden.jpg"], 6), alarm=set(range(1, 7)))
                  for _ in range(3)]
        wait_until(lambda: sum(1 for _, m in pysub.messages if m["type"] == "event") == 3, what="3 event messages")
        time.sleep(1.5)  # one more status message after the last event
        late = subprocess.run([str(ZMFACE), "subscribe", "--endpoint", endpoint, "--count", "1"],
                              capture_output=True, text=True, cwd=ROOT, timeout=30)
    finally:
        assert server.stop() == 0
        pysub.stop()
        out, err = cli.communicate(timeout=60)

    # pyzmq: consecutive numbers from the first message received, one session, one server.
    seqs = [m["seq"] for _, m in pysub.messages]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert {m["server"] for _, m in pysub.messages} == {"zmface-test"}
    assert len({m["session"] for _, m in pysub.messages}) == 1
    assert pysub.uncommitted == [], "an event was announced before PostgreSQL had it"

    faces = [(t, m) for t, m in pysub.messages if m["type"] == "face"]
    stored = rows(pgurl, "SELECT event_id, frame_id, face_index, name FROM detections ORDER BY 1, 2, 3")
    assert sorted((m["event"], m["frame"], m["face"], m["name"]) for _, m in faces) == stored
    assert {t for t, m in faces} == {f"face/3/{OBAMA}", f"face/3/{BIDEN}"}
    event_messages = [m for _, m in pysub.messages if m["type"] == "event"]
    assert [m["event"] for m in event_messages] == [e.id for e in events]
    for m in event_messages:
        people = {p["name"]: p for p in m["people"]}
        assert set(people) == {OBAMA, BIDEN} and people[OBAMA]["framesSeen"] == 3
        assert m["outcome"] == "processed"
        # The event's decision, most confident first: both people were seen.
        assert {s["name"] for s in m["seen"]} == {OBAMA, BIDEN} and people[OBAMA]["seen"] is True
        assert all(0 < s["confidence"] <= 1 and s["frames"] >= 1 for s in m["seen"])

    # zmface subscribe (started with the server): the same stream; the only gap it may report is
    # the first status messages sent before its subscription reached the server.
    lines = [json.loads(line) for line in out.splitlines()]
    received = [line["message"] for line in lines if "message" in line]
    assert [m["seq"] for m in received] == list(range(received[0]["seq"], received[0]["seq"] + len(received)))
    gaps = [line["gap"] for line in lines if "gap" in line]
    assert gaps in ([], [{"server": "zmface-test", "session": received[0]["session"], "from": 1,
                          "to": received[0]["seq"] - 1}]), err
    assert {line["topic"] for line in lines if "topic" in line} >= {f"face/3/{OBAMA}", "status"}

    # A subscriber that connects late is told which numbers it missed.
    late_lines = [json.loads(line) for line in late.stdout.splitlines()]
    assert late.returncode == 0, late.stderr
    first_seen = late_lines[1]["message"]["seq"]
    assert late_lines[0]["gap"] == {"server": "zmface-test", "session": late_lines[1]["message"]["session"],
                                    "from": 1, "to": first_seen - 1}
    assert first_seen > max(m["seq"] for m in event_messages)
    assert "missed messages" in late.stderr


def test_subscribe_errors_are_clear():
    p = subprocess.run([str(ZMFACE), "subscribe", "--endpoint", "nonsense://x"], capture_output=True, text=True,
                       cwd=ROOT)
    assert p.returncode == 1 and p.stderr.startswith("zmface: error:")
