"""One recognition pipeline: `zmface detect`, `detect_faces` and ingestion give the same answer for
the same picture and settings. Each frame ZoneMinder wrote is recognised three ways: ingested into
PostgreSQL, sent to `detect_faces` with a person box covering the whole frame, and passed to
`zmface detect` with the same classifier and gates. What must hold: per frame the same faces in the
same order, with identical boxes, statuses and names, and (where each path reports them) the same
probabilities and encodings. The frames hold a known person, another known person and a group of
strangers whose faces fall on both sides of the size gate, so the comparison covers named, unknown
and gated faces, not only one easy case."""

import json
import os
import signal
import subprocess

from conftest import OBAMA, BIDEN
from test_serve import detect_faces
from zmfixture import frames_from
from zmface_run import ROOT, ZMFACE, Running, ingest_once, rows, worker_json

PHOTOS = ["obama.jpg", "biden.jpg", "group-t1.jpg"]


def test_detect_detect_faces_and_ingestion_agree(zm, pgurl, tmp_path, hostile_model):
    zm.add_monitor(1, "Door")
    event = zm.create_event(1, "Medium", frames_from(PHOTOS, 3), alarm={1, 2, 3})
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model)
    data = json.loads(config.read_text())
    del data["classifier"]["minProba"]          # the model's own rule, as `zmface detect` applies it
    data["recognition"] = {"minFace": 20, "focusThreshold": 200}
    data["imageRoots"] = [str(zm.storage_root)]
    endpoint = f"ipc://{tmp_path}/rpc.sock"
    data["zerorpc"] = {"endpoints": [endpoint]}
    config.write_text(json.dumps(data))

    ingest_once(config)
    stored = {}
    for frame, index, top, right, bottom, left, status, name, probability, encoding in rows(
            pgurl, "SELECT frame_id, face_index, box_top, box_right, box_bottom, box_left, status, name, "
                   "probability, encoding FROM detections WHERE event_id=%s ORDER BY frame_id, face_index",
            (event.id,)):
        stored.setdefault(frame, []).append(
            {"box": [top, right, bottom, left], "status": status, "name": name, "probability": probability,
             "encoding": encoding})

    served = {}
    data["zoneminder"]["enabled"] = False
    config.write_text(json.dumps(data))
    server = Running(config, tmp_path, command="serve")
    try:
        server.wait_for("zerorpc server listening")
        for frame in (1, 2, 3):
            name, args = detect_faces(endpoint, str(event.capture_path(frame)))
            assert name == "OK", args
            label = json.loads(args[0])[0]["labels"][0]
            served[frame] = [{"box": [f["box"][k] for k in ("top", "right", "bottom", "left")],
                              "status": f["status"], "name": f["name"], "probability": f["probability"]}
                             for f in label["faces"]]
    finally:
        assert server.stop(signal.SIGTERM) == 0, server.output()

    detected = {}
    for frame in (1, 2, 3):
        p = subprocess.run([str(ZMFACE), "detect", str(event.capture_path(frame)), "--classifier", str(hostile_model),
                            "--min-face", "20", "--focus-threshold", "200", "--max-yaw", "0.35"], capture_output=True, text=True, cwd=ROOT)
        assert p.returncode == 0, p.stderr
        detected[frame] = [{"box": [f["top"], f["right"], f["bottom"], f["left"]], "status": f["status"],
                            "name": f["name"], "probability": f["probability"], "encoding": f["encoding"]}
                           for f in json.loads(p.stdout)["faces"]]

    statuses = {face["status"] for faces in stored.values() for face in faces}
    assert {"recognized", "unknown"} <= statuses, f"the frames must exercise named and unnamed faces: {statuses}"
    assert {face["name"] for faces in stored.values() for face in faces} >= {OBAMA, BIDEN}
    for frame in (1, 2, 3):
        ingested, rpc, cli = stored.get(frame, []), served[frame], detected[frame]
        assert len(ingested) == len(rpc) == len(cli) > 0, (frame, ingested, rpc, cli)
        for a, b, c in zip(ingested, rpc, cli):
            assert a["box"] == b["box"] == c["box"], (frame, a, b, c)
            assert a["status"] == b["status"] == c["status"], (frame, a, b, c)
            assert a["name"] == b["name"] == c["name"], (frame, a, b, c)
            for x in (b["probability"], c["probability"]):
                assert (a["probability"] is None) == (x is None), (frame, a, b, c)
                if x is not None:
                    assert abs(a["probability"] - x) < 1e-9, (frame, a, b, c)
            assert (a["encoding"] is None) == (c["encoding"] is None), (frame, a, c)
            if a["encoding"] is not None:
                assert max(abs(x - y) for x, y in zip(a["encoding"], c["encoding"])) < 1e-6, frame
