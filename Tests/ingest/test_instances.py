"""Several `zmface ingest` instances on one ZoneMinder and one PostgreSQL share the events through
claims in PostgreSQL. What must hold: every event is stored exactly once (`runs` = 1: no event is
recognised and committed twice), an instance killed with SIGKILL mid-event loses nothing (its event
is taken over by a survivor once its lease has run out, not before), and each instance's share is
recorded."""

import json
import signal
import time

from conftest import OBAMA
from zmfixture import frames_from
from zmface_run import Running, rows, wait_until, worker_json

LEASE = 4


def claims_held(pgurl, instance):
    """Claims a process of `instance` holds now (owners are `<instance>/<process token>`)."""
    return rows(pgurl, """SELECT event_id, lease_until FROM event_claims
                          WHERE owner LIKE %s AND committed_at IS NULL""", (instance + "/%",))


def has_claims_table(pgurl):
    return rows(pgurl, "SELECT to_regclass('event_claims') IS NOT NULL")[0][0]


def test_three_instances_share_events_and_take_over_a_killed_ones(zm, pgurl, tmp_path, hostile_model):
    zm.add_monitor(1, "Front")
    zm.add_monitor(2, "Back")
    events = [zm.create_event(1 + i % 2, "Medium", frames_from(["obama.jpg", "blank"], 12), alarm=set(range(1, 13)))
              for i in range(9)]
    instances = {}
    for name in ("i1", "i2", "i3"):
        path = worker_json(zm, pgurl, tmp_path, model=hostile_model, instance=name, leaseSeconds=LEASE)
        config = json.loads(path.read_text())
        config["workers"] = 1
        path.write_text(json.dumps(config))
        instances[name] = Running(path, tmp_path)
    try:
        # Kill i2 while it holds an event it has not committed: mid-event by construction.
        wait_until(lambda: has_claims_table(pgurl) and claims_held(pgurl, "i2"), timeout=180,
                   what="i2 holding an event")
        instances["i2"].stop(signal.SIGKILL)
        killed_at = time.time()
        held = claims_held(pgurl, "i2")
        assert len(held) == 1, held
        orphan, lease_until = held[0]

        wait_until(lambda: len(rows(pgurl, "SELECT 1 FROM events")) == len(events), timeout=300,
                   what="every event stored")
        for name in ("i1", "i3"):
            assert instances[name].process.poll() is None, instances[name].output()
    finally:
        for server in instances.values():
            server.stop()

    # Exactly once: one run per event, every alarm frame of each, named right.
    assert sorted(r[0] for r in rows(pgurl, "SELECT event_id FROM events")) == [e.id for e in events]
    assert rows(pgurl, "SELECT max(runs), min(runs) FROM events")[0] == (1, 1)
    for ev in events:
        assert [r[0] for r in rows(pgurl, "SELECT frame_id FROM frames WHERE event_id=%s ORDER BY 1", (ev.id,))] \
            == list(range(1, 13))
        named = rows(pgurl, "SELECT DISTINCT name FROM detections WHERE event_id=%s", (ev.id,))
        assert named == [(OBAMA,)], (ev.id, named)
    # The killed instance's event went to a survivor, and only after i2's lease had run out.
    owner, claimed_at = rows(pgurl, "SELECT owner, claimed_at FROM event_claims WHERE event_id=%s", (orphan,))[0]
    owner = owner.rsplit("/", 1)[0]
    assert owner in ("i1", "i3"), owner
    assert claimed_at >= lease_until, (claimed_at, lease_until)
    assert rows(pgurl, "SELECT instance FROM events WHERE event_id=%s", (orphan,))[0][0] == owner
    print(f"takeover of event {orphan}: {claimed_at.timestamp() - killed_at:.1f} s after the kill (lease {LEASE} s)")
    # Every survivor did a share; nothing is claimed any more.
    shares = dict(rows(pgurl, "SELECT instance, count(*) FROM events GROUP BY instance"))
    assert shares.get("i1", 0) >= 1 and shares.get("i3", 0) >= 1 and sum(shares.values()) == len(events), shares
    assert rows(pgurl, "SELECT count(*) FROM event_claims WHERE committed_at IS NULL")[0][0] == 0
    print(f"shares: {shares}")
