"""The labelling loop's data side with the real binary: face crops written beside the results,
unknown faces clustered across events, re-runs keeping the user's work, crop retention.

What must hold: every stored detection has its crop, a JPEG of at most 200 px in which `zmface
detect` finds the same face (encoding within 0.3 of the stored one); `keep: unknown` writes crops
only for faces the model did not name; photos of one unknown person spread over several events end
up in ONE cluster and a second unknown person's in another (real, different photos of two people
from the recognition set, which the model was not trained on); a backfill keeps labels and cluster
ids and rewrites the crops; retention deletes old unlabelled crops (rows and files) and keeps the
labelled ones."""

import json
import shutil
import subprocess

import psycopg
import pytest
from PIL import Image

from conftest import OBAMA, ROOT, ZMFACE
from zmfixture import CACHE, frames_from
from zmface_run import Running, ingest_once, rows, wait_until, worker_json

RECOGNITION_SET = CACHE / "recognition-set"


def with_faces(path, **faces):
    config = json.loads(path.read_text())
    config["faces"] = faces
    # The recognition set's photos are 150 px, scaled up 3.2 times into the frame: too soft for the
    # default focus gate, which would store them without an encoding (nothing to cluster).
    config["recognition"] = {"focusThreshold": 0}
    path.write_text(json.dumps(config))
    return path


def person_photos(tmp_path, person, numbers):
    """Photos of a person of the recognition set under unique names (the frame cache is by name)."""
    folder = RECOGNITION_SET / person
    if not folder.is_dir():
        pytest.fail(f"{folder} missing: run scripts/fetch-recognition-set")
    out = []
    for n in numbers:
        target = tmp_path / "photos" / f"faces-{person}-{n}.jpg"
        target.parent.mkdir(exist_ok=True)
        shutil.copy(folder / f"{n}.jpg", target)
        out.append(str(target))
    return out


def detect_encoding(path):
    p = subprocess.run([str(ZMFACE), "detect", str(path)], capture_output=True, text=True, cwd=ROOT, check=True)
    faces = json.loads(p.stdout)["faces"]
    assert len(faces) == 1, (path, faces)
    return faces[0]["encoding"]


def execute(pgurl, sql, params=None):
    with psycopg.connect(pgurl, autocommit=True) as conn:
        conn.execute(sql, params)


def count(pgurl, sql):
    """A count, or None before the server has made the schema."""
    try:
        return rows(pgurl, sql)[0][0]
    except psycopg.errors.UndefinedTable:
        return None


def distance(a, b):
    return sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5


def test_crops_are_jpegs_of_the_stored_faces_and_keep_unknown_writes_only_unknown(
        zm, pgurl, postgres, tmp_path, hostile_model):
    zm.add_monitor(1, "Front")
    stranger = person_photos(tmp_path, "John_Salley", [1, 2])
    images = frames_from(["obama.jpg", stranger[0], "obama.jpg", stranger[1]], 4)
    event = zm.create_event(1, "Medium", images, alarm={1, 2, 3, 4})
    crops = tmp_path / "crops"
    ingest_once(with_faces(worker_json(zm, pgurl, tmp_path, model=hostile_model), cropsPath=str(crops)))

    stored = rows(pgurl, """SELECT frame_id, face_index, name, crop, encoding::float8[] FROM detections
                            WHERE event_id = %s ORDER BY frame_id, face_index""", (event.id,))
    assert [(f, n) for f, _, n, _, _ in stored] == [(1, OBAMA), (2, None), (3, OBAMA), (4, None)], stored
    for frame, index, _, crop, encoding in stored:
        assert crop == f"{event.id}/{frame}-{index}.jpg"
        with Image.open(crops / crop) as im:
            assert im.format == "JPEG" and max(im.size) <= 200 and min(im.size) >= 40, (crop, im.size)
        assert encoding, f"frame {frame}: no encoding stored"
        assert distance(detect_encoding(crops / crop), encoding) < 0.3, f"{crop} is not the stored face"

    unknown_url = postgres.fresh_database()
    unknown_crops = tmp_path / "unknown-crops"
    ingest_once(with_faces(worker_json(zm, unknown_url, tmp_path, model=hostile_model),
                           cropsPath=str(unknown_crops), keep="unknown"))
    stored = rows(unknown_url, "SELECT frame_id, name, crop FROM detections ORDER BY frame_id")
    assert stored == [(1, OBAMA, None), (2, None, f"{event.id}/2-0.jpg"),
                      (3, OBAMA, None), (4, None, f"{event.id}/4-0.jpg")], stored
    assert sorted(p.name for p in (unknown_crops / str(event.id)).iterdir()) == ["2-0.jpg", "4-0.jpg"]


