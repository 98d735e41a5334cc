"""Real databases and real ZoneMinder 1.36 events for the ingestion/sink tests.

* `MariaDB`: a private mariadbd (scripts/lib/dbservers.sh) on a free 127.0.0.1 port. Each
  `new_zm_database()` loads ZoneMinder 1.36.33's own zm_create.sql + triggers.sql (from the Debian
  package, see scripts/setup) into a fresh database and returns how the read-only consumer `zmface`
  reaches it. The fixtures write as MariaDB root over the unix socket.
* `Postgres`: a private PostgreSQL 15 cluster; `url` is the zmface database, `fresh_database()` an
  empty one.
* `ZoneMinderWriter`: writes events the way zmc 1.36.33 writes them (src/zm_event.cpp,
  /work/shared/reference/zoneminder.md sections 3 and 4): the same INSERT/UPDATE statements in the
  same order, the scheme directories in local time, `%05d-capture.jpg` (JPEG quality 70),
  `snapshot.jpg`, `alarm.jpg`, a fragmented H.264 `<Id>-video.mp4`, Frames rows only where zmc writes
  them and flushed when zmc flushes them, and the traps seen on real installs (crashed zmc, 0-byte
  MP4, purged events, Frames rows that land after the close).
* `frames_from()`: 640x480 frames made from the real photos in .cache/test-photos.

Times are naive local datetimes, as ZoneMinder stores them. The directory path and StartDateTime are
both made from the same naive datetime, which is what zmc produces when the database and zmc share
the host's time zone (mariadbd inherits the test process's TZ).
"""

import atexit
import datetime as dt
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pymysql
import zmq
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("ZMFACE_CACHE", ROOT / ".cache"))
PHOTOS = Path(os.environ.get("ZMFACE_TEST_PHOTOS", CACHE / "test-photos"))
FRAMES_CACHE = CACHE / "ingest-frames"
DBSERVERS = ROOT / "scripts/lib/dbservers.sh"

FRAME_SIZE = (640, 480)
JPEG_QUALITY = 70            # ZM_JPEG_FILE_QUALITY
FORCED_ALARM_SCORE = 255     # ZM_FORCED_ALARM_SCORE: the score of every frame of a forced (zmu -a) alarm
MAX_DB_FRAMES = 100          # zmc flushes queued Frames rows at 100 ...
FLUSH_SECONDS = 5            # ... or at more than 5 x fps
CONSUMER_USER = "zmface"
CONSUMER_PASSWORD = "zmface"
MP4_FTYP_SIZE = 36           # the ftyp box of an ffmpeg fragmented MP4, all a crashed zmc leaves


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dbservers(*args):
    """Runs scripts/lib/dbservers.sh COMMAND ARGS; raises with its error output on failure."""
    p = subprocess.run([str(DBSERVERS), *map(str, args)], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"dbservers.sh {' '.join(map(str, args))} failed ({p.returncode}):\n{p.stderr}{p.stdout}")
    return p.stdout


def _kill_and_wait(pid, timeout=30):
    """SIGKILL and wait until the process is gone, not only dead: the servers check their pid
    files with kill(pid, 0), which still succeeds on a zombie that init has not reaped yet."""
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"process {pid} still exists {timeout}s after SIGKILL (not reaped?)")
        time.sleep(0.05)


def _server_dir(prefix):
    # Short (unix socket paths are limited) and searchable by the mysql/postgres OS users.
    d = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    d.chmod(0o755)
    return d


class _PrivateServer:
    """A database server of our own, run by scripts/lib/dbservers.sh `<kind>_start|_stop` in a fresh
    folder. `start()` makes the data folder on first use; `stop()`/`start()` keep data."""
    kind = None         # "mariadb" or "postgres": the dbservers.sh command prefix
    dir_prefix = None
    pid_file = None     # relative to the folder; its first word is the server's pid

    def __init__(self, port=None):
        self.dir = _server_dir(self.dir_prefix)
        self.port = port or free_port()
        self.running = False
        self._names = itertools.count(1)
        self.timings = {}
        atexit.register(self.close)

    def start(self):
        t0 = time.monotonic()
        dbservers(f"{self.kind}_start", self.dir, self.port)
        self.timings.setdefault("start", time.monotonic() - t0)
        self.running = True
        return self

    def stop(self):
        if self.running:
            dbservers(f"{self.kind}_stop", self.dir)
            self.running = False

    def restart(self):
        self.stop()
        self.start()

    def kill(self):
        """SIGKILL, like a crash or an OOM kill; `start()` again runs the server's crash recovery."""
        _kill_and_wait(int((self.dir / self.pid_file).read_text().split()[0]))
        self.running = False

    def close(self):
        """Stops the server and removes its folder (kept when ZMFACE_KEEP_DB=1)."""
        try:
            self.stop()
        finally:
            if os.environ.get("ZMFACE_KEEP_DB") != "1":
                shutil.rmtree(self.dir, ignore_errors=True)


