"""Recognition out of the box on genuinely different photos of real people (not augmentations):
scripts/fetch-recognition-set gives 10 people with 3 to 10 photos each, taken on different days,
plus 19 photos of other people (PROVENANCE.txt says where each comes from). Each person's last
photo is held back; the rest, with half the strangers as the Unknown class, go through the
default `zmface encode` + `zmface train` (no thresholds given), and the held-back photos and the
other strangers (never trained on) are then named by the server's pipeline (`zmface detect`, which
runs the pipeline `serve` runs; one case goes through `serve` itself).

What must hold, as the recognition issue asks: at least 90 % of the held-back photos named as the
right person, at most 2 % of the strangers named (with so few that means none), when all 10 people
are trained and when only 5 are (the other 5 then count as strangers too). The original's fixed
minProba of 0.9 names few or none of them, which is the defect this guards against.

The blur gate is left off here (recognition.focusThreshold 0): these are small, sharp face crops
whose variance of the Laplacian (about 30 to 200) falls under the original's 200, which would
call most of them blurry; the gate's default is measured separately (README, Training)."""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from test_training import ZMFACE, free_port, zmface

ROOT = Path(__file__).resolve().parents[2]
SET = ROOT / ".cache/recognition-set"
STRANGERS = ROOT / ".cache/recognition-set-strangers"


def people():
    return sorted(p.name for p in SET.iterdir() if p.is_dir())


def photos(person):
    return sorted(p for p in (SET / person).iterdir() if p.is_file())


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    assert SET.is_dir() and STRANGERS.is_dir(), "run scripts/fetch-recognition-set"
    assert len(people()) >= 10
    strangers = sorted(p for p in STRANGERS.iterdir() if p.is_file())
    assert len(strangers) >= 16
    return {"strangers_train": strangers[0::2], "strangers_test": strangers[1::2]}


def train(work, trained, split):
    dataset = work / "dataset"
    for person in trained:
        (dataset / person).mkdir(parents=True)
        for photo in photos(person)[:-1]:
            shutil.copy(photo, dataset / person / photo.name)
    (dataset / "Unknown").mkdir()
    for photo in split["strangers_train"]:
        shutil.copy(photo, dataset / "Unknown" / photo.name)
    zmface("encode", dataset, "--out", work / "encodings.json")
    report = zmface("train", work / "encodings.json", "--out", work / "faces.model").stdout
    return work / "faces.model", report


def names(model, images):
    """The name the pipeline gives the largest face of each image (None: not named or no face)."""
    out = zmface("detect", *images, "--classifier", model, "--min-face", "20").stdout
    answers = {}
    for line in out.splitlines():
        row = json.loads(line)
        faces = sorted(row["faces"], key=lambda f: f["bottom"] - f["top"], reverse=True)
        answers[row["path"]] = faces[0]["name"] if faces else None
    return answers


@pytest.mark.parametrize("count", [10, 5])
def test_default_training_names_people_and_not_strangers(tmp_path, split, count):
    trained = people()[:count] if count == 10 else people()[::2][:count]
    untrained = [p for p in people() if p not in trained]
    model, report = train(tmp_path, trained, split)
    assert "chosen for at most 1.0 % of strangers named" in report, report
    held_back = {str(photos(p)[-1]): p for p in trained}
    strangers = [str(p) for p in split["strangers_test"]] + [str(photos(p)[-1]) for p in untrained]
    answers = names(model, list(held_back) + strangers)
    right = sum(answers[path] == person for path, person in held_back.items())
    named_strangers = [path for path in strangers if answers[path] is not None]
    print(f"{count} people: {right} of {len(held_back)} held-back photos named right; "
          f"{len(named_strangers)} of {len(strangers)} strangers named")
    assert right >= 0.9 * len(held_back), (answers, report)
    assert len(named_strangers) <= 0.02 * len(strangers), (named_strangers, report)

    # The original's threshold on the same model: the estimate the model stores says what it costs.
    calibration = json.loads(model.read_text().split("\n", 1)[1])["calibration"]
    at_09 = max((p for p in calibration["byMinProba"] if p["minProba"] <= 0.9), key=lambda p: p["minProba"])
    assert at_09["namedCorrectly"] < calibration["namedCorrectly"]


def test_served_model_names_held_back_photos_and_warns_about_the_originals_threshold(tmp_path, split):
    """`zmface serve` with the default model names the held-back photos through detect_faces; with the
    original config.json's minProba 0.9 forced, it logs the warning with both figures."""
    import zerorpc

    model, _ = train(tmp_path, people(), split)
    config = tmp_path / "worker.json"
    config.write_text(json.dumps({"recognition": {"focusThreshold": 0}, "classifier": {"model": str(model)},
                                  "imageRoots": [str(SET)], "workers": 1}))
    forced = tmp_path / "forced.json"
    forced.write_text(json.dumps({"recognition": {"focusThreshold": 0},
                                  "classifier": {"model": str(model), "minProba": 0.9},
                                  "imageRoots": [str(SET)], "workers": 1}))
    held_back = {str(photos(p)[-1]): p for p in people()}
    results = {}
    for name, path in (("default", config), ("forced", forced)):
        endpoint = f"tcp://127.0.0.1:{free_port()}"
        log_path = tmp_path / f"{name}.log"
        log = open(log_path, "w")
        server = subprocess.Popen([ZMFACE, "serve", "--config", path, "--endpoint", endpoint],
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 60
            while "listening" not in log_path.read_text():
                assert time.time() < deadline and server.poll() is None, log_path.read_text()
                time.sleep(0.1)
            client = zerorpc.Client(timeout=120)
            client.connect(endpoint)
            whole = {"xmin": 0, "ymin": 0, "xmax": 5000, "ymax": 5000}
            request = [{"image": image, "labels": [{"name": "person", "box": whole}]} for image in held_back]
            reply = json.loads(client.detect_faces(request))
            results[name] = sum(e["labels"][0]["face"] == held_back[e["image"]] for e in reply)
            client.close()
        finally:
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=60) == 0
        results[name + "-log"] = log_path.read_text()
    assert results["default"] >= 9, results["default-log"]
    assert "names about" in results["forced-log"] and "the configured value is used" in results["forced-log"]
    assert results["forced"] < results["default"], "the original's 0.9 names fewer of the same photos"
