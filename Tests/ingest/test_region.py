"""Scanning ZoneMinder's alarm region (`frames.region`): for frames with `Stats` alarm boxes,
ingestion looks for faces only in the box (widened by `frames.regionMargin`), and in the whole
frame when there is none. What must hold: a box around the face finds the same face and name as
the whole frame (boxes in frame pixels); a box away from the face finds nothing there (the scan is
really restricted); `frames.region: full` ignores the boxes."""

import json

from conftest import OBAMA
from zmfixture import frames_from
from zmface_run import ingest_once, rows, worker_json


def faces(pgurl, event):
    return rows(pgurl, """SELECT frame_id, name, box_top, box_right, box_bottom, box_left FROM detections
                          WHERE event_id=%s ORDER BY frame_id, face_index""", (event.id,))


def with_region(path, region):
    config = json.loads(path.read_text())
    config["frames"]["region"] = region
    path.write_text(json.dumps(config))
    return path


def test_the_alarm_box_is_scanned_instead_of_the_whole_frame(zm, pgurl, postgres, tmp_path, hostile_model):
    zm.add_monitor(1, "Front", function="Modect")
    images = frames_from(["obama.jpg"], 6)
    whole = zm.create_event(1, "Medium", images, alarm=set(range(1, 7)))
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model)
    ingest_once(config)
    reference = faces(pgurl, whole)
    assert len(reference) == 6 and all(name == OBAMA for _, name, *_ in reference), reference
    _, _, top, right, bottom, left = reference[0]

    around = zm.create_event(1, "Medium", images, alarm=set(range(1, 7)))
    zm.add_stats(around, range(1, 7), (top, right, bottom, left))
    # Motion in a corner the face is not in: a restricted scan cannot find it.
    elsewhere = zm.create_event(1, "Medium", images, alarm=set(range(1, 7)))
    corner = (0, 120, 60, 0) if left > 200 else (400, 640, 480, 520)
    zm.add_stats(elsewhere, range(1, 7), corner)
    ingest_once(config)

    found = faces(pgurl, around)
    assert [f[1] for f in found] == [OBAMA] * 6, found
    for (_, _, *box), (_, _, *expected) in zip(found, reference):
        assert all(abs(a - b) <= 8 for a, b in zip(box, expected)), (box, expected)
    assert faces(pgurl, elsewhere) == [], "the face lies outside the scanned region"
    assert rows(pgurl, "SELECT count(*) FROM frames WHERE event_id=%s AND error IS NULL", (elsewhere.id,))[0][0] == 6

    full_url = postgres.fresh_database()
    ingest_once(with_region(worker_json(zm, full_url, tmp_path, model=hostile_model), "full"))
    assert [f[1] for f in faces(full_url, elsewhere)] == [OBAMA] * 6, "region full ignores the boxes"
