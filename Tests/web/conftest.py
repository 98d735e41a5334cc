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
from database_fixtures import mariadb, postgres, zm  # noqa: E402,F401  (fixtures, shared with Tests/ingest)

ROOT = HERE.parents[1]
ZMFACE = Path(os.environ.get("ZMFACE_BIN", ROOT / ".build/debug/zmface"))


@pytest.fixture(scope="session")
def zmface_bin():
    if not os.access(ZMFACE, os.X_OK):
        pytest.fail(f"{ZMFACE} not built: run swift build first")
    return ZMFACE


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


# ---------------------------------------------------------------------------------------------
# The page in a real browser (test_page*.py): a scene seeded with B's Seeder from the recognition
# set's photos (real encodings, real crops), the page server on it, and headless Debian chromium
# driven by selenium through Debian's chromedriver.

import subprocess  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import timedelta  # noqa: E402
from random import Random  # noqa: E402

CACHE = Path(os.environ.get("ZMFACE_CACHE", ROOT / ".cache"))
SCREENSHOTS = CACHE / "web-screenshots"
CHROMIUM = os.environ.get("ZMFACE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ZMFACE_CHROMEDRIVER", "/usr/bin/chromedriver")
CAMERAS = {1: "Front door", 2: "Driveway", 3: "Back garden"}


@pytest.fixture(scope="session")
def recognition_set():
    """.cache/recognition-set (10 people, several photos each), fetched once (a second run of the
    script downloads nothing)."""
    p = subprocess.run([str(ROOT / "scripts/fetch-recognition-set")], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr + p.stdout
    return webfixture.RECOGNITION_SET


@dataclass
class Scene:
    """What `scene` put on the page: the server, cluster ids by key (salley 6 faces, savage 5,
    simm 4 + 2 `intruders` of someone else, rock 3), each cluster's face ids, the faces the model
    named (Alice 4, Bob 3), the face whose crop file is gone, event ids newest first, the dataset."""
    server: object
    pgurl: str
    dataset: Path
    crops: Path
    clusters: dict = field(default_factory=dict)
    cluster_faces: dict = field(default_factory=dict)
    people_faces: dict = field(default_factory=dict)
    intruders: list = field(default_factory=list)
    missing_crop: str = ""
    events: list = field(default_factory=list)
    seeder: object = None

    @property
    def url(self):
        return self.server.url

    def rows(self, sql, params=None):
        return self.seeder.sql(sql, params)


def stage_scene(seed, recognition_set, dataset):
    """Rows as ingestion and clustering leave them: Alice and Bob named by the model in their events
    (with the events' decisions), four open clusters of unknown faces, two faces per event over the
    last hours on three cameras; one crop file deleted (retention, a disk cleanup); training photos
    for Alice (3) and Bob (2) in the dataset."""
    def photos(person):
        files = [f for f in (recognition_set / person).iterdir() if f.suffix.lower() in (".jpg", ".png")]
        return sorted(files, key=lambda f: (len(f.stem), f.stem))

    faces = [("John_Schneider", i, "Alice", None) for i in range(4)]
    faces += [("John_Shimkus", i, "Bob", None) for i in range(3)]
    for key, person, n in (("salley", "John_Salley", 6), ("savage", "John_Savage", 5), ("simm", "John_Simm", 4),
                           ("rock", "The_Rock", 3)):
        faces += [(person, i, None, key) for i in range(n)]
    faces += [("Vin_Diesel", i, None, "simm") for i in range(2)]
    Random(16).shuffle(faces)

    scene = Scene(server=None, pgurl="", dataset=dataset, crops=seed.crops, seeder=seed)
    for key in ("salley", "savage", "simm", "rock"):
        scene.clusters[key] = seed.cluster()
        scene.cluster_faces[key] = []
    pairs = [faces[i:i + 2] for i in range(0, len(faces), 2)]
    for n, pair in enumerate(pairs):
        event_id, monitor = 1001 + n, 1 + n % 3
        start = seed.now - timedelta(minutes=50 * (len(pairs) - n) - 45)
        people = sorted({name for _, _, name, _ in pair if name})
        seed.event(event_id, monitor_id=monitor, monitor_name=CAMERAS[monitor], start=start, people=people,
                   unknown=sum(1 for f in pair if not f[2]), frames=2)
        for frame, (person, index, name, cluster) in enumerate(pair, start=1):
            photo = photos(person)[index]
            face_id = seed.face(event_id, frame, 0, photo, name=name, cluster=scene.clusters.get(cluster),
                                probability=0.93 if name else None, monitor_id=monitor)
            if name:
                scene.people_faces.setdefault(name, []).append(face_id)
            else:
                scene.cluster_faces[cluster].append(face_id)
                if person == "Vin_Diesel":
                    scene.intruders.append(face_id)
        scene.events.insert(0, event_id)
    for cid in scene.clusters.values():
        seed.refresh(cid)
    scene.missing_crop = scene.cluster_faces["rock"][0]
    event, frame, index = scene.missing_crop.split("-")
    (seed.crops / event / f"{frame}-{index}.jpg").unlink()
    for name, person, n in (("Alice", "John_Schneider", 3), ("Bob", "John_Shimkus", 2)):
        (dataset / name).mkdir(parents=True, exist_ok=True)
        for i, photo in enumerate(photos(person)[-n:], start=1):
            (dataset / name / f"photo-{i}{photo.suffix.lower()}").write_bytes(photo.read_bytes())
    return scene


@pytest.fixture
def scene(web, seed, pgurl, recognition_set, tmp_path):
    """The seeded scene (see stage_scene) and the page server on it."""
    staged = stage_scene(seed, recognition_set, tmp_path / "dataset")
    staged.server = web(dataset=staged.dataset)
    staged.pgurl = pgurl
    return staged


@pytest.fixture
def empty_scene(web, seed, pgurl, tmp_path):
    """The page server on an empty database."""
    staged = Scene(server=None, pgurl=pgurl, dataset=tmp_path / "dataset", crops=seed.crops, seeder=seed)
    staged.server = web(dataset=staged.dataset)
    return staged


def new_browser(width=1280, height=800, phone=False):
    """Headless Debian chromium through Debian's chromedriver (both paths given, so selenium never
    looks for a driver to download). `phone`: a touch screen of that size at 2x (mobile viewport)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                f"--window-size={width},{height}", "--lang=en-GB"):
        options.add_argument(arg)
    if phone:
        options.add_experimental_option(
            "mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2, "touch": True}})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(width, height)
    return driver


@pytest.fixture
def browser():
    """A desktop browser, 1280x800; quit at the end."""
    driver = new_browser(1280, 800)
    yield driver
    driver.quit()


@pytest.fixture
def phone():
    """A phone, 390x844; quit at the end."""
    driver = new_browser(390, 844, phone=True)
    yield driver
    driver.quit()
