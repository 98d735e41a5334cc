"""zmface ingesting ZoneMinder events end to end: the real binary, a MariaDB with ZoneMinder 1.36's
real schema, events written as zmc writes them (zmfixture.py), a trained classifier, PostgreSQL.
What must hold: every selected frame of every finished event gets its results exactly once, the
cursor never passes uncommitted work, every trap of zoneminder.md is handled without losing the
events around it."""

import os
import signal
import time

import pytest

from conftest import BIDEN, OBAMA
from zmfixture import frames_from
from zmface_run import Running, ingest_once, rows, wait_until, worker_json


def frame_ids(pgurl, event_id):
    return [r[0] for r in rows(pgurl, "SELECT frame_id FROM frames WHERE event_id=%s ORDER BY frame_id", (event_id,))]


def names_by_frame(pgurl, event_id):
    result = {}
    for frame, name in rows(pgurl, "SELECT frame_id, name FROM detections WHERE event_id=%s ORDER BY frame_id, face_index",
                            (event_id,)):
        result.setdefault(frame, []).append(name)
    return result


def assert_no_duplicates(pgurl):
    for table, key in (("frames", "event_id, frame_id"), ("detections", "event_id, frame_id, face_index")):
        dup = rows(pgurl, f"SELECT {key}, count(*) FROM {table} GROUP BY {key} HAVING count(*) > 1")
        assert dup == [], f"duplicated {table} rows: {dup}"


@pytest.mark.parametrize("scheme", ["Deep", "Medium", "Shallow"])
def test_every_scheme_and_frame_source_is_read_and_recognised(zm, pgurl, tmp_path, hostile_model, scheme):
    """JPEG-only, video-only and JPEG+video events under each scheme: the alarm frames are read (from
    the JPEGs, or the n-th decoded video frame), the faces named, each frame stored once, and a
    second pass stores nothing new."""
    zm.add_monitor(1, "Front")
    images = frames_from(["blank"] * 5 + ["obama.jpg"] * 6 + ["biden.jpg"] * 4 + ["blank"] * 5, 20)
    events = {
        "jpeg": zm.create_event(1, scheme, images, jpegs=True, video=False),
        "video": zm.create_event(1, scheme, images, jpegs=False, video=True),
        "both": zm.create_event(1, scheme, images, jpegs=True, video=True),
    }
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model)
    ingest_once(config)
    for kind, ev in events.items():
        assert frame_ids(pgurl, ev.id) == sorted(ev.alarm_ids), kind
        names = names_by_frame(pgurl, ev.id)
        assert all(names.get(n) == [OBAMA] for n in range(6, 12)), (kind, names)
        assert all(names.get(n) == [BIDEN] for n in range(12, 16)), (kind, names)
        outcome, selected, faces, runs = rows(
            pgurl, "SELECT outcome, frames_selected, faces, runs FROM events WHERE event_id=%s", (ev.id,))[0]
        assert (outcome, selected, faces, runs) == ("processed", 10, 10, 1), kind
    # The summary agrees with the detections it summarises.
    for person, frames_seen, count in rows(pgurl, """
            SELECT s.person, s.frames_seen, (SELECT count(DISTINCT frame_id) FROM detections d
                WHERE d.event_id = s.event_id AND d.person = s.person) FROM event_summaries s"""):
        assert frames_seen == count, person
    assert sorted({r[0] for r in rows(pgurl, "SELECT name FROM event_summaries")}) == sorted([OBAMA, BIDEN])
    # The event decision: both people, named in every one of their frames, were seen in each event.
    for name, seen, agreeing, contradicting, confidence in rows(
            pgurl, "SELECT name, seen, agreeing_frames, contradicting_frames, seen_confidence FROM event_summaries"):
        assert seen is True and agreeing == (6 if name == OBAMA else 4) and contradicting == 0, name
        assert 0.5 < confidence <= 1, (name, confidence)
    assert rows(pgurl, "SELECT low_watermark FROM ingest_cursor")[0][0] == max(e.id for e in events.values()) + 1

    before = rows(pgurl, "SELECT count(*) FROM detections")[0][0]
    ingest_once(config)
    assert rows(pgurl, "SELECT count(*) FROM detections")[0][0] == before
    assert rows(pgurl, "SELECT max(runs) FROM events")[0][0] == 1
    assert_no_duplicates(pgurl)


