"""The fixtures write what ZoneMinder 1.36 writes (/work/shared/reference/zoneminder.md sections 2-4),
checked the way a consumer would see it: through the read-only zmface account, the files on disk,
ffprobe and ffmpeg."""

import datetime as dt
import json
import os
import subprocess
import time
from pathlib import Path

import psycopg
import pymysql
import pytest
from PIL import Image

from zmfixture import MP4_FTYP_SIZE, frames_from, relative_event_path


def consumer_row(zm, sql, args=None):
    with zm.consumer() as c, c.cursor(pymysql.cursors.DictCursor) as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def ffprobe_frames(path):
    p = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                        "-show_entries", "stream=codec_name,pix_fmt,width,height,nb_read_frames",
                        "-of", "json", str(path)], capture_output=True, text=True)
    return p.returncode, (json.loads(p.stdout)["streams"] if p.returncode == 0 else p.stderr)


def top_level_boxes(path):
    data = Path(path).read_bytes()
    boxes, i = [], 0
    while i + 8 <= len(data):
        size = int.from_bytes(data[i:i + 4], "big")
        boxes.append(data[i + 4:i + 8].decode("latin-1"))
        if size < 8:
            break
        i += size
    return boxes


@pytest.mark.parametrize("scheme", ["Deep", "Medium", "Shallow"])
def test_event_directory_follows_the_scheme_in_local_time(zm, scheme):
    zm.add_monitor(1, "Front")
    zm.add_monitor(7, "Back")
    start = dt.datetime(2026, 3, 9, 23, 59, 58, 400000)  # crosses midnight while recording
    ev = zm.create_event(7, scheme, frames_from(["blank", "obama.jpg"], 30), start=start)

    # What a consumer reads: the scheme from the event row, the root from Storage.
    row, = consumer_row(zm, "SELECT e.Id, e.MonitorId, e.Scheme, e.StartDateTime, e.EndDateTime, e.Frames, "
                            "e.Name, s.Path FROM Events e JOIN Storage s ON s.Id = e.StorageId")
    assert row["Scheme"] == scheme and row["Name"] == f"Event-{ev.id}"
    assert row["StartDateTime"] == dt.datetime(2026, 3, 9, 23, 59, 58)
    assert row["EndDateTime"] == dt.datetime(2026, 3, 10, 0, 0, 1)   # frame 30 at +2.9 s
    assert row["Path"] == str(zm.storage_root)
    expected = {
        "Deep": f"{row['Path']}/7/26/03/09/23/59/58",
        "Medium": f"{row['Path']}/7/2026-03-09/{ev.id}",
        "Shallow": f"{row['Path']}/7/{ev.id}",
    }[scheme]
    assert str(ev.path) == expected and Path(expected).is_dir()
    assert relative_event_path(scheme, 7, ev.id, row["StartDateTime"]) == ev.relative_path

    captures = sorted(p.name for p in Path(expected).glob("*-capture.jpg"))
    assert captures == [f"{n:05d}-capture.jpg" for n in range(1, row["Frames"] + 1)]
    with Image.open(Path(expected) / "00002-capture.jpg") as im:
        assert (im.format, im.size) == ("JPEG", (640, 480))
    assert (Path(expected) / "snapshot.jpg").is_file() and (Path(expected) / "alarm.jpg").is_file()
    assert (Path(expected) / f"{ev.id}-video.mp4").stat().st_size > 1000

    link = Path(row["Path"]) / "7/26/03/09" / f".{ev.id}"
    if scheme == "Deep":
        assert link.is_symlink() and os.readlink(link) == "23/59/58"
        assert link.resolve() == Path(expected).resolve()
    else:
        assert not link.exists()
    assert (Path(expected) / f".{ev.id}").is_file() == (scheme == "Shallow")


def test_start_datetime_is_the_servers_local_time(zm):
    # zmc writes from_unixtime(start): the server's zone. The fixture writes the naive local time,
    # which is the same only if mariadbd runs in the test's zone; check that it does.
    zm.add_monitor(1, "Front")
    start = dt.datetime.now().replace(microsecond=0)
    ev = zm.create_event(1, "Medium", frames_from(["blank"], 3), start=start)
    (unix,), = zm.query("SELECT UNIX_TIMESTAMP(StartDateTime) FROM Events WHERE Id=%s", (ev.id,))
    assert int(unix) == int(time.mktime(start.timetuple()))


