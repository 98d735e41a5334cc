"""The faces page's REST API against the real binary and a real PostgreSQL: each route's answer
and errors, and that every change lands in the database as the design says."""

import pytest

OBAMA, BIDEN = "obama.jpg", "biden.jpg"


def open_cluster(seed, event_id, photos, state="open", name=None):
    """A cluster with one face per photo, all in event `event_id` (frames 1..n)."""
    cid = seed.cluster(state, name)
    ids = [seed.face(event_id, frame, 0, photo, cluster=cid) for frame, photo in enumerate(photos, start=1)]
    seed.refresh(cid)
    return cid, ids


def test_page_and_openapi_are_served(web):
    server = web()
    page = server.get("/")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert b"<html" in page.body.lower()
    spec = server.get("/api/openapi.yaml")
    assert spec.status == 200 and b"openapi: 3" in spec.body and b"/api/clusters/{id}/label" in spec.body
    assert server.get("/no-such-file.js").status == 404
    missing = server.get("/api/nothing")
    assert missing.status == 404 and "error" in missing.json()


def test_events_newest_first_with_people_and_paging(web, seed):
    for event_id in range(1, 8):
        seed.event(event_id, monitor_id=1 + event_id % 2, monitor_name=f"Cam {1 + event_id % 2}",
                   people=["obama"] if event_id % 3 == 0 else [], unknown=1)
        seed.face(event_id, 1, 0, OBAMA, name="obama" if event_id % 3 == 0 else None, probability=0.9)
    server = web()
    page = server.get("/api/events?limit=3").json()
    assert [e["id"] for e in page["events"]] == [7, 6, 5] and page["nextBefore"] == 5
    six = page["events"][1]
    assert six["people"][0]["name"] == "obama" and six["people"][0]["crop"] == "/crops/6/1-0.jpg"
    assert six["monitor"] == {"id": 1, "name": "Cam 1"} and six["unknown"] == 1
    assert six["zoneminderURL"] == "http://zm.example/zm/index.php?view=event&eid=6"
    assert page["events"][0]["people"] == [] and page["events"][0]["unknownFaces"][0]["crop"] == "/crops/7/1-0.jpg"
    rest = server.get("/api/events?before=5&limit=10").json()
    assert [e["id"] for e in rest["events"]] == [4, 3, 2, 1] and rest["nextBefore"] is None
    assert [e["id"] for e in server.get("/api/events?person=obama").json()["events"]] == [6, 3]
    assert [e["id"] for e in server.get("/api/events?monitor=2").json()["events"]] == [7, 5, 3, 1]
    # The cameras for the Recent filter: each monitor once, under its newest name, with its count.
    seed.event(8, monitor_id=2, monitor_name="Cam 2 renamed")
    cameras = server.get("/api/cameras").json()["cameras"]
    assert [(c["id"], c["name"], c["events"]) for c in cameras] == [(1, "Cam 1", 3), (2, "Cam 2 renamed", 5)]
    assert all(c["lastEvent"] for c in cameras)
    for bad in ("limit=0", "limit=x", "before=-1", "monitor=abc", "limit=100000"):
        answer = server.get(f"/api/events?{bad}")
        assert answer.status == 400 and "error" in answer.json(), bad
    crop = server.get("/crops/6/1-0.jpg")
    assert crop.status == 200 and crop.headers["Content-Type"] == "image/jpeg" and crop.body[:2] == b"\xff\xd8"


def test_clusters_list_faces_and_label(web, seed):
    seed.event(1, people=[], unknown=2)
    first, faces = open_cluster(seed, 1, [OBAMA, "obama2.jpg", "obama3.jpg"])
    seed.event(2, monitor_id=2, monitor_name="Garden")
    second, _ = open_cluster(seed, 2, [BIDEN, BIDEN])
    server = web()
    listing = server.get("/api/clusters").json()
    assert listing["total"] == 2 and [c["id"] for c in listing["clusters"]] == [second, first]
    one = listing["clusters"][1]
    assert one["faces"] == 3 and one["cameras"] == ["Front door"] and len(one["samples"]) == 3
    assert all(s["crop"].startswith("/crops/1/") for s in one["samples"])
    members = server.get(f"/api/clusters/{first}/faces").json()
    assert members["total"] == 3 and sorted(f["id"] for f in members["faces"]) == sorted(faces)
    assert server.get("/api/clusters/999999/faces").status == 404
    assert server.get("/api/clusters?state=bogus").status == 400

    named = server.post(f"/api/clusters/{first}/label", {"name": "Barack"})
    assert named.status == 200 and named.json()["faces"] == 3
    rows = seed.rows("SELECT label, label_kind FROM detections WHERE cluster_id = %s", (first,))
    assert rows == [("Barack", "person")] * 3
    assert seed.rows("SELECT state, name FROM face_clusters WHERE cluster_id = %s", (first,)) == [("named", "Barack")]
    assert [c["id"] for c in server.get("/api/clusters").json()["clusters"]] == [second]
    assert [c["id"] for c in server.get("/api/clusters?state=named").json()["clusters"]] == [first]
    people = {p["name"]: p for p in server.get("/api/people").json()["people"]}
    assert people["Barack"]["labelledFaces"] == 3 and people["Barack"]["clusters"] == 1
    assert len(people["Barack"]["recent"]) == 3


