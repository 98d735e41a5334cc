"""Fixtures for the ingestion/sink tests (see zmfixture.py).

Session: `mariadb` (a private mariadbd) and `postgres` (a private PostgreSQL 15), started once and
stopped at the end. Per test: `zm` (a ZoneMinderWriter on a fresh database with ZoneMinder 1.36's
real schema and a fresh storage root; `zm.config` is how the read-only consumer connects) and
`pgurl` (a fresh, empty PostgreSQL database owned by zmface).
"""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import zmfixture  # noqa: E402
from database_fixtures import mariadb, postgres, zm  # noqa: E402,F401  (fixtures, shared with Tests/web)

ROOT = Path(__file__).resolve().parents[2]
ZMFACE = Path(os.environ.get("ZMFACE_BIN", ROOT / ".build/debug/zmface"))


@pytest.fixture
def pgurl(postgres):
    """The URL of a fresh, empty PostgreSQL database owned by zmface."""
    return postgres.fresh_database()


@pytest.fixture
def zmface_bin():
    if not os.access(ZMFACE, os.X_OK):
        pytest.fail(f"{ZMFACE} not built: run swift build first")
    return ZMFACE


@pytest.fixture(scope="session")
def hostile_model(tmp_path_factory):
    """A real classifier trained by `zmface encode` + `zmface train` on augmented photos of Obama and
    Biden, whose class names are hostile: quotes, SQL, a slash and non-ASCII text."""
    import subprocess
    work = tmp_path_factory.mktemp("model")
    photos = zmfixture.PHOTOS  # ZMFACE_CACHE / ZMFACE_TEST_PHOTOS, like the frames
    subprocess.run([sys.executable, str(ROOT / "Tests/training/make_dataset.py"), str(photos), str(work)],
                   check=True, capture_output=True)
    train = work / "train"
    (train / "obama").rename(train / OBAMA)
    (train / "biden").rename(train / BIDEN)
    for step in (["encode", str(train), "--out", str(work / "train.json")],
                 ["train", str(work / "train.json"), "--classifier", "svm", "--out", str(work / "hostile.model")]):
        p = subprocess.run([str(ZMFACE), *step], capture_output=True, text=True, cwd=ROOT)
        assert p.returncode == 0, p.stderr
    return work / "hostile.model"


# Folder names are class names; '/' cannot be in a folder name, everything else can.
OBAMA = "O'Bama \"Barack\" 🇺🇸 Ωμέγα"
BIDEN = "Bíden'); DROP TABLE detections;--"