class MariaDB(_PrivateServer):
    """A private mariadbd."""
    kind, dir_prefix, pid_file = "mariadb", "zmface-mariadb-", "mysqld.pid"

    def __init__(self, port=None):
        super().__init__(port)
        self.socket = str(self.dir / "mysqld.sock")

    def root(self, database=None):
        """A root connection over the unix socket (autocommit, like zmc's)."""
        return pymysql.connect(unix_socket=self.socket, user="root", database=database,
                               autocommit=True, charset="utf8mb4")

    def consumer(self, config, **kwargs):
        """A connection as the read-only consumer over TCP, from a `new_zm_database()` config."""
        return pymysql.connect(host=config["host"], port=config["port"], user=config["user"],
                               password=config["password"], database=config["name"],
                               autocommit=True, **kwargs)

    def new_zm_database(self, name=None):
        """Loads ZoneMinder's real schema into a fresh database; returns the consumer's view of it:
        {host: '127.0.0.1', port, name, user: 'zmface', password: 'zmface', socket}."""
        name = name or f"zm{next(self._names):03d}"
        t0 = time.monotonic()
        dbservers("mariadb_load_zm_schema", self.dir, name)
        self.timings.setdefault("schema", time.monotonic() - t0)
        return {"host": "127.0.0.1", "port": self.port, "name": name, "user": CONSUMER_USER,
                "password": CONSUMER_PASSWORD, "socket": self.socket}


class Postgres(_PrivateServer):
    """A private PostgreSQL 15 cluster; `url` is database zmface as role zmface (password zmface)."""
    kind, dir_prefix, pid_file = "postgres", "zmface-pg-", "data/postmaster.pid"

    @property
    def url(self):
        return self.url_for("zmface")

    def url_for(self, database):
        return f"postgresql://{CONSUMER_USER}:{CONSUMER_PASSWORD}@127.0.0.1:{self.port}/{database}"

    def admin(self, database="postgres"):
        """A superuser (postgres) connection over the unix socket, autocommit."""
        return psycopg.connect(host=str(self.dir), port=self.port, user="postgres", dbname=database,
                               autocommit=True)

    def fresh_database(self, name=None):
        """Creates an empty database owned by zmface; returns its URL."""
        name = name or f"sink{next(self._names):03d}"
        with self.admin() as c:
            c.execute(f'CREATE DATABASE "{name}" OWNER {CONSUMER_USER}')
        return self.url_for(name)

    def query(self, sql, params=None, url=None):
        """Runs one statement as zmface (on `url`, default the zmface database): rows or rowcount."""
        with psycopg.connect(url or self.url, autocommit=True) as c:
            cur = c.execute(sql, params)
            return cur.fetchall() if cur.description else cur.rowcount


# ---------------------------------------------------------------------------------------------
# Frames made from real photos