def test_zoneminder_traps_are_handled_and_nothing_else_is_lost(zm, pgurl, tmp_path, hostile_model):
    """The traps of zoneminder.md, each next to a normal event: a 36-byte MP4 left by a crash (event
    never closed, later abandoned), a 0-byte video with DefaultVideo '', missing JPEGs, an event whose
    folder was deleted, an event deleted entirely, and an event that is still open."""
    zm.add_monitor(1, "Front")
    zm.add_monitor(2, "Back")
    obama = frames_from(["obama.jpg"], 10)
    crashed = zm.create_event(1, "Medium", obama, jpegs=True, video="crash")         # JPEGs survive the crash
    crashed_video_only = zm.create_event(2, "Medium", obama, jpegs=False, video="crash")  # nothing readable
    zero = zm.create_event(1, "Medium", obama, jpegs=False, video="zero-byte")      # zmc turned JPEGs on
    missing = zm.create_event(1, "Medium", obama, jpegs=True, video=True)
    zm.delete_jpegs(missing, [3, 4])                                                 # read from the video instead
    missing_no_video = zm.create_event(1, "Medium", obama, jpegs=True, video=False)
    zm.delete_jpegs(missing_no_video, [5])
    folder_gone = zm.create_event(1, "Medium", obama)
    zm.delete_event(folder_gone, rows=False, files=True)
    purged = zm.create_event(1, "Medium", obama)
    zm.delete_event(purged)
    normal = zm.create_event(2, "Medium", obama)
    still_open = zm.create_event(1, "Medium", obama, close=False)                    # no newer event on monitor 1... yet
    last = zm.create_event(2, "Medium", obama)

    config = worker_json(zm, pgurl, tmp_path, model=hostile_model)
    p = ingest_once(config)
    outcomes = dict(rows(pgurl, "SELECT event_id, outcome FROM events"))
    assert outcomes[crashed.id] == "processed"
    assert outcomes[crashed_video_only.id] == "skipped"
    assert outcomes[zero.id] == "processed"
    assert outcomes[missing.id] == "processed"
    assert outcomes[missing_no_video.id] == "processed"
    assert outcomes[folder_gone.id] == "deleted"
    assert purged.id not in outcomes
    assert outcomes[normal.id] == "processed" and outcomes[last.id] == "processed"
    assert still_open.id not in outcomes
    # The crashed event's JPEGs were read; its broken video was never needed.
    assert names_by_frame(pgurl, crashed.id) == {n: [OBAMA] for n in range(1, 11)}
    # Frames 3 and 4 came from the video; frame 5 has neither and says so, the others are fine.
    assert names_by_frame(pgurl, missing.id) == {n: [OBAMA] for n in range(1, 11)}
    errors = dict(rows(pgurl, "SELECT frame_id, error FROM frames WHERE event_id=%s AND error IS NOT NULL",
                       (missing_no_video.id,)))
    assert list(errors) == [5] and "no capture JPEG and no video" in errors[5]
    assert "moov" in rows(pgurl, "SELECT reason FROM events WHERE event_id=%s", (crashed_video_only.id,))[0][0] \
        or "Invalid data" in rows(pgurl, "SELECT reason FROM events WHERE event_id=%s", (crashed_video_only.id,))[0][0]
    # The open event holds the cursor; events after it were handled all the same.
    assert rows(pgurl, "SELECT low_watermark FROM ingest_cursor")[0][0] == still_open.id
    assert "frame unreadable" in p.stderr

    # The open event closes later: the next pass handles it and the cursor moves past everything.
    zm.close_event(still_open)
    ingest_once(config)
    assert names_by_frame(pgurl, still_open.id) == {n: [OBAMA] for n in range(1, 11)}
    assert rows(pgurl, "SELECT low_watermark FROM ingest_cursor")[0][0] == last.id + 1
    assert_no_duplicates(pgurl)


def test_late_frames_rows_are_waited_for(zm, pgurl, tmp_path, hostile_model):
    """zmc sets EndDateTime before its last Frames batch: rows that arrive a moment after the close
    are still read, because a closed event settles before it is processed."""
    import datetime as dt
    zm.add_monitor(1, "Front")
    ev = zm.create_event(1, "Shallow", frames_from(["obama.jpg"], 10), close=False, start=dt.datetime.now())
    zm.close_event(ev, end=dt.datetime.now(), late_rows=3)
    held_back = [r[0] for r in ev.late_rows]
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model, settleSeconds=3)
    server = Running(config, tmp_path)
    try:
        time.sleep(1)
        zm.add_late_frame_rows(ev)
        wait_until(lambda: rows(pgurl, "SELECT 1 FROM events WHERE event_id=%s", (ev.id,)) if _has_tables(pgurl) else None,
                   what="the event to be committed")
    finally:
        assert server.stop() == 0
    assert set(held_back) <= set(frame_ids(pgurl, ev.id))
    assert frame_ids(pgurl, ev.id) == list(range(1, 11))


def _has_tables(pgurl):
    return rows(pgurl, "SELECT to_regclass('events') IS NOT NULL")[0][0]


