"""ZoneMinder Notes write-back (`zoneminder.notes`): after each commit the event's decision goes into
its Notes as `[zmface: name, name, N unknown]`, through an account that may update only
`Events.Notes`. What must hold: ZoneMinder's own text around zmface's part is kept; a re-run
(backfill) replaces zmface's part instead of adding a second one; hostile class names arrive intact
(escaped, not executed); an account without the grant, or a wrong password, is reported clearly and
never stops ingestion or loses results."""

import subprocess

from conftest import OBAMA
from zmfixture import frames_from
from zmface_run import ROOT, ZMFACE, ingest_once, rows, worker_json

GRANT = "GRANT SELECT (Id, Notes), UPDATE (Notes) ON `{db}`.Events TO '{user}'@'%'"


def notes_account(zm, user):
    """A MariaDB account that may read Events.Id/Notes and update Events.Notes, nothing else."""
    db = zm.config["name"]
    zm.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'notes-pass'")
    zm.execute(GRANT.format(db=db, user=user))
    return {"enabled": True, "dbUser": user, "dbPassword": "notes-pass"}


def notes(zm, event):
    return zm.query("SELECT Notes FROM Events WHERE Id=%s", (event.id,))[0][0]


def expected_part(pgurl, event):
    """What the decision stored in PostgreSQL says the note must be (None: nobody seen)."""
    named = [r[0] for r in rows(pgurl, """SELECT name FROM event_summaries WHERE event_id=%s AND seen
                                         ORDER BY seen_confidence DESC""", (event.id,))]
    unknown = rows(pgurl, "SELECT count(*) FROM event_summaries WHERE event_id=%s AND name IS NULL", (event.id,))[0][0]
    parts = named + ([f"{unknown} unknown"] if unknown else [])
    return f"[zmface: {', '.join(parts)}]" if parts else None


def backfill(config):
    p = subprocess.run([str(ZMFACE), "backfill", "--config", str(config), "--since", "3d"],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    return p


def test_notes_carry_the_decision_and_keep_zoneminders_text(zm, pgurl, tmp_path, hostile_model):
    """Notes become `<ZoneMinder's text> [zmface: …]` with exactly the people the stored decision
    names (the hostile class name intact), an event without faces keeps its Notes untouched, and a
    backfill replaces zmface's part once, keeping text other tools added after it."""
    zm.add_monitor(1, "Front")
    known = zm.create_event(1, "Medium", frames_from(["obama.jpg"] * 5 + ["astronaut.png"] * 5, 10))
    empty = zm.create_event(1, "Medium", frames_from(["blank"], 6))
    before = {ev.id: notes(zm, ev) for ev in (known, empty)}
    config = worker_json(zm, pgurl, tmp_path, model=hostile_model, notes=notes_account(zm, "zmnotes1"))
    p = ingest_once(config)
    assert "ZoneMinder Notes not written" not in p.stderr, p.stderr

    part = expected_part(pgurl, known)
    # The astronaut frames hold two faces dlib finds (hers and one on the suit), neither known.
    unknown = rows(pgurl, "SELECT count(DISTINCT person) FROM detections WHERE event_id=%s AND name IS NULL",
                   (known.id,))[0][0]
    assert unknown >= 1 and part == f"[zmface: {OBAMA}, {unknown} unknown]", part
    assert notes(zm, known) == f"{before[known.id].strip()} {part}".strip()
    assert notes(zm, empty) == before[empty.id], "an event with nobody in it gets no zmface part"

    # Another tool appends after zmface's part; a backfill recomputes and replaces only zmface's part.
    zm.execute("UPDATE Events SET Notes = CONCAT(Notes, ' detected:[a] person:97%%') WHERE Id=%s", (known.id,))
    backfill(config)
    assert rows(pgurl, "SELECT runs FROM events WHERE event_id=%s", (known.id,))[0][0] == 2
    text = notes(zm, known)
    assert text.count("[zmface: ") == 1, text
    assert text == f"{before[known.id].strip()} detected:[a] person:97% {expected_part(pgurl, known)}".strip(), text


def test_an_account_without_the_grant_is_reported_and_ingestion_goes_on(zm, pgurl, tmp_path, hostile_model):
    """The read-only consumer account (no UPDATE) and a wrong password: each run stores every event,
    exits 0, logs which event's Notes were not written and the GRANT it needs; Notes stay as
    ZoneMinder wrote them."""
    zm.add_monitor(1, "Front")
    event = zm.create_event(1, "Medium", frames_from(["obama.jpg"], 6))
    original = notes(zm, event)
    read_only = worker_json(zm, pgurl, tmp_path, model=hostile_model, notes={"enabled": True})
    p = ingest_once(read_only)
    assert "ZoneMinder Notes not written" in p.stderr and "GRANT SELECT (Id, Notes), UPDATE (Notes)" in p.stderr
    failure = next(line for line in p.stderr.splitlines() if "ZoneMinder Notes not written" in line)
    assert f"event={event.id}" in failure, failure
    assert rows(pgurl, "SELECT outcome FROM events WHERE event_id=%s", (event.id,))[0][0] == "processed"
    assert notes(zm, event) == original

    account = notes_account(zm, "zmnotes2")
    account["dbPassword"] = "wrong"
    p = backfill(worker_json(zm, pgurl, tmp_path, model=hostile_model, notes=account))
    assert "refused the login (1045)" in p.stderr, p.stderr
    assert rows(pgurl, "SELECT runs FROM events WHERE event_id=%s", (event.id,))[0][0] == 2
    assert notes(zm, event) == original
