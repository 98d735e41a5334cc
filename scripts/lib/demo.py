"""The body of scripts/demo (see there). Reuses the ZoneMinder event writer and the private
database servers of the ingestion tests (Tests/ingest/zmfixture.py)."""

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests/ingest"))
import psycopg  # noqa: E402
import zmfixture  # noqa: E402

ZMFACE = os.environ.get("ZMFACE_BIN", str(ROOT / ".build/debug/zmface"))
PHOTOS = ROOT / ".cache/test-photos"


def say(text):
    print(f"demo: {text}", flush=True)


def run(*args):
    p = subprocess.run([ZMFACE, *map(str, args)], capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        sys.exit(f"demo: zmface {args[0]} failed:\n{p.stderr}")
    return p


def train(data):
    """A classifier from the test photos (augmented), made once per data folder."""
    model = data / "faces.model"
    if model.exists():
        say(f"classifier: {model} (from an earlier run)")
        return model
    say("training a classifier from the test photos (obama, biden; about 30 s)")
    dataset = data / "dataset"
    subprocess.run([sys.executable, str(ROOT / "Tests/training/make_dataset.py"), str(PHOTOS), str(dataset)],
                   check=True, capture_output=True)
    run("encode", dataset / "train", "--out", data / "encodings.json")
    run("train", data / "encodings.json", "--classifier", "svm", "--out", model)
    say(f"classifier: {model}")
    return model


def write_events(zm):
    zm.add_monitor(1, "Front door")
    zm.add_monitor(2, "Garage")
    now = dt.datetime.now() - dt.timedelta(minutes=5)
    frames = zmfixture.frames_from
    plan = [
        (1, "Medium", frames(["blank"] * 3 + ["obama.jpg"] * 8 + ["blank"] * 3, 14), True, True, "Obama at the door"),
        (2, "Deep", frames(["blank"] * 3 + ["biden.jpg"] * 8 + ["blank"] * 3, 14), False, True,
         "Biden in the garage (video only: frames decoded from the MP4)"),
        (1, "Medium", frames(["astronaut.png"] * 10, 10), True, False, "a stranger at the door (JPEGs only)"),
        (2, "Shallow", frames(["obama.jpg", "biden.jpg"] * 6, 12), True, True, "both of them in the garage"),
    ]
    events = []
    for index, (monitor, scheme, images, jpegs, video, what) in enumerate(plan):
        ev = zm.create_event(monitor, scheme, images, jpegs=jpegs, video=video,
                             alarm=set(range(1, len(images) + 1)) if index == 3 else None,
                             start=now + dt.timedelta(seconds=20 * index))
        say(f"ZoneMinder event {ev.id} on monitor {monitor} ({scheme}): {what}")
        events.append(ev)
    return events


def print_messages(process):
    for line in process.stdout:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        message = entry.get("message")
        if message is None:
            continue
        if message["type"] == "face":
            who = message["name"] or f"unknown ({message['person']})"
            probability = message["probability"]
            score = f", p={probability:.2f}" if probability is not None else ""
            print(f"  PUB {entry['topic']:<28} event {message['event']} frame {message['frame']:>2}: "
                  f"{who}{score} [{message['status']}] seq {message['seq']}", flush=True)
        elif message["type"] == "event":
            people = ", ".join(f"{p['person']} in {p['framesSeen']} frames" for p in message["people"]) or "nobody"
            print(f"  PUB {entry['topic']:<28} event {message['event']} {message['outcome']}: {people} "
                  f"seq {message['seq']}", flush=True)


def main():
    parser = argparse.ArgumentParser(prog="scripts/demo")
    parser.add_argument("--keep-running", action="store_true", help="stay up until Ctrl-C")
    parser.add_argument("--data", default=str(ROOT / ".cache/demo"), help="data folder (default .cache/demo)")
    options = parser.parse_args()
    data = Path(options.data).resolve()
    data.mkdir(parents=True, exist_ok=True)
    started = time.time()

    # Unix socket paths are limited to 107 bytes, so the two servers live in short /tmp folders.
    mariadb, postgres = zmfixture.MariaDB(), zmfixture.Postgres()
    mariadb.start()
    postgres.start()
    say(f"MariaDB on 127.0.0.1:{mariadb.port} with ZoneMinder 1.36's schema, PostgreSQL on 127.0.0.1:{postgres.port}")
    config = mariadb.new_zm_database("zm")
    events_dir = data / "events" if len(str(data / "events")) <= 64 else Path(zmfixture._server_dir("zmface-demo-events-")) / "events"
    shutil.rmtree(events_dir, ignore_errors=True)  # the databases are new at every run, so are the events
    zm = zmfixture.ZoneMinderWriter(mariadb.root("zm"), "zm", events_dir)
    model = train(data)
    events = write_events(zm)

    pub_port, metrics_port = zmfixture.free_port(), zmfixture.free_port()
    rpc = f"ipc:///tmp/zmface-demo-{os.getpid()}.sock"
    pgurl = postgres.url
    worker = data / "worker.json"
    worker.write_text(json.dumps({
        "workers": 2,
        "classifier": {"model": str(model), "minProba": 0.7},
        "zerorpc": {"endpoints": [rpc]},
        "imageRoots": [str(PHOTOS.resolve()), str(events_dir)],
        "metrics": {"address": f"127.0.0.1:{metrics_port}"},
        "zoneminder": {"enabled": True, "dbHost": f"127.0.0.1:{mariadb.port}", "dbName": "zm",
                       "dbUser": "zmface", "dbPassword": "zmface", "pollSeconds": 0.5, "settleSeconds": 1},
        "frames": {"select": "alarm", "maxPerEvent": 6},
        "postgres": {"url": pgurl},
        "publish": {"endpoints": [f"tcp://127.0.0.1:{pub_port}"], "statusSeconds": 5, "serverId": "zmface-demo"},
    }, indent=2))
    say(f"configuration: {worker}")

    subscriber = subprocess.Popen([ZMFACE, "subscribe", "--endpoint", f"tcp://127.0.0.1:{pub_port}",
                                   "--topic", "face/", "--topic", "event/"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    printer = threading.Thread(target=print_messages, args=(subscriber,), daemon=True)
    printer.start()
    log = open(data / "serve.log", "w")
    server = subprocess.Popen([ZMFACE, "serve", "--config", str(worker)], stdout=log, stderr=subprocess.STDOUT,
                              cwd=ROOT)
    say(f"zmface serve started (log: {data / 'serve.log'}); recognitions as they are published:")
    code = 1
    try:
        deadline = time.time() + 300
        while True:
            if server.poll() is not None:
                sys.exit(f"demo: zmface serve exited early:\n{(data / 'serve.log').read_text()}")
            with psycopg.connect(pgurl, autocommit=True) as c:
                exists = c.execute("SELECT to_regclass('events') IS NOT NULL").fetchone()[0]
                done = exists and c.execute("SELECT count(*) FROM events").fetchone()[0] >= len(events)
            if done:
                break
            if time.time() > deadline:
                sys.exit("demo: the events were not all processed within 5 minutes")
            time.sleep(0.5)
        time.sleep(1)
        with psycopg.connect(pgurl, autocommit=True) as c:
            table = c.execute("""
                SELECT e.event_id, e.monitor_name, e.outcome, e.frames_selected, e.faces,
                       coalesce(string_agg(s.person || ' x' || s.frames_seen, ', ' ORDER BY s.person), '-')
                FROM events e LEFT JOIN event_summaries s USING (event_id)
                GROUP BY e.event_id ORDER BY e.event_id""").fetchall()
        print("\nstored in PostgreSQL (events + event_summaries):")
        print(f"  {'event':>5}  {'monitor':<11} {'outcome':<10} {'frames':>6} {'faces':>5}  people")
        for event_id, monitor, outcome, frames, faces, people in table:
            print(f"  {event_id:>5}  {monitor:<11} {outcome:<10} {frames:>6} {faces:>5}  {people}")
        if options.keep_running:
            print(f"""
zmface keeps running (Ctrl-C stops everything). Try:
  {ZMFACE} subscribe --endpoint tcp://127.0.0.1:{pub_port}
  python3 -c "import zerorpc; c = zerorpc.Client(); c.connect('{rpc}'); \\
print(c.detect_faces([{{'image': '{(PHOTOS / 'obama.jpg').resolve()}', 'labels': [{{'name': 'person', \\
'box': {{'xmin': 0, 'ymin': 0, 'xmax': 600, 'ymax': 600}}}}]}}]))"
  psql {pgurl} -c 'SELECT * FROM event_summaries'
  curl -s http://127.0.0.1:{metrics_port}/metrics | grep zmface_ingest""", flush=True)
            stop = threading.Event()
            signal.signal(signal.SIGINT, lambda *_: stop.set())
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            stop.wait()
        code = 0
    finally:
        server.send_signal(signal.SIGTERM)
        status = server.wait(timeout=60)
        subscriber.terminate()
        subscriber.wait(timeout=10)
        postgres.close()
        mariadb.close()
        say(f"stopped zmface (exit {status}), PostgreSQL and MariaDB; {time.time() - started:.0f} s in all")
        if status != 0:
            code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())