def test_unknown_people_cluster_across_events_backfill_keeps_labels_retention_keeps_labelled(
        zm, pgurl, tmp_path):
    zm.add_monitor(1, "Front")
    salley = person_photos(tmp_path, "John_Salley", range(1, 7))
    savage = person_photos(tmp_path, "John_Savage", range(1, 7))
    # Six events, each with two photos of one of the two people, alternating: nobody is seen three
    # times in one event, so only clustering across events can group them.
    events = {}
    for i in range(3):
        for person, photos in (("salley", salley), ("savage", savage)):
            ev = zm.create_event(1, "Medium", frames_from(photos[2 * i:2 * i + 2], 2), alarm={1, 2})
            events[ev.id] = person
    crops = tmp_path / "crops"
    config = with_faces(worker_json(zm, pgurl, tmp_path), cropsPath=str(crops),
                        cluster={"intervalSeconds": 0.5})
    server = Running(config, tmp_path)
    try:
        wait_until(lambda: count(pgurl, "SELECT count(*) FROM detections WHERE clustered") == 12,
                   what="all twelve faces clustered")
    finally:
        assert server.stop() == 0, server.output()
    assert "unknown faces clustered" in server.output()

    def clusters():
        return {(e, f): c for e, f, c in rows(pgurl, "SELECT event_id, frame_id, cluster_id FROM detections")}

    before = clusters()
    by_person = {p: {c for (e, _), c in before.items() if events[e] == p} for p in ("salley", "savage")}
    assert len(by_person["salley"]) == 1 and len(by_person["savage"]) == 1, by_person
    assert by_person["salley"] != by_person["savage"] and None not in by_person["salley"] | by_person["savage"]
    salley_cluster = next(iter(by_person["salley"]))
    assert rows(pgurl, """SELECT state, faces, first_seen <= last_seen, array_length(centroid, 1)
                          FROM face_clusters ORDER BY cluster_id""") == [("open", 6, True, 128)] * 2

    # The user names Salley's cluster; a backfill with the same model rewrites every row and crop.
    execute(pgurl, "UPDATE face_clusters SET state = 'named', name = 'salley' WHERE cluster_id = %s",
         (salley_cluster,))
    execute(pgurl, """UPDATE detections SET label = 'salley', label_kind = 'person', labelled_at = now()
                   WHERE cluster_id = %s""", (salley_cluster,))
    for crop, in rows(pgurl, "SELECT crop FROM detections"):
        (crops / crop).unlink()
    p = subprocess.run([str(ZMFACE), "backfill", "--config", str(config), "--since", "30d"],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert rows(pgurl, "SELECT DISTINCT runs FROM events") == [(2,)]
    assert clusters() == before, "cluster ids carried over to the re-written rows"
    labelled = rows(pgurl, "SELECT event_id, label, label_kind FROM detections WHERE label IS NOT NULL")
    assert sorted({events[e] for e, _, _ in labelled}) == ["salley"] and len(labelled) == 6
    assert all((crops / c).is_file() for c, in rows(pgurl, "SELECT crop FROM detections")), "crops rewritten"

    # `zmface cluster` recomputes the open clusters: Savage's keeps its id, the named one its faces.
    p = subprocess.run([str(ZMFACE), "cluster", "--config", str(config)], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert "open clusters 1 -> 1 (1 kept their id)" in p.stdout, p.stdout
    assert clusters() == before

    # Retention: unknown faces' crops older than 0 days go, the labelled (Salley's) stay.
    with_faces(config, cropsPath=str(crops), retention={"unknownDays": 0, "intervalSeconds": 1})
    server = Running(config, tmp_path)
    try:
        wait_until(lambda: count(pgurl, "SELECT count(*) FROM detections WHERE crop IS NOT NULL") == 6,
                   what="the unlabelled crops expired")
    finally:
        assert server.stop() == 0, server.output()
    kept = rows(pgurl, "SELECT event_id, crop FROM detections WHERE crop IS NOT NULL")
    assert {events[e] for e, _ in kept} == {"salley"}
    files = sorted(str(p.relative_to(crops)) for p in crops.rglob("*.jpg"))
    assert files == sorted(c for _, c in kept), "the expired crops' files are gone, the labelled ones' stay"
