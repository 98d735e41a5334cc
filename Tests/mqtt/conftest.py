"""Fixtures for the MQTT tests: the ingestion tests' databases and model (Tests/ingest/conftest.py,
imported, not copied: `zm`, `pgurl`, `hostile_model`, ...) and a real mosquitto broker per test
(mqtt_fixture.py)."""

import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
INGEST = HERE.parent / "ingest"
sys.path.insert(0, str(INGEST))
sys.path.insert(0, str(HERE))

# Loaded under its own name: both folders' conftest modules would otherwise be "conftest".
_spec = importlib.util.spec_from_file_location("ingest_conftest", INGEST / "conftest.py")
ingest_conftest = importlib.util.module_from_spec(_spec)
sys.modules["ingest_conftest"] = ingest_conftest
_spec.loader.exec_module(ingest_conftest)

# The fixtures pytest should see here (a fixture is found by its name in the conftest module).
mariadb = ingest_conftest.mariadb
postgres = ingest_conftest.postgres
zm = ingest_conftest.zm
pgurl = ingest_conftest.pgurl
zmface_bin = ingest_conftest.zmface_bin
hostile_model = ingest_conftest.hostile_model
OBAMA = ingest_conftest.OBAMA
BIDEN = ingest_conftest.BIDEN

import mqtt_fixture  # noqa: E402


@pytest.fixture
def broker(tmp_path):
    """A plain mosquitto on a free loopback port, anonymous clients allowed, no persistence (so a
    restart loses every retained message)."""
    b = mqtt_fixture.Broker(tmp_path / "broker")
    try:
        b.start()
        yield b
    finally:
        b.stop()


@pytest.fixture(scope="session")
def renamed_model(tmp_path_factory):
    """A second real classifier, trained like `hostile_model` on the same augmented photos but with
    the people named `ann` and `carol`: a model that learned two new people."""
    import subprocess
    work = tmp_path_factory.mktemp("renamed-model")
    subprocess.run([sys.executable, str(ingest_conftest.ROOT / "Tests/training/make_dataset.py"),
                    str(ingest_conftest.ROOT / ".cache/test-photos"), str(work)], check=True, capture_output=True)
    train = work / "train"
    (train / "obama").rename(train / "ann")
    (train / "biden").rename(train / "carol")
    for step in (["encode", str(train), "--out", str(work / "train.json")],
                 ["train", str(work / "train.json"), "--classifier", "svm", "--out", str(work / "renamed.model")]):
        p = subprocess.run([str(ingest_conftest.ZMFACE), *step], capture_output=True, text=True, cwd=ingest_conftest.ROOT)
        assert p.returncode == 0, p.stderr
    return work / "renamed.model"
