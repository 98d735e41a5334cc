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
