"""Fixtures for the faces page tests (the API in test_api*.py, the page in test_page*.py).

Session: `postgres` (a private PostgreSQL 15, from Tests/ingest/zmfixture.py) and `faces` (real
faces found by `zmface detect` in the test photos: box, encoding and the photo, for seeding).
Per test: `pgurl` (a fresh database already at zmface's schema), `seed` (a Seeder on it: events,
detections with real encodings and real crop files, clusters), and `web` (a factory that starts
`zmface serve` with the faces page on a free loopback port and stops it by its pid at the end).
"""

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "ingest"))
import zmfixture  # noqa: E402
import webfixture  # noqa: E402

ROOT = HERE.parents[1]
ZMFACE = Path(os.environ.get("ZMFACE_BIN", ROOT / ".build/debug/zmface"))


@pytest.fixture(scope="session")
def zmface_bin():
    if not os.access(ZMFACE, os.X_OK):
        pytest.fail(f"{ZMFACE} not built: run swift build first")
    return ZMFACE


@pytest.fixture(scope="session")
def postgres():
    pg = zmfixture.Postgres()
    try:
        pg.start()
        yield pg
    finally:
        pg.close()


@pytest.fixture
def pgurl(postgres, zmface_bin):
    """A fresh database at zmface's schema (migrated by `zmface db migrate`)."""
    url = postgres.fresh_database()
    webfixture.migrate(url)
    return url


@pytest.fixture(scope="session")
def faces(zmface_bin):
    """Real faces of the test photos: {photo name: [Face(box, encoding, path)]} (cached per session)."""
    return webfixture.PhotoFaces()


@pytest.fixture
def seed(pgurl, tmp_path, faces):
    """Rows and crop files for a test: seed.event(...), seed.face(...), seed.cluster(...)."""
    seeder = webfixture.Seeder(pgurl, tmp_path / "crops", faces)
    yield seeder
    seeder.close()


@pytest.fixture
def web(pgurl, tmp_path):
    """web(**options) -> a running WebServer (`zmface serve` with the faces page); all stopped at the end.
    Options: token, classifier (a model file), web (extra `web` fields), faces (extra `faces` fields),
    config (extra top-level fields), dataset (a folder), crops (a folder)."""
    servers = []

    def start(**options):
        options.setdefault("crops", tmp_path / "crops")  # the seeder's
        server = webfixture.WebServer(pgurl, tmp_path / f"server{len(servers)}", **options)
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()