@pytest.mark.parametrize("name, status", [
    ("", 422), ("../etc", 422), ("a/b", 422), ("a\\b", 422), (".hidden", 422), ("Unknown", 422), ("x" * 65, 422),
    ("tab\tname", 422), ("bell\u0007", 422)])
def test_bad_names_are_refused_and_change_nothing(web, seed, name, status):
    seed.event(1)
    cid, _ = open_cluster(seed, 1, [OBAMA, "obama2.jpg"])
    server = web()
    answer = server.post(f"/api/clusters/{cid}/label", {"name": name})
    assert answer.status == status and answer.json()["error"]
    assert seed.rows("SELECT count(*) FROM detections WHERE label IS NOT NULL") == [(0,)]
    assert seed.rows("SELECT state FROM face_clusters") == [("open",)]


def test_bodies_must_be_json_of_the_right_shape(web, seed):
    seed.event(1)
    cid, _ = open_cluster(seed, 1, [OBAMA])
    server = web()
    assert server.post(f"/api/clusters/{cid}/label", raw=b"name=x", content_type="application/x-www-form-urlencoded").status == 415
    assert server.post(f"/api/clusters/{cid}/label", raw=b"{not json", content_type="application/json").status == 400
    assert server.post(f"/api/clusters/{cid}/label", {"nom": "x"}).status == 400
    assert server.post(f"/api/clusters/{cid}/label", {"name": 7}).status == 400
    assert server.post("/api/clusters/abc/label", {"name": "x"}).status == 404
    assert server.post("/api/clusters/424242/label", {"name": "x"}).status == 404


def test_merge_split_ignore_delete(web, seed):
    seed.event(1)
    a, a_faces = open_cluster(seed, 1, [OBAMA, "obama2.jpg"])
    seed.event(2)
    b, b_faces = open_cluster(seed, 2, ["obama3.jpg", BIDEN, BIDEN])
    server = web()
    merged = server.post("/api/clusters/merge", {"into": a, "from": [b]})
    assert merged.status == 200 and merged.json()["faces"] == 5
    assert seed.rows("SELECT cluster_id FROM face_clusters") == [(a,)]
    assert seed.rows("SELECT faces FROM face_clusters WHERE cluster_id = %s", (a,)) == [(5,)]
    centroid = seed.rows("SELECT cardinality(centroid) FROM face_clusters WHERE cluster_id = %s", (a,))
    assert centroid == [(128,)]
    assert server.post("/api/clusters/merge", {"into": a, "from": [b]}).status == 404
    assert server.post("/api/clusters/merge", {"into": a, "from": [a]}).status == 400
    assert server.post("/api/clusters/merge", {"into": a, "from": []}).status == 400

    bidens = [f for f in b_faces if f != b_faces[0]]
    split = server.post(f"/api/clusters/{a}/split", {"faces": bidens})
    assert split.status == 200
    new = split.json()["newCluster"]
    assert seed.rows("SELECT cluster_id, faces FROM face_clusters ORDER BY cluster_id") == [(a, 3), (new, 2)]
    assert server.post(f"/api/clusters/{a}/split", {"faces": bidens}).status == 409  # not in a any more
    assert server.post(f"/api/clusters/{a}/split", {"faces": ["nonsense"]}).status == 400
    assert server.post(f"/api/clusters/{a}/split", {"faces": a_faces + [b_faces[0]]}).status == 400  # all of it

    ignored = server.post(f"/api/clusters/{new}/ignore")
    assert ignored.status == 200
    assert seed.rows("SELECT DISTINCT label, label_kind FROM detections WHERE cluster_id = %s", (new,)) == [
        (None, "stranger")]
    assert server.get("/api/clusters?state=ignored").json()["total"] == 1

    # Deleting a cluster removes its faces' crop files, and an event folder left empty with them.
    crops = seed.crops
    a_files = [crops / event / f"{frame}-{face}.jpg" for event, frame, face in (f.split("-") for f in a_faces)]
    assert all(path.exists() for path in a_files)
    deleted = server.post(f"/api/clusters/{a}/delete")
    assert deleted.status == 200 and deleted.json()["cropsRemoved"] == 3
    assert not any(path.exists() for path in a_files)
    assert all(any(folder.iterdir()) for folder in crops.iterdir() if folder.is_dir()), "an empty event folder is left"
    assert seed.rows("SELECT count(*) FROM face_clusters WHERE cluster_id = %s", (a,)) == [(0,)]
    assert seed.rows("SELECT count(*) FROM detections WHERE cluster_id IS NULL AND clustered AND crop IS NULL") == [(3,)]
    assert not (crops / "1" / "1-0.jpg").exists() and not (crops / "2" / "1-0.jpg").exists()
    assert server.get("/crops/1/1-0.jpg").status == 404
    assert server.post(f"/api/clusters/{a}/delete").status == 404