def test_real_schema_and_its_triggers(zm):
    zm.add_monitor(1, "Front")
    names = {r[0] for r in zm.query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA=%s",
                                     (zm.dbname,))}
    assert {"Events", "Frames", "Monitors", "Storage", "Events_Hour", "Event_Summaries", "Config",
            "Monitor_Status", "Zones", "Stats"} <= names
    triggers = {r[0] for r in zm.query("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS "
                                       "WHERE TRIGGER_SCHEMA=%s", (zm.dbname,))}
    assert {"event_insert_trigger", "event_update_trigger", "event_delete_trigger", "Zone_Insert_Trigger"} <= triggers
    (version,), = zm.query("SELECT Value FROM Config WHERE Name='ZM_DYN_DB_VERSION'")
    assert version.startswith("1.36.")

    a = zm.create_event(1, "Medium", frames_from(["obama.jpg"], 12))
    b = zm.create_event(1, "Medium", frames_from(["biden.jpg"], 12))
    for table in ("Events_Hour", "Events_Day", "Events_Week", "Events_Month"):
        rows = zm.query(f"SELECT EventId, MonitorId FROM {table} ORDER BY EventId")
        assert rows == ((a.id, 1), (b.id, 1)), table
    assert zm.query("SELECT TotalEvents, HourEvents FROM Event_Summaries WHERE MonitorId=1") == ((2, 2),)
    assert zm.query("SELECT ZoneCount FROM Monitors WHERE Id=1") == ((1,),)   # Zone_Insert_Trigger

    size = zm.update_disk_space(a)
    assert zm.query("SELECT DiskSpace FROM Events_Hour WHERE EventId=%s", (a.id,)) == ((size,),)
    assert zm.query("SELECT DiskSpace FROM Storage WHERE Id=1") == ((size,),)

    zm.delete_event(a)   # PurgeWhenFull: rows and files
    assert not a.path.exists()
    assert zm.query("SELECT COUNT(*) FROM Frames WHERE EventId=%s", (a.id,)) == ((0,),)
    assert zm.query("SELECT EventId FROM Events_Hour") == ((b.id,),)
    assert zm.query("SELECT TotalEvents FROM Event_Summaries WHERE MonitorId=1") == ((1,),)


def test_video_has_one_frame_per_capture_in_order(zm):
    zm.add_monitor(1, "Front")
    photos = ["blank", "obama.jpg", "biden.jpg"]
    ev = zm.create_event(1, "Deep", frames_from(photos, 23))
    row = zm.row(ev)
    assert (row["Videoed"], row["DefaultVideo"]) == (1, f"{ev.id}-video.mp4")
    video = ev.path / row["DefaultVideo"]
    rc, streams = ffprobe_frames(video)
    assert rc == 0, streams
    assert streams == [{"codec_name": "h264", "width": 640, "height": 480, "pix_fmt": "yuv420p",
                        "nb_read_frames": str(row["Frames"])}]
    assert row["Frames"] == 23
    boxes = top_level_boxes(video)
    assert boxes[:2] == ["ftyp", "moov"] and boxes.count("moof") >= 3, boxes   # fragmented, GOP 10

    # Decoded frame n is capture n: nearest of the three source pictures, on 64x48 greyscale.
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-vf", "scale=64:48", "-f", "rawvideo",
                          "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    assert len(raw) == 23 * 64 * 48
    refs = []
    for n in (1, 2, 3):
        with Image.open(ev.capture_path(n)) as im:
            refs.append(im.convert("L").resize((64, 48), Image.BILINEAR).tobytes())
    for i in range(23):
        got = raw[i * 3072:(i + 1) * 3072]
        dist = [sum(abs(a - b) for a, b in zip(got, ref)) for ref in refs]
        assert dist.index(min(dist)) == i % 3, (i + 1, dist)