def frame_image(name, size=FRAME_SIZE):
    """One frame as a JPEG file (quality 70) of `size`: photo `name` from .cache/test-photos scaled
    to fit and centred on a dark grey canvas, or 'blank' (the grey canvas, no face). Cached."""
    w, h = size
    out = FRAMES_CACHE / f"{Path(name).stem}-{w}x{h}.jpg"
    if out.exists():
        return out
    canvas = Image.new("RGB", size, (64, 64, 64))
    if name != "blank":
        src = PHOTOS / name
        if not src.exists():
            raise FileNotFoundError(f"{src} missing: run scripts/fetch-test-data "
                                    f"(have: {sorted(p.name for p in PHOTOS.glob('*'))})")
        with Image.open(src) as im:
            im = im.convert("RGBA")
            scale = min(w / im.width, h / im.height)
            im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.LANCZOS)
            canvas.paste(im, ((w - im.width) // 2, (h - im.height) // 2), im)
    FRAMES_CACHE.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    canvas.save(tmp, "JPEG", quality=JPEG_QUALITY)
    tmp.replace(out)
    return out


def frames_from(photo_names, count, size=FRAME_SIZE):
    """`count` frame files cycling through `photo_names` (file names in .cache/test-photos, or
    'blank'): frames_from(['blank', 'obama.jpg'], 4) -> blank, obama, blank, obama."""
    if isinstance(photo_names, str):
        photo_names = [photo_names]
    files = [frame_image(n, size) for n in photo_names]
    return [files[i % len(files)] for i in range(count)]


# ---------------------------------------------------------------------------------------------
# ZoneMinder events

def _trunc2(seconds):
    """zmc's DELTA_TIMEVAL(..., DT_PREC_2): seconds with 2 decimals, truncated."""
    hundredths = int(abs(seconds) * 100 + 1e-6)
    return ("-" if seconds < 0 else "") + f"{hundredths // 100}.{hundredths % 100:02d}"


def _sec(t):
    return t.replace(microsecond=0)


@dataclass
class Event:
    """What the writer knows about one event (the DB row is the truth; see ZoneMinderWriter)."""
    id: int
    monitor_id: int
    storage_id: int
    scheme: str
    start: dt.datetime            # naive local; StartDateTime is this truncated to the second
    path: Path                    # absolute event directory
    relative_path: str            # Storage.Path + '/' + relative_path == path
    width: int
    height: int
    fps: float
    save_jpegs: int               # Events.SaveJPEGs (bit 1: capture JPEGs)
    video: str                    # 'none', 'open' (file behind), 'written', 'crashed', 'zero-byte'
    event_prefix: str = "Event-"
    frames: int = 0               # frames added (Events.Frames lags this until a flush)
    alarm_frames: int = 0
    tot_score: int = 0
    max_score: int = 0
    images: list = field(default_factory=list)         # source image of FrameId n at [n-1]
    alarm_ids: set = field(default_factory=set)
    pending_rows: list = field(default_factory=list)   # Frames rows queued, not yet in the DB
    late_rows: list = field(default_factory=list)      # held back by close_event(late_rows=)
    row_ids: list = field(default_factory=list)        # FrameIds that have a Frames row in the DB
    alarm_written: bool = False
    end: dt.datetime = None
    closed: bool = False
    deleted: bool = False

    @property
    def video_name(self):
        return f"{self.id}-video.mp4"

    @property
    def video_path(self):
        return self.path / self.video_name

    def capture_path(self, frame_id):
        return self.path / f"{frame_id:05d}-capture.jpg"

    def frame_time(self, frame_id):
        """Capture time of FrameId n: the event start plus (n-1)/fps."""
        return self.start + dt.timedelta(seconds=(frame_id - 1) / self.fps)

    @property
    def last_time(self):
        return self.frame_time(self.frames) if self.frames else self.start


def relative_event_path(scheme, monitor_id, event_id, start):
    """Event::SetPath / Event.pm RelativePath for a naive local start time."""
    if scheme == "Deep":
        return f"{monitor_id}/{start:%y/%m/%d/%H/%M/%S}"
    if scheme == "Medium":
        return f"{monitor_id}/{start:%Y-%m-%d}/{event_id}"
    if scheme == "Shallow":
        return f"{monitor_id}/{event_id}"
    raise ValueError(f"unknown scheme {scheme!r}")


class ZoneMinderWriter:
    """Writes ZoneMinder 1.36 events into database `dbname` (a root connection `conn_root`) and
    below `storage_root`, which becomes the Path of the schema's default Storage row (Id 1, Medium).

    Typical use: add_monitor(1, 'Front'); ev = create_event(1, 'Deep', frames_from(['obama.jpg'], 20)).
    Step by step, as zmc does it: ev = open_event(1); write_frames(ev, images, alarm={...});
    write_video(ev); close_event(ev).
    """

    def __init__(self, conn_root, dbname, storage_root, fps=10):
        self.conn = conn_root
        self.conn.autocommit(True)
        self.conn.select_db(dbname)
        self.dbname = dbname
        self.storage_root = Path(storage_root).resolve()
        self.fps = fps
        self.events = {}
        self.clock = _sec(dt.datetime.now()) - dt.timedelta(hours=1)
        self.add_storage(1, self.storage_root, "Medium")

    # -- SQL helpers ------------------------------------------------------------------------------
    def execute(self, sql, args=None):
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.lastrowid

    def query(self, sql, args=None):
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()

    def row(self, event_or_id):
        """The Events row as a dict (None when deleted)."""
        eid = getattr(event_or_id, "id", event_or_id)
        with self.conn.cursor(pymysql.cursors.DictCursor) as cur:
            cur.execute("SELECT * FROM Events WHERE Id=%s", (eid,))
            return cur.fetchone()

    def frame_rows(self, event_or_id):
        eid = getattr(event_or_id, "id", event_or_id)
        with self.conn.cursor(pymysql.cursors.DictCursor) as cur:
            cur.execute("SELECT * FROM Frames WHERE EventId=%s ORDER BY Id", (eid,))
            return cur.fetchall()

    # -- configuration ------------------------------------------------------------------------------
    def add_storage(self, id, path, scheme="Medium", name=None):
        """A Storage row (replaced if Id exists). A relative `path` is taken below storage_root.
        Storage.Path is varchar(64), so the path must be short."""
        path = Path(path)
        if not path.is_absolute():
            path = self.storage_root / path
        if len(str(path)) > 64:
            raise ValueError(f"Storage.Path is varchar(64); {path} has {len(str(path))} characters")
        if scheme not in ("Deep", "Medium", "Shallow"):
            raise ValueError(f"bad scheme {scheme!r}")
        path.mkdir(parents=True, exist_ok=True)
        self.execute("""INSERT INTO Storage (Id, Path, Name, Type, Scheme, ServerId, DoDelete, Enabled)
                        VALUES (%s, %s, %s, 'local', %s, 0, 1, 1)
                        ON DUPLICATE KEY UPDATE Path=VALUES(Path), Scheme=VALUES(Scheme)""",
                     (id, str(path), name or ("Default" if id == 1 else f"Storage{id}"), scheme))
        return path

    def set_storage_scheme(self, storage_id, scheme):
        """Changes Storage.Scheme; like in ZoneMinder it affects only events opened afterwards."""
        self.execute("UPDATE Storage SET Scheme=%s WHERE Id=%s", (scheme, storage_id))

    def add_monitor(self, id, name, function="Nodect", save_jpegs=1, video_writer=2, storage_id=1,
                    width=640, height=480, event_prefix="Event-", enabled=1):
        """A monitor like the harness's (Ffmpeg source, H.264, full-frame 'All' zone) plus its
        Monitor_Status row. save_jpegs: bit 1 capture JPEGs, bit 2 analysis JPEGs; video_writer:
        0 none, 1 encode, 2 passthrough."""
        self.execute("""INSERT INTO Monitors SET Id=%s, Name=%s, Type='Ffmpeg', Function=%s, Enabled=%s,
              DecodingEnabled=1, Path='http://127.0.0.1:8090/cam.mkv', Method='', Width=%s, Height=%s,
              Colours=4, StorageId=%s, SaveJPEGs=%s, VideoWriter=%s, OutputCodec=27, Encoder='libx264',
              OutputContainer='mp4', SectionLength=600, MinSectionLength=2, PreEventCount=5,
              PostEventCount=5, AlarmFrameCount=1, ImageBufferCount=3, Sequence=%s, EventPrefix=%s""",
                     (id, name, function, enabled, width, height, storage_id, save_jpegs, video_writer,
                      id, event_prefix))
        area = width * height
        self.execute("""INSERT INTO Zones SET MonitorId=%s, Name='All', Type='Active', Units='Percent',
              NumCoords=4, Coords=%s, Area=%s, AlarmRGB=0xff0000, CheckMethod='Blobs', MinPixelThreshold=25,
              MinAlarmPixels=%s, MaxAlarmPixels=%s, FilterX=3, FilterY=3, MinFilterPixels=%s,
              MaxFilterPixels=%s, MinBlobPixels=%s, MinBlobs=1""",
                     (id, f"0,0 {width-1},0 {width-1},{height-1} 0,{height-1}", area, area * 3 // 100,
                      area * 75 // 100, area * 3 // 100, area * 75 // 100, area * 2 // 100))
        self.execute("""INSERT INTO Monitor_Status (MonitorId, Status, CaptureFPS, AnalysisFPS)
                        VALUES (%s, 'Connected', %s, %s)
                        ON DUPLICATE KEY UPDATE Status='Connected'""", (id, self.fps, self.fps))
        return id

    def _monitor(self, monitor_id):
        with self.conn.cursor(pymysql.cursors.DictCursor) as cur:
            cur.execute("SELECT * FROM Monitors WHERE Id=%s", (monitor_id,))
            m = cur.fetchone()
        if m is None:
            raise ValueError(f"no monitor {monitor_id}: call add_monitor first")
        return m

    def _storage(self, storage_id):
        with self.conn.cursor(pymysql.cursors.DictCursor) as cur:
            cur.execute("SELECT * FROM Storage WHERE Id=%s", (storage_id,))
            s = cur.fetchone()
        if s is None:
            raise ValueError(f"no storage {storage_id}: call add_storage first")
        return s

    # -- the event life cycle -------------------------------------------------------------------------
    def open_event(self, monitor_id, scheme=None, storage_id=None, start=None, width=None, height=None,
                   cause=None, notes=None, jpegs=None, video=None):
        """zmc opening an event: the INSERT (Name 'New Event', EndDateTime NULL, Videoed 0,
        DefaultVideo ''), the directory in local time, then, with a video writer, the
        `UPDATE Events SET Videoed=1, DefaultVideo='<Id>-video.mp4'` (the file appears with
        write_video). Defaults come from the monitor and its storage: scheme = Storage.Scheme,
        jpegs = SaveJPEGs & 1, video = VideoWriter != 0; start = the writer's clock (an hour ago,
        moving forward). video='zero-byte' opens it like a failed VideoStore::open (zero_byte_video).
        Cause/Notes default to what a forced alarm (Nodect), motion (Modect) or a recording section
        (Record/Mocord) gives."""
        m = self._monitor(monitor_id)
        storage_id = storage_id if storage_id is not None else m["StorageId"]
        storage = self._storage(storage_id)
        scheme = scheme or storage["Scheme"]
        start = start or self.clock
        if start.tzinfo is not None:
            raise ValueError("start must be a naive local datetime, as ZoneMinder stores it")
        width = width or m["Width"]
        height = height or m["Height"]
        if cause is None:
            cause = {"Nodect": "Forced Web", "Modect": "Motion"}.get(m["Function"], "Continuous")
        if notes is None:
            notes = {"Forced Web": "Forced Web: ", "Motion": "Motion: All"}.get(cause, "")
        save_jpegs = m["SaveJPEGs"] or 0
        if jpegs is not None:
            save_jpegs = (save_jpegs & ~1) | (1 if jpegs else 0)
        if video is None:
            video = bool(m["VideoWriter"])
        state_id = self.query("SELECT Id FROM States WHERE IsActive=1 ORDER BY Id LIMIT 1")
        state_id = state_id[0][0] if state_id else 0

        if scheme == "Deep":
            # zmc: one directory per second per monitor; a second event in the same second would share it
            d = Path(storage["Path"]) / relative_event_path("Deep", monitor_id, 0, start)
            if d.exists():
                raise ValueError(f"Deep event directory {d} exists: two events of monitor {monitor_id} "
                                 f"in the same second (zmc cannot do that); pass another start")

        # The statement zmc 1.36 prepares (zm_event.cpp): from_unixtime(start) in the server's zone
        # is the naive local start, truncated to the second.
        eid = self.execute(
            """INSERT INTO `Events` ( `MonitorId`, `StorageId`, `Name`, `StartDateTime`, `Width`, `Height`,
                 `Cause`, `Notes`, `StateId`, `Orientation`, `Videoed`, `DefaultVideo`, `SaveJPEGs`, `Scheme` )
               VALUES (%s, %s, 'New Event', %s, %s, %s, %s, %s, %s, %s, 0, '', %s, %s)""",
            (monitor_id, storage_id, _sec(start), width, height, cause, notes, state_id,
             m["Orientation"] or "ROTATE_0", save_jpegs, scheme))

        rel = relative_event_path(scheme, monitor_id, eid, start)
        path = Path(storage["Path"]) / rel
        path.mkdir(parents=True, exist_ok=True, mode=0o755)
        if scheme == "Deep":
            # symlink M/yy/mm/dd/.<Id> -> HH/MM/SS
            os.symlink(f"{start:%H/%M/%S}", path.parents[2] / f".{eid}")
        elif scheme == "Shallow":
            (path / f".{eid}").touch()

        ev = Event(id=eid, monitor_id=monitor_id, storage_id=storage_id, scheme=scheme, start=start,
                   path=path, relative_path=rel, width=width, height=height, fps=self.fps,
                   save_jpegs=save_jpegs, video="none", event_prefix=m["EventPrefix"] or "Event-")
        self.events[eid] = ev
        if video == "zero-byte":
            self.zero_byte_video(ev)
        elif video:
            self.execute("UPDATE Events SET Videoed=1, DefaultVideo = %s WHERE Id=%s", (ev.video_name, eid))
            ev.video = "open"
        self._advance_clock(ev)
        return ev

    def _advance_clock(self, ev):
        self.clock = max(self.clock, _sec(ev.last_time) + dt.timedelta(seconds=2))

    def write_frames(self, event, images, alarm=None, scores=None, state_rows=(), flush=False):
        """zmc's Event::AddFrame for each image (FrameIds continue from the event's last frame).
        `alarm`: FrameIds (absolute) that are alarm frames, score 255 unless `scores` says otherwise;
        a frame with a score > 0 is an alarm frame (zmc: Type Alarm iff score > 0).
        Per frame: `%05d-capture.jpg` if SaveJPEGs & 1 (the image's bytes: 640x480, quality 70),
        snapshot.jpg on frame 1 and each new max score, alarm.jpg on the first alarm frame.
        A Frames row is queued only for frame 1, alarm frames, a new max score and the FrameIds in
        `state_rows` (frames zmc adds in PREALARM/ALARM/ALERT state, Type Normal).
        Queued rows are written, with `UPDATE Events SET Length, Frames, AlarmFrames, TotScore,
        AvgScore, MaxScore`, when zmc flushes: at once for frame 1, the first alarm frame and a new
        max score, else when more than 5 x fps rows are queued; `flush=True` writes the rest too."""
        if event.closed or event.deleted:
            raise ValueError(f"event {event.id} is closed")
        alarm = set(alarm or ())
        scores = dict(scores or {})
        state_rows = set(state_rows)
        for image in images:
            image = Path(image)
            event.frames += 1
            n = event.frames
            event.images.append(image)
            score = scores.get(n, FORCED_ALARM_SCORE if n in alarm else 0)
            if n in alarm and score <= 0:
                raise ValueError(f"alarm frame {n} needs a score > 0 (zmc: Type Alarm iff score > 0)")
            is_alarm = score > 0
            event.tot_score += score
            write_to_db = False
            data = None
            if event.save_jpegs & 1:
                data = image.read_bytes()
                event.capture_path(n).write_bytes(data)
            if n == 1 or score > event.max_score:
                write_to_db = True
                data = data or image.read_bytes()
                (event.path / "snapshot.jpg").write_bytes(data)
            if is_alarm:
                event.alarm_ids.add(n)
                if not event.alarm_written:
                    write_to_db = True
                    event.alarm_written = True
                    (event.path / "alarm.jpg").write_bytes(data or image.read_bytes())
                event.alarm_frames += 1
            db_frame = is_alarm or n == 1 or score > event.max_score or n in state_rows
            if score > event.max_score:
                event.max_score = score
            if event.video == "written":
                event.video = "open"
            if db_frame:
                t = event.frame_time(n)
                event.pending_rows.append((n, "Alarm" if is_alarm else "Normal", _sec(t),
                                           _trunc2((t - event.start).total_seconds()), score))
                if write_to_db or len(event.pending_rows) >= MAX_DB_FRAMES or \
                        len(event.pending_rows) > FLUSH_SECONDS * event.fps:
                    self.flush_rows(event)
        if flush:
            self.flush_rows(event)
        self._advance_clock(event)
        return event

    def flush_rows(self, event):
        """zmc's WriteDbFrames plus the running UPDATE of the event's totals."""
        if event.pending_rows:
            rows = [(event.id, n, typ, ts, delta, score) for n, typ, ts, delta, score in event.pending_rows]
            with self.conn.cursor() as cur:
                cur.executemany("INSERT INTO `Frames` (`EventId`, `FrameId`, `Type`, `TimeStamp`, `Delta`, `Score`) "
                                "VALUES (%s, %s, %s, %s, %s, %s)", rows)
            event.row_ids += [r[0] for r in event.pending_rows]
            last_delta = event.pending_rows[-1][3]
            event.pending_rows = []
            self.execute("UPDATE Events SET Length = %s, Frames = %s, AlarmFrames = %s, TotScore = %s, "
                         "AvgScore = %s, MaxScore = %s WHERE Id = %s",
                         (last_delta, event.frames, event.alarm_frames, event.tot_score,
                          event.tot_score // event.alarm_frames if event.alarm_frames else 0,
                          event.max_score, event.id))

    def write_video(self, event):
        """`<Id>-video.mp4` from every frame so far: H.264 (libx264, yuv420p) in a fragmented MP4
        (frag_keyframe+empty_moov), 10 fps, GOP 10; decoded frame n is capture n. Then
        `UPDATE Events SET Videoed=1, DefaultVideo='<Id>-video.mp4'` (already done at open)."""
        if event.video in ("crashed", "zero-byte"):
            raise ValueError(f"event {event.id}: video is {event.video}")
        if not event.images:
            raise ValueError(f"event {event.id} has no frames")
        encode_mp4(event.images, event.video_path, event.fps)
        if event.video == "none":
            self.execute("UPDATE Events SET Videoed=1, DefaultVideo = %s WHERE Id=%s", (event.video_name, event.id))
        event.video = "written"
        return event.video_path

    def close_event(self, event, end=None, late_rows=0):
        """zmc closing an event: the MP4 is finished first (written if frames were added since the
        last write_video), then the queued Frames rows, then
        `UPDATE Events SET Name='<EventPrefix><Id>', EndDateTime, Length, Frames, AlarmFrames,
        TotScore, AvgScore, MaxScore WHERE Id=? AND Name='New Event'`.
        `end` defaults to the last frame's time. `late_rows=k` holds the last k queued rows back
        (zmc's dbQueue is asynchronous): add_late_frame_rows(event) writes them after the close."""
        if event.closed or event.deleted:
            raise ValueError(f"event {event.id} is already closed or deleted")
        if event.video == "crashed":
            raise ValueError(f"event {event.id} crashed; zmc never closes it")
        if event.video == "open" and event.images:
            self.write_video(event)
        if late_rows:
            event.late_rows = event.pending_rows[-late_rows:]
            event.pending_rows = event.pending_rows[:-late_rows]
        self.flush_rows(event)
        end = end or event.last_time
        event.end = end
        self.execute(
            "UPDATE Events SET Name=%s, EndDateTime = %s, Length = %s, Frames = %s, AlarmFrames = %s, "
            "TotScore = %s, AvgScore = %s, MaxScore = %s WHERE Id = %s AND Name='New Event'",
            (f"{event.event_prefix}{event.id}", _sec(end), _trunc2((end - event.start).total_seconds()),
             event.frames, event.alarm_frames, event.tot_score,
             event.tot_score // event.alarm_frames if event.alarm_frames else 0, event.max_score, event.id))
        event.closed = True
        self.clock = max(self.clock, _sec(end) + dt.timedelta(seconds=2))
        return event

    def create_event(self, monitor_id, scheme=None, images=None, jpegs=True, video=True, alarm=None,
                     close=True, start=None, scores=None, storage_id=None, end=None, **open_kwargs):
        """open_event + write_frames + write_video + close_event. `images` default: 20 frames of
        obama.jpg. `alarm` default: like a forced alarm, 5 normal pre-event frames, alarm frames,
        5 normal post-event frames (all frames are alarm frames when there are 10 or fewer).
        video: True, False, 'crash' (crash_video, event left open) or 'zero-byte'."""
        images = list(images) if images is not None else frames_from(["obama.jpg"], 20)
        n = len(images)
        if alarm is None:
            alarm = set(range(6, n - 4)) if n > 10 else set(range(1, n + 1))
        open_video = video if video in ("zero-byte",) else bool(video)
        ev = self.open_event(monitor_id, scheme=scheme, storage_id=storage_id, start=start, jpegs=jpegs,
                             video=open_video, **open_kwargs)
        self.write_frames(ev, images, alarm=alarm, scores=scores)
        if video == "crash":
            self.crash_video(ev)
            return ev
        if ev.video == "open":
            self.write_video(ev)
        if close:
            self.close_event(ev, end=end)
        return ev

    # -- traps ---------------------------------------------------------------------------------------
    def crash_video(self, event):
        """zmc killed (-9) mid-event: the MP4 is only the 36-byte ftyp box of a fragmented MP4
        ('moov atom not found'), queued Frames rows are lost, and the event stays open forever
        (Name 'New Event', EndDateTime NULL, Frames as of the last flush). JPEGs already written stay."""
        if event.closed:
            raise ValueError(f"event {event.id} is closed")
        event.video_path.write_bytes(mp4_ftyp_box())
        if event.video == "none":
            self.execute("UPDATE Events SET Videoed=1, DefaultVideo = %s WHERE Id=%s", (event.video_name, event.id))
        event.video = "crashed"
        event.pending_rows = []
        return event.video_path

    def zero_byte_video(self, event):
        """VideoStore::open() failing (1.36.33 with an MPEG-TS source): a 0-byte `<Id>-video.mp4`,
        Videoed 0, DefaultVideo '', and zmc turns capture JPEGs on (`UPDATE Events SET SaveJpegs`)."""
        event.video_path.write_bytes(b"")
        self.execute("UPDATE Events SET Videoed=0, DefaultVideo='' WHERE Id=%s", (event.id,))
        if not event.save_jpegs & 1:
            event.save_jpegs |= 1
            self.execute("UPDATE Events SET SaveJpegs=%s WHERE Id=%s", (event.save_jpegs, event.id))
        event.video = "zero-byte"
        return event.video_path

    def delete_jpegs(self, event, frame_ids):
        """Removes `%05d-capture.jpg` of these FrameIds (rows stay)."""
        for n in frame_ids:
            event.capture_path(n).unlink(missing_ok=True)

    def delete_event(self, event, rows=True, files=True):
        """What zmfilter's PurgeWhenFull (Event.pm delete) does: Frames, Stats and Events rows in one
        transaction, then the directory (and the Deep `.<Id>` link). rows/files=False keeps that part."""
        if rows:
            self.conn.begin()
            try:
                self.execute("DELETE FROM Frames WHERE EventId=%s", (event.id,))
                self.execute("DELETE FROM Stats WHERE EventId=%s", (event.id,))
                self.execute("DELETE FROM Events WHERE Id=%s", (event.id,))
                self.conn.commit()
            except Exception:
                self.conn.rollback()
                raise
        if files:
            shutil.rmtree(event.path, ignore_errors=True)
            if event.scheme == "Deep":
                (event.path.parents[2] / f".{event.id}").unlink(missing_ok=True)
        event.deleted = True

    def add_late_frame_rows(self, event, frame_ids=None, type="Alarm", score=FORCED_ALARM_SCORE):
        """Frames rows that arrive after EndDateTime (zmc's asynchronous dbQueue): without
        `frame_ids`, the rows close_event(late_rows=k) held back; else new rows for these FrameIds
        with `type` and `score`. Events totals are not touched (the closing UPDATE came first)."""
        if frame_ids is None:
            rows = event.late_rows
            event.late_rows = []
        else:
            rows = []
            for n in frame_ids:
                t = event.frame_time(n)
                rows.append((n, type, _sec(t), _trunc2((t - event.start).total_seconds()), score))
        with self.conn.cursor() as cur:
            cur.executemany("INSERT INTO `Frames` (`EventId`, `FrameId`, `Type`, `TimeStamp`, `Delta`, `Score`) "
                            "VALUES (%s, %s, %s, %s, %s, %s)",
                            [(event.id, n, typ, ts, delta, sc) for n, typ, ts, delta, sc in rows])
        event.row_ids += [r[0] for r in rows]
        return [r[0] for r in rows]

    def add_stats(self, event, frame_ids, box, score=10):
        """What zmc writes for a Modect alarm frame with ZM_RECORD_EVENT_STATS: one Stats row per
        alarmed zone (here the monitor's 'All' zone) with the alarmed pixels' bounding box
        (MinX..MaxX, MinY..MaxY, inclusive). `box` is (top, right, bottom, left) with exclusive
        right/bottom, like zmface's boxes."""
        top, right, bottom, left = box
        zone = self.query("SELECT Id FROM Zones WHERE MonitorId=%s ORDER BY Id LIMIT 1", (event.monitor_id,))[0][0]
        for frame_id in frame_ids:
            self.execute("""INSERT INTO Stats SET MonitorId=%s, ZoneId=%s, EventId=%s, FrameId=%s, PixelDiff=30,
                            AlarmPixels=%s, FilterPixels=%s, BlobPixels=%s, Blobs=1, MinBlobSize=%s, MaxBlobSize=%s,
                            MinX=%s, MaxX=%s, MinY=%s, MaxY=%s, Score=%s""",
                         (event.monitor_id, zone, event.id, frame_id, (right - left) * (bottom - top),
                          (right - left) * (bottom - top), (right - left) * (bottom - top),
                          (right - left) * (bottom - top), (right - left) * (bottom - top),
                          left, right - 1, top, bottom - 1, score))

    def update_disk_space(self, event):
        """zmfilter's 'Update DiskSpace' filter: Events.DiskSpace = bytes under the event directory."""
        size = sum(p.stat().st_size for p in event.path.rglob("*") if p.is_file() and not p.is_symlink())
        self.execute("UPDATE Events SET DiskSpace=%s WHERE Id=%s", (size, event.id))
        return size


def encode_mp4(images, out, fps=10):
    """H.264 fragmented MP4 of these JPEG files, one video frame per image, GOP = fps."""
    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    g = str(int(fps))
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
           "-f", "image2pipe", "-framerate", str(fps), "-c:v", "mjpeg", "-i", "-",
           "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", g, "-keyint_min", g,
           "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-movflags", "frag_keyframe+empty_moov",
           "-f", "mp4", str(tmp)]
    data = b"".join(Path(i).read_bytes() for i in images)
    p = subprocess.run(cmd, input=data, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    tmp.replace(out)
    return out


_FTYP = None


def mp4_ftyp_box():
    """The ftyp box (36 bytes) at the start of an ffmpeg fragmented MP4."""
    global _FTYP
    if _FTYP is None:
        with tempfile.TemporaryDirectory() as d:
            mp4 = encode_mp4([frame_image("blank")], Path(d) / "x.mp4")
            data = mp4.read_bytes()
        size = int.from_bytes(data[:4], "big")
        if data[4:8] != b"ftyp" or size != MP4_FTYP_SIZE:
            raise RuntimeError(f"unexpected MP4 start {data[:8]!r} (ftyp size {size})")
        _FTYP = data[:size]
    return _FTYP



# ---------------------------------------------------------------------------------------------
# The PUB stream

class PubCounter(threading.Thread):
    """A SUB socket on zmface's PUB endpoint, on its own thread: counts messages by type, keeps the
    announced event ids (in order, repeats included) and the sessions, and counts gaps in the
    numbering within a session (a subscriber's first message of a session is never a gap)."""

    def __init__(self, endpoint):
        super().__init__(daemon=True)
        self.socket = zmq.Context.instance().socket(zmq.SUB)
        self.socket.setsockopt(zmq.SUBSCRIBE, b"")
        self.socket.setsockopt(zmq.RCVTIMEO, 200)
        self.socket.connect(endpoint)
        self.count = 0
        self.by_type = {}
        self.announced = []
        self.last_seq = {}
        self.gaps = 0
        self.running = True

    def run(self):
        while self.running:
            try:
                _, body = self.socket.recv_multipart()
            except zmq.Again:
                continue
            m = json.loads(body)
            self.count += 1
            self.by_type[m["type"]] = self.by_type.get(m["type"], 0) + 1
            if m["type"] == "event":
                self.announced.append(m["event"])
            last = self.last_seq.get(m["session"])
            if last is not None and m["seq"] != last + 1:
                self.gaps += 1
            self.last_seq[m["session"]] = m["seq"]
        self.socket.close()

    def stop(self):
        self.running = False
        self.join()
