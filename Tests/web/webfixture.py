"""The faces page under test: `zmface serve` with `web.address` on a free loopback port, an HTTP
client for its API, and rows seeded straight into PostgreSQL (schema v4) with real encodings from
`zmface detect` and real crop JPEGs cut from the test photos, as the crops writer names them."""

import base64
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
ZMFACE = Path(os.environ.get("ZMFACE_BIN", ROOT / ".build/debug/zmface"))
CACHE = Path(os.environ.get("ZMFACE_CACHE", ROOT / ".cache"))
PHOTOS = CACHE / "test-photos"
RECOGNITION_SET = CACHE / "recognition-set"


def migrate(url):
    p = subprocess.run([str(ZMFACE), "db", "migrate", "--database", url], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Answer:
    """An HTTP answer: status, headers, body bytes, and .json() of it."""

    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class WebServer:
    """`zmface serve` with the faces page; `url`, `get`, `post`, `request`; log in `log_path`."""

    def __init__(self, pgurl, folder, token=None, classifier=None, web=None, faces=None, config=None,
                 dataset=None, crops=None, workers=1):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.pgurl = pgurl
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = token
        self.crops = Path(crops) if crops else self.folder / "crops"
        self.dataset = Path(dataset) if dataset else self.folder / "dataset"
        self.crops.mkdir(parents=True, exist_ok=True)
        self.dataset.mkdir(parents=True, exist_ok=True)
        cfg = {
            "workers": workers,
            "zerorpc": {"endpoints": [f"ipc://{self.folder}/rpc.sock"]},
            "postgres": {"url": pgurl},
            "faces": {"cropsPath": str(self.crops), "datasetPath": str(self.dataset), **(faces or {})},
            "web": {"address": f"127.0.0.1:{self.port}", "zoneminderURL": "http://zm.example/zm",
                    **({"token": token} if token else {}), **(web or {})},
            **({"classifier": {"model": str(classifier)}} if classifier else {}),
            **(config or {}),
        }
        self.config_path = self.folder / "worker.json"
        self.config_path.write_text(json.dumps(cfg, indent=1))
        self.log_path = self.folder / "serve.log"
        self.process = None

    def start(self, timeout=180):
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([str(ZMFACE), "serve", "--config", str(self.config_path)],
                                        stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.time() + timeout
        while "faces page listening" not in self.output():
            if self.process.poll() is not None:
                raise AssertionError(f"zmface serve exited ({self.process.returncode}):\n{self.output()}")
            if time.time() > deadline:
                raise AssertionError(f"the faces page did not start:\n{self.output()}")
            time.sleep(0.1)
        return self

    def output(self):
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.log.close()

    def request(self, method, path, body=None, headers=None, token=True, raw=None, content_type=None):
        """Any request; `body` is sent as JSON, `raw` as bytes. The server's token is added unless token=False
        (or another string is given)."""
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif raw is not None:
            data = raw
            headers.setdefault("Content-Type", content_type or "application/octet-stream")
        chosen = self.token if token is True else (token or None)
        if chosen:
            headers.setdefault("Authorization", f"Bearer {chosen}")
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=300) as r:
                return Answer(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Answer(e.code, dict(e.headers), e.read())

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def basic(self, token):
        return {"Authorization": "Basic " + base64.b64encode(f"user:{token}".encode()).decode()}


@dataclass
class Face:
    photo: Path
    box: tuple  # top, right, bottom, left
    encoding: list


class PhotoFaces:
    """Real faces from `zmface detect`, by photo path (detected once per path and session)."""

    def __init__(self):
        self._cache = {}

    def of(self, photo):
        photo = Path(photo)
        if not photo.is_absolute():
            photo = PHOTOS / photo
        if photo not in self._cache:
            p = subprocess.run([str(ZMFACE), "detect", str(photo)], capture_output=True, text=True, cwd=ROOT)
            assert p.returncode == 0, p.stderr
            line = json.loads(p.stdout.splitlines()[0])
            self._cache[photo] = [Face(photo, (f["top"], f["right"], f["bottom"], f["left"]), f["encoding"])
                                  for f in line["faces"] if f.get("encoding")]
        return self._cache[photo]

    def largest(self, photo):
        faces = self.of(photo)
        assert faces, f"no face in {photo}"
        return max(faces, key=lambda f: (f.box[2] - f.box[0]) * (f.box[1] - f.box[3]))


def cut_crop(face, out):
    """The crop as the crops writer cuts it: the box doubled around its centre, clamped to the
    picture, longest side at most 200 px, JPEG."""
    top, right, bottom, left = face.box
    with Image.open(face.photo) as im:
        im = im.convert("RGB")
        cx, cy, w, h = (left + right) / 2, (top + bottom) / 2, right - left, bottom - top
        box = (max(0, int(cx - w)), max(0, int(cy - h)), min(im.width, int(cx + w)), min(im.height, int(cy + h)))
        crop = im.crop(box)
        scale = min(1.0, 200 / max(crop.size))
        if scale < 1:
            crop = crop.resize((max(1, round(crop.width * scale)), max(1, round(crop.height * scale))), Image.LANCZOS)
        out.parent.mkdir(parents=True, exist_ok=True)
        crop.save(out, "JPEG", quality=90)


def pgarray(values):
    return "{" + ",".join(repr(float(v)) for v in values) + "}"


class Seeder:
    """Rows straight into the v4 schema: events (with frames), detections with real encodings and crop
    files under `crops`, clusters. Times default to minutes before now, newest for the highest ids."""

    def __init__(self, pgurl, crops, faces):
        self.conn = psycopg.connect(pgurl, autocommit=True)
        self.crops = Path(crops)
        self.crops.mkdir(parents=True, exist_ok=True)
        self.faces = faces
        self.now = datetime.now(timezone.utc).replace(microsecond=0)

    def close(self):
        self.conn.close()

    def sql(self, sql, params=None):
        cur = self.conn.execute(sql, params)
        return cur.fetchall() if cur.description else cur.rowcount

    def event(self, event_id, monitor_id=1, monitor_name="Front door", start=None, people=(), unknown=0, frames=5):
        """An event with `frames` frames; `people` named by its decision (event_summaries), `unknown` groups."""
        start = start or self.now - timedelta(minutes=10000 - event_id % 10000)
        self.sql("""INSERT INTO events (event_id, monitor_id, monitor_name, cause, start_time, end_time, frame_count,
                    outcome, frames_selected, faces, model_version) VALUES (%s,%s,%s,'Motion',%s,%s,%s,'processed',%s,0,'test')""",
                 (event_id, monitor_id, monitor_name, start, start + timedelta(seconds=20), frames, frames))
        for frame in range(1, frames + 1):
            self.sql("INSERT INTO frames (event_id, frame_id, time, score, faces) VALUES (%s,%s,%s,10,0)",
                     (event_id, frame, start + timedelta(seconds=frame)))
        for index, name in enumerate(people):
            self._summary(event_id, f"p{index}", name, monitor_id, start)
        for index in range(unknown):
            self._summary(event_id, f"unknown-{index + 1}", None, monitor_id, start)
        return event_id

    def _summary(self, event_id, person, name, monitor_id, start):
        self.sql("""INSERT INTO event_summaries (event_id, person, name, monitor_id, first_seen, last_seen,
                    frames_seen, best_frame, best_box, seen) VALUES (%s,%s,%s,%s,%s,%s,1,1,'{0,0,0,0}',%s)""",
                 (event_id, person, name, monitor_id, start, start, name is not None or None))

    def face(self, event_id, frame_id, face_index, photo, name=None, cluster=None, label=None, label_kind=None,
             crop=True, probability=None, monitor_id=1, face=None):
        """A detection of the largest face of `photo` (or `face`), with its crop file; returns its id."""
        face = face or self.faces.largest(photo)
        relative = f"{event_id}/{frame_id}-{face_index}.jpg"
        if crop:
            cut_crop(face, self.crops / relative)
        top, right, bottom, left = face.box
        self.sql("""INSERT INTO detections (event_id, frame_id, face_index, monitor_id, time, box_top, box_right,
                    box_bottom, box_left, confidence, focus, encoding, name, person, probability, status, model_version,
                    crop, cluster_id, clustered, label, label_kind, labelled_at)
                    SELECT %s,%s,%s,%s,f.time + %s * interval '1 millisecond',%s,%s,%s,%s,1.5,500,%s::real[],%s,%s,%s,%s,
                        'test',%s,%s,%s,%s,%s, CASE WHEN %s::text IS NULL THEN NULL ELSE now() END
                    FROM frames f WHERE f.event_id = %s AND f.frame_id = %s""",
                 (event_id, frame_id, face_index, monitor_id, face_index, top, right, bottom, left,
                  pgarray(face.encoding), name, name or "unknown-1", probability,
                  "recognized" if name else "unknown", relative if crop else None, cluster, cluster is not None,
                  label, label_kind, label_kind, event_id, frame_id))
        return f"{event_id}-{frame_id}-{face_index}"

    def cluster(self, state="open", name=None):
        (cid,), = self.sql("INSERT INTO face_clusters (state, name, centroid) VALUES (%s,%s,'{}') RETURNING cluster_id",
                           (state, name))
        return cid

    def refresh(self, cluster_id):
        """faces/first/last seen of a seeded cluster (what the clustering pass keeps up to date)."""
        self.sql("""UPDATE face_clusters c SET faces = s.n, first_seen = s.f, last_seen = s.l FROM
                    (SELECT count(*) n, min(time) f, max(time) l FROM detections WHERE cluster_id = %s) s
                    WHERE c.cluster_id = %s""", (cluster_id, cluster_id))

    def rows(self, sql, params=None):
        return self.sql(sql, params)
