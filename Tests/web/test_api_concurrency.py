"""Two browsers working on the same clusters at once: every request is answered (200, or 404/409
when the other one got there first), never 500, and the database ends consistent."""

import random
import threading

from test_api import open_cluster

PHOTOS = ["obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg"]


def test_two_clients_labelling_and_merging_the_same_clusters(web, seed):
    clusters = []
    for event_id in range(1, 31):
        seed.event(event_id)
        cid, _ = open_cluster(seed, event_id, random.Random(event_id).sample(PHOTOS, 2))
        clusters.append(cid)
    # Two servers on one database (two instances), so the database's locks are what keeps order.
    server, other = web(), web()
    statuses = {"merge": [], "label": [], "ignore": []}

    def merger():
        for into, src in zip(clusters[0::2], clusters[1::2]):
            statuses["merge"].append(server.post("/api/clusters/merge", {"into": into, "from": [src]}).status)

    def labeller(seed_, kind):
        order = clusters[:]
        random.Random(seed_).shuffle(order)
        for cid in order:
            if kind == "label":
                answer = other.post(f"/api/clusters/{cid}/label", {"name": f"person {cid % 3}"})
            else:
                answer = server.post(f"/api/clusters/{cid}/ignore")
            statuses[kind].append(answer.status)

    threads = [threading.Thread(target=merger), threading.Thread(target=labeller, args=(1, "label")),
               threading.Thread(target=labeller, args=(2, "ignore"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [s for values in statuses.values() for s in values]
    assert set(every) <= {200, 404}, statuses
    assert statuses["merge"].count(200) == 15  # merges never lose to a label: they only need the rows
    # Consistent: 15 clusters left; sizes match their faces; labels follow each cluster's state.
    assert seed.rows("SELECT count(*) FROM face_clusters") == [(15,)]
    assert seed.rows("""SELECT count(*) FROM face_clusters c
                        WHERE faces <> (SELECT count(*) FROM detections d WHERE d.cluster_id = c.cluster_id)""") == [(0,)]
    assert seed.rows("SELECT count(*) FROM detections WHERE cluster_id IS NULL") == [(0,)]
    wrong = seed.rows("""SELECT d.event_id, c.state, c.name, d.label, d.label_kind FROM detections d
                         JOIN face_clusters c USING (cluster_id)
                         WHERE (c.state = 'named' AND (d.label IS DISTINCT FROM c.name OR d.label_kind <> 'person'))
                            OR (c.state = 'ignored' AND (d.label IS NOT NULL OR d.label_kind <> 'stranger'))
                            OR (c.state = 'open' AND d.label_kind IS NOT NULL)""")
    assert wrong == []


def test_labelling_a_cluster_merged_away_is_a_clear_404(web, seed):
    seed.event(1)
    a, _ = open_cluster(seed, 1, ["obama.jpg"])
    seed.event(2)
    b, _ = open_cluster(seed, 2, ["obama2.jpg"])
    first = web()
    assert first.post("/api/clusters/merge", {"into": a, "from": [b]}).status == 200
    late = first.post(f"/api/clusters/{b}/label", {"name": "alice"})
    assert late.status == 404 and "merged or deleted" in late.json()["error"]
    assert seed.rows("SELECT count(*) FROM detections WHERE label IS NOT NULL") == [(0,)]