def test_frames_rows_where_zmc_writes_them(zm):
    zm.add_monitor(1, "Front")
    ev = zm.create_event(1, "Medium", frames_from(["obama.jpg"], 30), alarm=set(range(6, 26)))
    rows = zm.frame_rows(ev)
    assert [r["FrameId"] for r in rows] == [1] + list(range(6, 26))
    assert rows[0]["Type"] == "Normal" and rows[0]["Score"] == 0 and rows[0]["Delta"] == 0
    assert {r["Type"] for r in rows[1:]} == {"Alarm"} and {r["Score"] for r in rows[1:]} == {255}
    assert str(rows[-1]["Delta"]) == "2.40"          # frame 25 at 10 fps
    assert rows[-1]["TimeStamp"] == (ev.start + dt.timedelta(seconds=2.4)).replace(microsecond=0)
    row = zm.row(ev)
    assert (row["Frames"], row["AlarmFrames"], row["TotScore"], row["AvgScore"], row["MaxScore"]) == \
        (30, 20, 20 * 255, 255, 255)
    assert str(row["Length"]) == "2.90"
    assert len(rows) < row["Frames"]   # enumerate frames with Events.Frames, not Frames rows


def test_open_event_lags_and_late_rows_arrive_after_the_close(zm):
    zm.add_monitor(1, "Front")
    ev = zm.open_event(1)
    zm.write_frames(ev, frames_from(["obama.jpg"], 20), alarm=set(range(3, 21)))
    row = zm.row(ev)
    assert (row["Name"], row["EndDateTime"], row["DefaultVideo"]) == ("New Event", None, f"{ev.id}-video.mp4")
    assert row["Frames"] == 3          # flushed at the first alarm frame; 20 JPEGs are on disk
    assert len(list(ev.path.glob("*-capture.jpg"))) == 20

    zm.close_event(ev, late_rows=4)
    row = zm.row(ev)
    assert row["Name"] == f"Event-{ev.id}" and row["EndDateTime"] is not None and row["Frames"] == 20
    assert len(zm.frame_rows(ev)) == 15
    assert zm.add_late_frame_rows(ev) == [17, 18, 19, 20]
    assert [r["FrameId"] for r in zm.frame_rows(ev)] == [1] + list(range(3, 21))


def test_crashed_zmc_leaves_a_36_byte_mp4_and_an_open_event(zm):
    zm.add_monitor(1, "Front")
    ev = zm.create_event(1, "Shallow", frames_from(["obama.jpg"], 25), video="crash")
    assert ev.video_path.stat().st_size == MP4_FTYP_SIZE == 36
    assert ev.video_path.read_bytes()[4:8] == b"ftyp"
    rc, err = ffprobe_frames(ev.video_path)
    assert rc != 0 and "moov atom not found" in err
    row = zm.row(ev)
    assert (row["Name"], row["EndDateTime"], row["Videoed"]) == ("New Event", None, 1)
    assert row["Frames"] < 25 == len(list(ev.path.glob("*-capture.jpg")))


def test_zero_byte_video_turns_jpegs_on(zm):
    zm.add_monitor(1, "Front", save_jpegs=0)
    ev = zm.create_event(1, "Medium", frames_from(["biden.jpg"], 12), jpegs=False, video="zero-byte")
    row = zm.row(ev)
    assert ev.video_path.stat().st_size == 0
    assert (row["Videoed"], row["DefaultVideo"], row["SaveJPEGs"] & 1) == (0, "", 1)
    assert len(list(ev.path.glob("*-capture.jpg"))) == row["Frames"] == 12


def test_video_only_event_and_deleted_jpegs(zm):
    zm.add_monitor(1, "Front", save_jpegs=0)
    ev = zm.create_event(1, "Medium", frames_from(["obama.jpg"], 12))
    assert zm.row(ev)["SaveJPEGs"] == 1   # create_event(jpegs=True) is the default
    ev2 = zm.create_event(1, "Medium", frames_from(["obama.jpg"], 12), jpegs=False)
    assert zm.row(ev2)["SaveJPEGs"] == 0
    assert not list(ev2.path.glob("*-capture.jpg")) and (ev2.path / "snapshot.jpg").exists()
    assert ffprobe_frames(ev2.video_path)[1][0]["nb_read_frames"] == "12"
    zm.delete_jpegs(ev, [2, 3])
    assert not ev.capture_path(2).exists() and ev.capture_path(4).exists()
    zm.delete_event(ev2, rows=False)
    assert not ev2.path.exists() and zm.row(ev2) is not None


