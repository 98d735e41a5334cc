"""Retrain from the page: labelled crops are exported into the dataset, `zmface encode` and
`zmface train` run as children of the server, the server loads the new model, and a picture of
the newly named person is then recognised by name."""

import shutil
import subprocess
import time

import pytest

from webfixture import RECOGNITION_SET, ROOT, ZMFACE, CACHE

KNOWN = ["Bruce_Willis", "Jason_Statham", "The_Rock"]
NEW = "John_Salley"


def photos(person):
    return sorted(p for p in (RECOGNITION_SET / person).iterdir() if p.suffix in (".jpg", ".png"))


@pytest.fixture(scope="module")
def base_dataset(tmp_path_factory):
    """Three people and strangers in the original layout, and a model trained on them (no John Salley)."""
    work = tmp_path_factory.mktemp("train")
    dataset = work / "dataset"
    for person in KNOWN:
        shutil.copytree(RECOGNITION_SET / person, dataset / person, ignore=shutil.ignore_patterns("*.txt"))
    (dataset / "Unknown").mkdir()
    for stranger in sorted((CACHE / "recognition-set-strangers").iterdir())[:8]:
        shutil.copy(stranger, dataset / "Unknown" / stranger.name)
    for step in (["encode", str(dataset), "--out", str(work / "enc.json")],
                 ["train", str(work / "enc.json"), "--out", str(work / "base.model")]):
        p = subprocess.run([str(ZMFACE), *step], capture_output=True, text=True, cwd=ROOT)
        assert p.returncode == 0, p.stderr
    return dataset, work / "base.model"


def wait_for_training(server, timeout=900):
    deadline = time.time() + timeout
    while True:
        status = server.get("/api/train/status").json()
        if status["state"] in ("done", "failed"):
            return status
        assert time.time() < deadline, status
        time.sleep(0.5)


def test_train_names_a_labelled_cluster_afterwards(web, seed, base_dataset, tmp_path):
    dataset_src, base_model = base_dataset
    dataset = tmp_path / "dataset"
    shutil.copytree(dataset_src, dataset)
    model = tmp_path / "faces.model"
    shutil.copy(base_model, model)
    salley = photos(NEW)
    held_back, labelled = salley[-1], salley[:-1]
    cid = seed.cluster()
    for event_id, photo in enumerate(labelled, start=1):
        seed.event(event_id)
        seed.face(event_id, 1, 0, photo, face=seed.faces.largest(photo), cluster=cid)
    seed.refresh(cid)
    # A stranger example from "not this person", and a face no longer labelled whose old export must go.
    seed.event(100)
    stranger = seed.face(100, 1, 0, "astronaut.png")
    (dataset / "Bruce_Willis" / "zmface-99-1-0.jpg").write_bytes((dataset / "Bruce_Willis" / "1.png").read_bytes())

    server = web(classifier=model, dataset=dataset)
    before = server.post("/api/recognize", raw=held_back.read_bytes(), content_type="image/jpeg").json()
    assert [f["name"] for f in before["faces"]] != ["John Salley"]
    assert server.post(f"/api/clusters/{cid}/label", {"name": "John Salley"}).status == 200
    assert server.post(f"/api/faces/{stranger}/correct", {"stranger": True}).status == 200
    idle = server.get("/api/train/status").json()
    assert idle["state"] == "idle" and idle["available"] is True

    started = server.post("/api/train", {"relabelDays": 0})
    assert started.status == 202 and started.json()["state"] == "exporting"
    again = server.post("/api/train", {})
    assert again.status == 409 and "already running" in again.json()["error"]
    status = wait_for_training(server)
    assert status["state"] == "done", status
    assert status["progress"] == 1 and status["finishedAt"] and any("wrote" in line for line in status["log"])

    exported = sorted(p.name for p in (dataset / "John Salley").iterdir())
    assert exported == sorted(f"zmface-{e}-1-0.jpg" for e in range(1, len(labelled) + 1))
    assert (dataset / "Unknown" / f"zmface-{stranger}.jpg").exists()
    assert not (dataset / "Bruce_Willis" / "zmface-99-1-0.jpg").exists()  # mirrors the labels
    assert (dataset / "Bruce_Willis" / "1.png").exists()  # the user's own photos stay
    assert (tmp_path / "faces.model.encodings.json").exists()  # the encode cache is kept
    assert model.read_bytes() != base_model.read_bytes()
    assert "the server now names faces with model" in status["message"] or "trained and loaded" in status["message"]

    after = server.post("/api/recognize", raw=held_back.read_bytes(), content_type="image/jpeg").json()
    assert [f["name"] for f in after["faces"]] == ["John Salley"], after


def test_train_is_refused_without_a_model_file_to_replace(web):
    """A server that cannot train refuses to, and its status says so (the page then offers no Retrain)."""
    server = web()
    refused = server.post("/api/train", {})
    assert refused.status == 409 and "classifier.model" in refused.json()["error"]
    status = server.get("/api/train/status").json()
    assert status["state"] == "idle" and status["available"] is False and "faces.datasetPath" in status["message"]
    assert server.post("/api/train", {"relabelDays": -1}).status in (400, 409)