def test_an_abandoned_event_is_finished_once_its_files_stop_changing(zm, pgurl, tmp_path, hostile_model):
    """A crashed zmc leaves an event open forever; once a newer event exists on the same monitor and
    the files are quiet for abandonSeconds, its JPEGs are processed and the cursor moves on."""
    zm.add_monitor(1, "Front")
    crashed = zm.create_event(1, "Deep", frames_from(["biden.jpg"], 8), jpegs=True, video="crash")
    newer = zm.create_event(1, "Deep", frames_from(["obama.jpg"], 8))
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model, abandonSeconds=30)
    ingest_once(config)  # files were written moments ago: the crashed event is not yet abandoned
    assert rows(pgurl, "SELECT event_id FROM events") == [(newer.id,)]
    assert rows(pgurl, "SELECT low_watermark FROM ingest_cursor")[0][0] == crashed.id
    # Age the folder instead of sleeping: its files stopped changing a minute ago.
    old = time.time() - 60
    for path in [crashed.path, *crashed.path.iterdir()]:
        os.utime(path, (old, old), follow_symlinks=False)
    ingest_once(config)
    assert names_by_frame(pgurl, crashed.id) == {n: [BIDEN] for n in range(1, 9)}
    assert rows(pgurl, "SELECT low_watermark FROM ingest_cursor")[0][0] == newer.id + 1


def test_sigkill_mid_batch_then_restart_stores_every_frame_exactly_once(zm, pgurl, tmp_path, hostile_model):
    """SIGKILL while events are being processed, then a restart: every selected frame of every
    event has its results exactly once, and no event was committed twice."""
    zm.add_monitor(1, "Front")
    events = [zm.create_event(1, "Medium", frames_from(["obama.jpg", "blank"], 12), alarm=set(range(1, 13)))
              for _ in range(8)]
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model)
    server = Running(config, tmp_path)
    # Committed rows, not the log: "event processed" is logged before the commit.
    wait_until(lambda: _has_tables(pgurl) and len(rows(pgurl, "SELECT 1 FROM events")) >= 2,
               what="two events committed")
    server.stop(signal.SIGKILL)
    done_before = len(rows(pgurl, "SELECT 1 FROM events"))
    assert 2 <= done_before < len(events), "the kill should land mid-stream"
    ingest_once(config)
    for ev in events:
        assert frame_ids(pgurl, ev.id) == list(range(1, 13))
        assert names_by_frame(pgurl, ev.id) == {n: [OBAMA] for n in range(1, 13, 2)}
    assert rows(pgurl, "SELECT max(runs) FROM events")[0][0] == 1
    assert_no_duplicates(pgurl)


def test_postgres_outage_pauses_and_resumes_without_loss(zm, pgurl, postgres, tmp_path, hostile_model):
    """PostgreSQL stopped for 30 s mid-stream: ingestion pauses (logged), then resumes; every event
    arrives once."""
    zm.add_monitor(1, "Front")
    events = [zm.create_event(1, "Shallow", frames_from(["obama.jpg"], 6)) for _ in range(3)]
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model)
    server = Running(config, tmp_path)
    try:
        server.wait_for("event processed", count=3)
        postgres.stop()
        more = [zm.create_event(1, "Shallow", frames_from(["biden.jpg"], 6)) for _ in range(3)]
        server.wait_for("PostgreSQL unavailable")
        time.sleep(30)
        postgres.start()
        server.wait_for("PostgreSQL reachable again", timeout=120)
        wait_until(lambda: len(rows(pgurl, "SELECT 1 FROM events")) == 6, what="all six events")
    finally:
        assert server.stop() == 0
    for ev in events:
        assert names_by_frame(pgurl, ev.id) == {n: [OBAMA] for n in range(1, 7)}
    for ev in more:
        assert names_by_frame(pgurl, ev.id) == {n: [BIDEN] for n in range(1, 7)}
    assert_no_duplicates(pgurl)


def test_sigterm_finishes_and_commits_the_event_in_hand(zm, pgurl, tmp_path, hostile_model):
    """SIGTERM mid-stream exits 0 after committing the event being processed; a restart continues
    where it stopped and nothing is repeated."""
    zm.add_monitor(1, "Front")
    events = [zm.create_event(1, "Medium", frames_from(["obama.jpg"], 10), alarm=set(range(1, 11)))
              for _ in range(6)]
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model)
    server = Running(config, tmp_path)
    server.wait_for("event processed", count=1)
    assert server.stop(signal.SIGTERM) == 0
    logged = server.output().count("event processed")
    assert len(rows(pgurl, "SELECT 1 FROM events")) == logged
    ingest_once(config)
    assert rows(pgurl, "SELECT count(*), max(runs) FROM events")[0] == (6, 1)
    assert_no_duplicates(pgurl)