def test_consumer_can_select_but_not_write(zm, mariadb):
    zm.add_monitor(1, "Front")
    zm.create_event(1, "Medium", frames_from(["obama.jpg"], 5))
    with zm.consumer() as c, c.cursor() as cur:
        cur.execute("SELECT CURRENT_USER()")
        assert cur.fetchone() == ("zmface@127.0.0.1",)
        cur.execute("SELECT COUNT(*) FROM Events")
        assert cur.fetchone() == (1,)
        for sql in ("INSERT INTO Storage (Path) VALUES ('/x')", "UPDATE Events SET Name='x'",
                    "DELETE FROM Frames", "CREATE TABLE t (i int)"):
            with pytest.raises(pymysql.err.OperationalError) as e:
                cur.execute(sql)
            assert e.value.args[0] == 1142, sql   # command denied
    # over the socket too ('zmface'@'localhost')
    with pymysql.connect(unix_socket=zm.config["socket"], user="zmface", password="zmface",
                         database=zm.config["name"]) as c, c.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM Frames")
        assert cur.fetchone()[0] > 0
    other = mariadb.new_zm_database()
    with pymysql.connect(host="127.0.0.1", port=mariadb.port, user="zmface", password="zmface",
                         database=other["name"]) as c, c.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM Events")
        assert cur.fetchone() == (0,)


def test_mariadb_restart_keeps_the_zm_database(zm, mariadb):
    zm.add_monitor(1, "Front")
    ev = zm.create_event(1, "Medium", frames_from(["obama.jpg"], 5))
    zm.conn.close()
    mariadb.restart()
    zm.conn = mariadb.root(zm.dbname)
    assert zm.row(ev)["Name"] == f"Event-{ev.id}"


def test_postgres_stop_start_keeps_data(postgres, pgurl):
    with psycopg.connect(pgurl, autocommit=True) as c:
        c.execute("CREATE TABLE faces (event_id bigint, frame_id int, PRIMARY KEY (event_id, frame_id))")
        c.execute("INSERT INTO faces VALUES (1, 7), (2, 9)")
    postgres.stop()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(pgurl, connect_timeout=2).close()
    postgres.start()
    assert postgres.query("SELECT * FROM faces ORDER BY event_id", url=pgurl) == [(1, 7), (2, 9)]
    postgres.restart()
    assert postgres.query("SELECT count(*) FROM faces", url=pgurl) == [(2,)]
    assert postgres.query("SELECT current_user, current_database()") == [("zmface", "zmface")]


def test_postgres_databases_are_fresh_and_owned_by_zmface(postgres, pgurl):
    other = postgres.fresh_database()
    assert other != pgurl
    assert postgres.query("SELECT count(*) FROM pg_tables WHERE schemaname='public'", url=other) == [(0,)]
    assert postgres.query("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname=current_database()",
                          url=other) == [("zmface",)]


def test_second_storage_and_a_scheme_change_affects_only_new_events(zm):
    zm.add_storage(2, "second", "Deep")
    zm.add_monitor(1, "Front", storage_id=2)
    old = zm.create_event(1, images=frames_from(["obama.jpg"], 5))
    zm.set_storage_scheme(2, "Shallow")
    new = zm.create_event(1, images=frames_from(["obama.jpg"], 5))
    rows = consumer_row(zm, "SELECT e.Id, e.Scheme, e.StartDateTime, s.Path FROM Events e "
                            "JOIN Storage s ON s.Id = e.StorageId ORDER BY e.Id")
    assert [(r["Id"], r["Scheme"]) for r in rows] == [(old.id, "Deep"), (new.id, "Shallow")]
    for r, ev in zip(rows, (old, new)):
        assert r["Path"] == str(zm.storage_root / "second")
        path = Path(r["Path"]) / relative_event_path(r["Scheme"], 1, r["Id"], r["StartDateTime"])
        assert path == ev.path and (path / "00005-capture.jpg").is_file()


def test_killed_servers_recover_their_data(mariadb, postgres, zm, pgurl):
    zm.add_monitor(1, "Front")
    ev = zm.create_event(1, "Medium", frames_from(["obama.jpg"], 5))
    postgres.query("CREATE TABLE t (i int); INSERT INTO t VALUES (42)", url=pgurl)
    zm.conn.close()
    mariadb.kill()
    postgres.kill()
    with pytest.raises(pymysql.err.OperationalError):
        zm.consumer().close()
    mariadb.start()
    postgres.start()
    zm.conn = mariadb.root(zm.dbname)
    assert zm.row(ev)["Frames"] == 5
    assert postgres.query("SELECT i FROM t", url=pgurl) == [(42,)]