def test_face_corrections(web, seed):
    seed.event(1, people=["obama"])
    cid = seed.cluster("named", "obama")
    named = seed.face(1, 1, 0, OBAMA, name="obama", cluster=cid, label="obama", label_kind="person", probability=0.95)
    other = seed.face(1, 2, 0, BIDEN, name="obama", probability=0.7)
    seed.refresh(cid)
    server = web()
    assert server.post(f"/api/faces/{other}/correct", {"name": "biden"}).status == 200
    assert seed.rows("SELECT label, label_kind FROM detections WHERE frame_id = 2") == [("biden", "person")]
    assert server.post(f"/api/faces/{named}/correct", {"stranger": True}).status == 200
    assert seed.rows("SELECT label, label_kind, cluster_id FROM detections WHERE frame_id = 1") == [
        (None, "stranger", None)]
    assert seed.rows("SELECT faces FROM face_clusters WHERE cluster_id = %s", (cid,)) == [(0,)]
    event = server.get("/api/events").json()["events"][0]
    assert [p["name"] for p in event["people"]] == ["biden"]
    assert server.post(f"/api/faces/{other}/clear").status == 200
    assert seed.rows("SELECT label, label_kind, clustered FROM detections WHERE frame_id = 2") == [(None, None, False)]
    assert server.post(f"/api/faces/{other}/correct", {"name": "a", "stranger": True}).status == 400
    assert server.post(f"/api/faces/{other}/correct", {}).status == 400
    assert server.post(f"/api/faces/{other}/correct", {"name": "Unknown"}).status == 422
    assert server.post("/api/faces/9-9-9/correct", {"name": "x"}).status == 404
    assert server.post("/api/faces/..%2f..%2fetc/clear").status == 404


def test_people_detail_rename_and_photos(web, seed, tmp_path):
    seed.event(1)
    cid, faces = open_cluster(seed, 1, [OBAMA, "obama2.jpg"])
    server = web()
    (server.dataset / "alice").mkdir()
    (server.dataset / "alice" / "1.jpg").write_bytes((seed.crops / "1" / "1-0.jpg").read_bytes())
    (server.dataset / "Unknown").mkdir()
    assert server.post(f"/api/clusters/{cid}/label", {"name": "Barack"}).status == 200
    people = {p["name"]: p for p in server.get("/api/people").json()["people"]}
    assert set(people) == {"alice", "Barack"} and people["alice"]["trainingPhotos"] == 1
    alice = server.get("/api/people/alice").json()
    assert alice["photos"] == [{"file": "1.jpg", "url": "/api/people/alice/photos/1.jpg"}] and alice["faces"] == []
    photo = server.get("/api/people/alice/photos/1.jpg")
    assert photo.status == 200 and photo.body[:2] == b"\xff\xd8"
    for bad in ("/api/people/alice/photos/..%2F..%2Fworker.json", "/api/people/..%2Fserver0/photos/worker.json",
                "/api/people/alice/photos/.hidden", "/api/people/Unknown", "/api/people/nobody"):
        assert server.get(bad).status == 404, bad

    barack = server.get("/api/people/Barack").json()
    assert barack["total"] == 2 and {f["id"] for f in barack["faces"]} == set(faces)
    renamed = server.post("/api/people/Barack/rename", {"name": "Barack Obama"})
    assert renamed.status == 200 and renamed.json()["faces"] == 2
    assert seed.rows("SELECT DISTINCT label FROM detections WHERE cluster_id = %s", (cid,)) == [("Barack Obama",)]
    assert seed.rows("SELECT name FROM face_clusters") == [("Barack Obama",)]
    assert server.post("/api/people/alice/rename", {"name": "al/ice"}).status == 422
    assert server.post("/api/people/nobody/rename", {"name": "x"}).status == 404
    assert server.post("/api/people/alice/rename", {"name": "Alice"}).status == 200
    assert (server.dataset / "Alice" / "1.jpg").exists() and not (server.dataset / "alice").exists()

    assert server.post("/api/people/Alice/photos/2.jpg/delete").status == 404
    assert server.post("/api/people/Alice/photos/1.jpg/delete").status == 200
    assert not (server.dataset / "Alice" / "1.jpg").exists()