def test_sigterm_during_database_outages_exits_promptly_and_loses_nothing(zm, mariadb, postgres, pgurl, tmp_path,
                                                                          hostile_model):
    """A shutdown never waits for a database to come back: SIGTERM while MariaDB is down (ingestion
    in its backoff), and while PostgreSQL is down with an event waiting to be committed, each exits 0
    within seconds. Once both are back, a restart stores every event exactly once."""
    zm.add_monitor(1, "Front")
    events = [zm.create_event(1, "Medium", frames_from(["obama.jpg"], 4))]
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model)
    server = Running(config, tmp_path)
    server.wait_for("event processed", count=1)
    mariadb.stop()
    try:
        server.wait_for("ZoneMinder database unavailable", count=4, timeout=60)  # a backoff of 4 s and more
        started = time.time()
        assert server.stop(timeout=60) == 0
        assert time.time() - started < 10, "SIGTERM during a MariaDB outage must not wait for it"
        assert "stopped during a database outage" in server.output()
    finally:
        mariadb.start()
        zm.conn = mariadb.root(zm.dbname)
        zm.conn.autocommit(True)

    server = Running(config, tmp_path)
    try:
        server.wait_for("ingesting ZoneMinder events")
        postgres.stop()
        events.append(zm.create_event(1, "Medium", frames_from(["biden.jpg"], 4)))
        server.wait_for("PostgreSQL unavailable; pipeline paused", timeout=120)
        time.sleep(3)
        started = time.time()
        assert server.stop(timeout=60) == 0
        assert time.time() - started < 10, "SIGTERM during a PostgreSQL outage must not wait for it"
    finally:
        postgres.start()
    ingest_once(config)
    assert names_by_frame(pgurl, events[0].id) == {n: [OBAMA] for n in range(1, 5)}
    assert names_by_frame(pgurl, events[1].id) == {n: [BIDEN] for n in range(1, 5)}
    assert rows(pgurl, "SELECT count(*), max(runs) FROM events")[0] == (2, 1)
    assert_no_duplicates(pgurl)


def test_backfill_replaces_rows_and_records_the_model(zm, pgurl, tmp_path, hostile_model):
    """`zmface backfill` re-processes a time range: rows are replaced, never duplicated, `runs`
    counts the passes, the live cursor does not move, and a monitor filter is honoured."""
    import subprocess
    from zmface_run import ROOT, ZMFACE
    zm.add_monitor(1, "Front")
    zm.add_monitor(2, "Back")
    first = zm.create_event(1, "Medium", frames_from(["obama.jpg"], 10))
    second = zm.create_event(2, "Medium", frames_from(["biden.jpg"], 10))
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model)
    ingest_once(config)
    detections = rows(pgurl, "SELECT count(*) FROM detections")[0][0]
    cursor = rows(pgurl, "SELECT low_watermark FROM ingest_cursor")[0][0]
    p = subprocess.run([str(ZMFACE), "backfill", "--config", str(config), "--since", "3d"],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert "backfill: 2/2 events" in p.stderr
    assert rows(pgurl, "SELECT count(*) FROM detections")[0][0] == detections
    assert dict(rows(pgurl, "SELECT event_id, runs FROM events")) == {first.id: 2, second.id: 2}
    p = subprocess.run([str(ZMFACE), "backfill", "--config", str(config), "--since", "3d", "--monitor", "2"],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert dict(rows(pgurl, "SELECT event_id, runs FROM events")) == {first.id: 2, second.id: 3}
    assert rows(pgurl, "SELECT low_watermark FROM ingest_cursor")[0][0] == cursor
    versions = {r[0] for r in rows(pgurl, "SELECT DISTINCT model_version FROM detections")}
    assert len(versions) == 1 and versions.pop().startswith("svm-")
    assert_no_duplicates(pgurl)


def test_monitor_filter_and_start_at_now(zm, pgurl, tmp_path, hostile_model):
    """`monitors` limits ingestion to the listed monitors; `startAt: now` skips what existed before
    the first start (backfill is for those) and handles what comes after."""
    zm.add_monitor(1, "Front")
    zm.add_monitor(2, "Back")
    old = zm.create_event(1, "Medium", frames_from(["obama.jpg"], 6))
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model, startAt="now", monitors=[1])
    ingest_once(config)
    assert rows(pgurl, "SELECT count(*) FROM events")[0][0] == 0
    other = zm.create_event(2, "Medium", frames_from(["obama.jpg"], 6))
    mine = zm.create_event(1, "Medium", frames_from(["obama.jpg"], 6))
    ingest_once(config)
    assert [r[0] for r in rows(pgurl, "SELECT event_id FROM events")] == [mine.id]
    assert old.id < mine.id and other.id < mine.id
