"""`zmface serve` with ingestion enabled: zerorpc calls and ZoneMinder events share one worker pool,
both are answered, and SIGTERM stops both cleanly (the event in hand committed, exit 0)."""

import json
import os
import signal
import time

import msgpack
import zmq

from conftest import OBAMA
from zmfixture import frames_from
from zmface_run import Running, rows, wait_until, worker_json

PHOTOS = os.path.join(os.path.dirname(__file__), "../../.cache/test-photos")


def detect_faces(endpoint, image, timeout=60):
    """One zerorpc v3 request by hand (a DEALER), skipping heartbeats until the OK/ERR reply."""
    context = zmq.Context.instance()
    socket = context.socket(zmq.DEALER)
    socket.setsockopt(zmq.LINGER, 0)
    socket.connect(endpoint)
    message_id = os.urandom(16).hex().encode()
    from PIL import Image
    width, height = Image.open(image).size
    request = [{"image": image, "labels": [{"id": 1, "name": "person", "score": 0.99,
                                            "box": {"xmin": 0, "ymin": 0, "xmax": width, "ymax": height}}]}]
    socket.send_multipart([b"", msgpack.packb([{"message_id": message_id, "v": 3}, "detect_faces", [request]],
                                              use_bin_type=True)])
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            if not socket.poll(1000):
                continue
            header, name, args = msgpack.unpackb(socket.recv_multipart()[-1], raw=False)
            if name in ("OK", "ERR"):
                return name, args
        raise AssertionError("no reply")
    finally:
        socket.close()


def test_rpc_calls_and_ingestion_share_the_pool(zm, pgurl, tmp_path, hostile_model):
    zm.add_monitor(1, "Front")
    events = [zm.create_event(1, "Medium", frames_from(["obama.jpg"], 10), alarm=set(range(1, 11)))
              for _ in range(4)]
    endpoint = f"ipc://{tmp_path}/rpc.sock"
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model)
    data = json.loads(config.read_text())
    data["zerorpc"]["endpoints"] = [endpoint]
    data["imageRoots"] = [os.path.realpath(PHOTOS)]
    # Every long-running part at once: zerorpc, ingestion, the PUB socket with status messages, metrics.
    data["publish"] = {"endpoints": [f"ipc://{tmp_path}/pub.sock"], "statusSeconds": 1}
    data["metrics"] = {"address": "127.0.0.1:0"}
    config.write_text(json.dumps(data))
    server = Running(config, tmp_path, command="serve")
    try:
        server.wait_for("zerorpc server listening")
        server.wait_for("event processed")   # ingestion is busy on the pool now
        answers = [detect_faces(endpoint, os.path.realpath(os.path.join(PHOTOS, "obama.jpg"))) for _ in range(3)]
        wait_until(lambda: len(rows(pgurl, "SELECT 1 FROM events")) == 4, what="all four events")
    finally:
        assert server.stop(signal.SIGTERM) == 0, server.output()
    for name, args in answers:
        assert name == "OK", args
        reply = json.loads(args[0])
        assert reply[0]["labels"][0]["face"] == OBAMA
    for ev in events:
        assert len(rows(pgurl, "SELECT 1 FROM detections WHERE event_id=%s AND name=%s", (ev.id, OBAMA))) == 10
    assert "ingestion stopped" in server.output()


def metric(port, name):
    import urllib.request
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    values = [float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " ") or line.startswith(name + "{")]
    return sum(values)


def test_full_queue_sheds_rpc_calls_but_never_ingested_frames(zm, pgurl, tmp_path, hostile_model):
    """One worker and a queue of two: zerorpc calls beyond the queue or their wait get Overloaded,
    ingestion waits instead and loses nothing, and the shed counter equals what was refused."""
    import threading
    from zmfixture import free_port
    zm.add_monitor(1, "Front")
    events = [zm.create_event(1, "Medium", frames_from(["obama.jpg"], 8), alarm=set(range(1, 9))) for _ in range(3)]
    endpoint = f"ipc://{tmp_path}/rpc.sock"
    metrics_port = free_port()
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model)
    data = json.loads(config.read_text())
    data.update(workers=1, queueCapacity=2, imageRoots=[os.path.realpath(PHOTOS)],
                metrics={"address": f"127.0.0.1:{metrics_port}"})
    data["zerorpc"].update(endpoints=[endpoint], queueWaitSeconds=0.3)
    config.write_text(json.dumps(data))
    server = Running(config, tmp_path, command="serve")
    answers = []
    try:
        server.wait_for("zerorpc server listening")
        server.wait_for("event processed")
        image = os.path.realpath(os.path.join(PHOTOS, "obama.jpg"))
        threads = [threading.Thread(target=lambda: answers.append(detect_faces(endpoint, image))) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wait_until(lambda: len(rows(pgurl, "SELECT 1 FROM events")) == 3, what="all three events")
        shed = metric(metrics_port, "zmface_pool_shed_total")
        ingest_waits = metric(metrics_port, "zmface_ingest_pool_waits_total")
    finally:
        assert server.stop(signal.SIGTERM) == 0, server.output()
    overloaded = [a for a in answers if a[0] == "ERR" and a[1][0] == "Overloaded"]
    ok = [a for a in answers if a[0] == "OK"]
    assert len(overloaded) + len(ok) == 10, answers
    assert overloaded, "with one worker busy and a queue of two, some of 10 calls must be refused"
    assert shed == len(overloaded) + ingest_waits
    for ev in events:
        assert len(rows(pgurl, "SELECT 1 FROM detections WHERE event_id=%s AND name=%s", (ev.id, OBAMA))) == 8
    assert rows(pgurl, "SELECT count(*), count(DISTINCT (event_id, frame_id)) FROM frames")[0] == (24, 24)