def test_crops_only_from_the_crops_folder(web, seed, tmp_path):
    seed.event(1)
    seed.face(1, 1, 0, OBAMA)
    server = web(crops=seed.crops)
    (tmp_path / "secret.jpg").write_bytes(b"\xff\xd8TOP-SECRET-CONTENT")
    (seed.crops / "1" / "2-0.jpg").symlink_to(tmp_path / "secret.jpg")
    assert server.get("/crops/1/1-0.jpg").status == 200
    for path in ("/crops/1/../../secret.jpg", "/crops/..%2F..%2Fsecret.jpg/x", "/crops/%2e%2e/1-0.jpg",
                 "/crops/1/%2e%2e%2f1-0.jpg", "/crops//etc/passwd", "/crops/1/2-0.jpg", "/crops/1/1-0.jpeg",
                 "/crops/1/9-0.jpg", "/crops/-1/1-0.jpg", "/crops/%2fetc/passwd", "/crops/1/1-0.jpg%00"):
        answer = server.get(path)
        assert answer.status == 404 and b"TOP-SECRET" not in answer.body, path


def test_get_changes_nothing(web, seed):
    seed.event(1, people=["obama"], unknown=1)
    cid, faces = open_cluster(seed, 1, [OBAMA, "obama2.jpg"])
    server = web()
    snapshot = lambda: (seed.rows("SELECT * FROM face_clusters ORDER BY cluster_id"),
                        seed.rows("SELECT * FROM detections ORDER BY event_id, frame_id, face_index"))
    before = snapshot()
    for path in ("/api/events", "/api/clusters", f"/api/clusters/{cid}/faces", "/api/people", "/api/train/status",
                 f"/api/clusters/{cid}/label", f"/api/clusters/{cid}/delete", f"/api/faces/{faces[0]}/clear",
                 "/api/clusters/merge", "/api/train"):
        server.get(path)
    assert snapshot() == before


def test_token_required_when_set(web, seed):
    seed.event(1)
    cid, _ = open_cluster(seed, 1, [OBAMA])
    token = "s3cret-token-0123456789"
    server = web(token=token)
    for path in ("/", "/api/events", "/api/openapi.yaml", "/crops/1/1-0.jpg"):
        refused = server.get(path, token=False)
        assert refused.status == 401 and "Basic" in refused.headers.get("WWW-Authenticate", ""), path
        assert server.get(path, token="wrong-token-0123456789").status == 401
    assert server.post(f"/api/clusters/{cid}/label", {"name": "x"}, token=False).status == 401
    assert seed.rows("SELECT state FROM face_clusters") == [("open",)]
    assert server.get("/api/events").status == 200
    assert server.get("/api/events", token=False, headers=server.basic(token)).status == 200
    assert server.get("/api/events", token=False, headers=server.basic("nope")).status == 401


def test_cross_site_posts_and_foreign_hosts_are_refused(web, seed):
    seed.event(1)
    cid, _ = open_cluster(seed, 1, [OBAMA])
    server = web()
    evil = server.post(f"/api/clusters/{cid}/ignore", headers={"Origin": "http://evil.example"})
    assert evil.status == 403
    assert server.post(f"/api/clusters/{cid}/ignore", headers={"Sec-Fetch-Site": "cross-site"}).status == 403
    assert server.get("/api/events", headers={"Host": "evil.example:80"}).status == 403
    assert seed.rows("SELECT state FROM face_clusters") == [("open",)]
    same = server.post(f"/api/clusters/{cid}/ignore", headers={"Origin": server.url})
    assert same.status == 200
