"""The page's main endpoints with 100k detections in 20k events and 1k clusters: the times are
printed (a benchmark, not an assertion: the machine is shared), the answers checked."""

import statistics
import time

EVENTS, PER_EVENT, CLUSTERS, PEOPLE = 20_000, 5, 1_000, 20


def fill(seed, encoding):
    """20k events x 5 detections (real encoding), half of them in 1k open clusters, a fifth named by
    the model (20 people), some labelled; one summary row per event."""
    seed.sql(f"""INSERT INTO events (event_id, monitor_id, monitor_name, cause, start_time, end_time, frame_count,
                 outcome, frames_selected, faces, model_version)
                 SELECT e, 1 + e % 4, 'Cam ' || (1 + e % 4), 'Motion', now() - (({EVENTS} - e) * interval '1 minute'),
                     now() - (({EVENTS} - e) * interval '1 minute') + interval '20 seconds', {PER_EVENT}, 'processed',
                     {PER_EVENT}, {PER_EVENT}, 'bench'
                 FROM generate_series(1, {EVENTS}) e""")
    seed.sql(f"""INSERT INTO frames (event_id, frame_id, time, score, faces)
                 SELECT e.event_id, f, e.start_time + f * interval '1 second', 10, 1
                 FROM events e, generate_series(1, {PER_EVENT}) f""")
    seed.sql(f"INSERT INTO face_clusters (state, centroid) SELECT 'open', %s::real[] FROM generate_series(1, {CLUSTERS})",
             (encoding,))
    seed.sql(f"""INSERT INTO detections (event_id, frame_id, face_index, monitor_id, time, box_top, box_right, box_bottom,
                 box_left, confidence, focus, encoding, name, person, probability, status, model_version, crop,
                 cluster_id, clustered, label, label_kind, labelled_at)
                 SELECT f.event_id, f.frame_id, 0, 1 + f.event_id %% 4, f.time, 10, 110, 110, 10, 1 + random(), 500,
                     %s::real[],
                     CASE WHEN n %% 5 = 0 THEN 'person ' || ((n / 5) %% {PEOPLE}) END,
                     CASE WHEN n %% 5 = 0 THEN 'person ' || ((n / 5) %% {PEOPLE}) ELSE 'unknown-1' END,
                     CASE WHEN n %% 5 = 0 THEN 0.9 END,
                     CASE WHEN n %% 5 = 0 THEN 'recognized' ELSE 'unknown' END, 'bench',
                     f.event_id || '/' || f.frame_id || '-0.jpg',
                     CASE WHEN n %% 2 = 1 THEN 1 + (n / 2) %% {CLUSTERS} END, true,
                     CASE WHEN n %% 50 = 0 THEN 'person ' || ((n / 5) %% {PEOPLE}) END,
                     CASE WHEN n %% 50 = 0 THEN 'person' END, CASE WHEN n %% 50 = 0 THEN now() END
                 FROM (SELECT *, row_number() OVER (ORDER BY event_id, frame_id) AS n FROM frames) f""", (encoding,))
    seed.sql("""UPDATE face_clusters c SET faces = s.n, first_seen = s.f, last_seen = s.l FROM
                (SELECT cluster_id, count(*) n, min(time) f, max(time) l FROM detections WHERE cluster_id IS NOT NULL
                 GROUP BY cluster_id) s WHERE c.cluster_id = s.cluster_id""")
    seed.sql("""INSERT INTO event_summaries (event_id, person, name, monitor_id, first_seen, last_seen, frames_seen,
                best_frame, best_box, seen)
                SELECT e.event_id, 'p', 'person ' || (e.event_id % 20), e.monitor_id, e.start_time, e.start_time, 1, 1,
                    '{0,0,0,0}', true FROM events e""")
    seed.sql("ANALYZE")


def timed(server, path, runs=5):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = server.get(path)
        times.append(time.perf_counter() - started)
        assert answer.status == 200, (path, answer)
    return statistics.median(times) * 1000, len(answer.body), answer.json()


def test_main_endpoints_with_100k_detections_and_1k_clusters(web, seed, faces):
    encoding = "{" + ",".join(repr(v) for v in faces.largest("obama.jpg").encoding) + "}"
    started = time.perf_counter()
    fill(seed, encoding)
    seeded = time.perf_counter() - started
    assert seed.rows("SELECT count(*) FROM detections") == [(EVENTS * PER_EVENT,)]
    server = web()
    cluster = seed.rows("SELECT cluster_id FROM face_clusters ORDER BY cluster_id LIMIT 1")[0][0]
    paths = ["/api/events", f"/api/events?before={EVENTS // 2}", "/api/events?person=person%207",
             "/api/events?monitor=3", "/api/clusters", "/api/clusters?offset=950", f"/api/clusters/{cluster}/faces",
             "/api/people", "/api/people/person%207"]
    print(f"\nseeded {EVENTS * PER_EVENT} detections, {EVENTS} events, {CLUSTERS} clusters in {seeded:.1f} s")
    results = {}
    for path in paths:
        ms, size, body = timed(server, path)
        results[path] = body
        print(f"  GET {path:40s} {ms:8.1f} ms (median of 5)  {size / 1024:7.1f} KiB")
    assert len(results["/api/events"]["events"]) == 50
    assert results["/api/clusters"]["total"] == CLUSTERS and len(results["/api/clusters"]["clusters"]) == 50
    assert len(results["/api/people"]["people"]) == PEOPLE
    assert results["/api/people/person%207"]["total"] > 0
