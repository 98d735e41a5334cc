"""MQTT with Home Assistant discovery against a real mosquitto: `zmface ingest`/`serve` publish
strictly after the PostgreSQL commit, keep correct retained state for a subscriber that comes
back, give Home Assistant the discovery keys it requires, turn presence off after the timeout,
ride out a broker outage without holding up ingestion, verify TLS against a test CA and say
clearly when the login is refused."""

import datetime as dt
import subprocess
import json
import re
import socket
import time

from conftest import BIDEN, OBAMA
from mqtt_fixture import Broker, Collector, CertificateAuthority, free_port, metric, retained, with_mqtt
from zmfixture import frames_from
from zmface_run import Running, rows, wait_until, worker_json

# What Home Assistant's MQTT discovery requires of every config zmface publishes.
HA_KEYS = {"name", "unique_id", "state_topic", "device", "availability"}


def now_event(zm, monitor, photos=("obama.jpg", "biden.jpg")):
    """An event whose frames are from now (sightings older than the presence timeout are history,
    not presence)."""
    start = dt.datetime.now().replace(microsecond=0)
    return zm.create_event(monitor, "Medium", frames_from(list(photos), 6), alarm=set(range(1, 7)), start=start)


def slug_ok(text):
    return re.fullmatch(r"[A-Za-z0-9_-]+", text) is not None


def test_messages_after_commit_retained_state_and_discovery(zm, pgurl, tmp_path, hostile_model, broker):
    """Three events through `zmface ingest`: every message naming an event arrives when PostgreSQL
    already holds it; the discovery configs of both people arrive before the first event (from
    the model, not a first match) and carry Home Assistant's required keys; a subscriber that
    reconnects sees the right retained state."""
    zm.add_monitor(3, "Gate")
    zm.add_monitor(5, "Porch")  # never records: its entities come from ZoneMinder's monitor list
    config = with_mqtt(worker_json(zm, pgurl, tmp_path, model=hostile_model),
                       {"url": f"mqtt://127.0.0.1:{broker.port}", "clientId": "zmface-test", "qos": 1})
    sub = Collector(broker.port, topics=("zmface/#", "homeassistant/#"), pgurl=pgurl)
    server = Running(config, tmp_path)
    try:
        presence_configs = lambda: [t for t, _ in sub.on("homeassistant/binary_sensor/")]  # noqa: E731
        sub.wait_for(lambda: len(presence_configs()) == 2, what="presence configs of both known people")
        sub.wait_for(lambda: len(sub.on("homeassistant/")) == 6, what="the entities of both cameras")
        assert sub.on("zmface/event/") == [], "an event was announced before any was created"
        events = [now_event(zm, 3) for _ in range(3)]
        sub.wait_for(lambda: len(sub.on("zmface/event/")) == 3, what="3 event messages")
        sub.wait_for(lambda: len(sub.on("zmface/person/")) >= 4, what="person state")
        stranger = now_event(zm, 3, photos=("astronaut.png",))
        sub.wait_for(lambda: sub.on("zmface/camera/3/unknown"), what="the unknown-face event")
    finally:
        assert server.stop() == 0
        sub.stop()

    assert sub.uncommitted == [], "a message named an event before PostgreSQL had it"
    decisions = [json.loads(p) for _, p in sub.on("zmface/event/")]
    assert [d["event"] for d in decisions] == [e.id for e in [*events, stranger]]
    assert [t for t, _ in sub.on("zmface/event/")] == [f"zmface/event/3/{e.id}" for e in [*events, stranger]]
    assert decisions.pop()["seen"] == []
    unknown = [json.loads(p) for _, p in sub.on("zmface/camera/3/unknown")]
    assert len(unknown) == 1 and unknown[0]["event"] == stranger.id and unknown[0]["event_type"] == "unknown_face"
    clusters = {r[0] for r in rows(pgurl, "SELECT person FROM event_summaries WHERE event_id=%s AND name IS NULL",
                                   (stranger.id,))}
    assert set(unknown[0]["unknownPeople"]) == clusters and clusters and unknown[0]["camera"] == "Gate"
    for d in decisions:
        assert {s["name"] for s in d["seen"]} == {OBAMA, BIDEN} and d["monitorName"] == "Gate"
        assert d["outcome"] == "processed" and all(0 < s["confidence"] <= 1 for s in d["seen"])
    stored = {r[0] for r in rows(pgurl, "SELECT event_id FROM events")}
    assert stored == {e.id for e in [*events, stranger]}

    configs = {t: json.loads(p) for t, p in sub.on("homeassistant/") if p}
    # 2 presence + per camera (Gate, Porch) a last-recognized sensor and an unknown-face event
    assert len(configs) == 6, configs.keys()
    for topic, c in configs.items():
        assert HA_KEYS <= c.keys(), (topic, c)
        assert slug_ok(c["unique_id"]) and topic.endswith("/config")
        assert c["availability"] == [{"topic": "zmface/availability", "payload_available": "online",
                                      "payload_not_available": "offline"}]
        assert c["device"]["identifiers"] and c["device"]["name"]
        # The entity's state topic is one zmface really publishes.
        assert c["state_topic"].startswith("zmface/")
    presence = [c for t, c in configs.items() if "/binary_sensor/" in t]
    assert {c["name"] for c in presence} == {OBAMA, BIDEN}
    assert all(c["device_class"] == "presence" and c["payload_on"] == "ON" for c in presence)
    sensors = {c["device"]["name"]: c for t, c in configs.items() if "/sensor/" in t}
    assert set(sensors) == {"Gate (zmface)", "Porch (zmface)"}
    assert sensors["Gate (zmface)"]["state_topic"] == "zmface/camera/3/last_recognized"
    assert sensors["Porch (zmface)"]["state_topic"] == "zmface/camera/5/last_recognized"
    assert all(c["value_template"] == "{{ value_json.name }}" for c in sensors.values())
    event_entities = {c["state_topic"]: c for t, c in configs.items() if "/event/" in t}
    assert set(event_entities) == {"zmface/camera/3/unknown", "zmface/camera/5/unknown"}
    assert all(c["event_types"] == ["unknown_face"] for c in event_entities.values())

    # A new subscriber (mosquitto_sub) after zmface stopped: the retained state of the last event
    # that named someone (the stranger's event changes no one's state).
    state = retained(broker.port, ["zmface/#", "homeassistant/#"])
    assert state["zmface/availability"] == "offline"
    last = events[-1].id
    recognized = json.loads(state["zmface/camera/3/last_recognized"])
    assert recognized["event"] == last and set(recognized["names"]) == {OBAMA, BIDEN}
    assert recognized["name"] == recognized["names"][0] and recognized["camera"] == "Gate"
    for name in (OBAMA, BIDEN):
        seen_topic = next(c["json_attributes_topic"] for c in presence if c["name"] == name)
        seen = json.loads(state[seen_topic])
        assert seen["name"] == name and seen["event"] == last and seen["monitor"] == 3
        presence_topic = next(c["state_topic"] for c in presence if c["name"] == name)
        assert state[presence_topic] == "ON"
    assert set(configs) <= set(state), "a discovery config is not retained"
    assert not any(t.startswith("zmface/event/") for t in state), "event decisions must not be retained"


def test_presence_turns_off_after_the_timeout(zm, pgurl, tmp_path, hostile_model, broker):
    """presenceTimeoutSeconds 4: ON at the sighting, OFF from zmface's own timer about 4 s after
    the last frame showing the person, while zmface keeps running."""
    zm.add_monitor(1, "Door")
    config = with_mqtt(worker_json(zm, pgurl, tmp_path, model=hostile_model),
                       {"url": f"mqtt://127.0.0.1:{broker.port}", "presenceTimeoutSeconds": 4})
    sub = Collector(broker.port, topics=("zmface/person/#",))
    server = Running(config, tmp_path)
    try:
        sub.wait_for(lambda: len(sub.on("zmface/person/")) >= 2, what="initial presence OFF")
        initial = {t: p for t, p in sub.on("zmface/person/")}
        assert set(initial.values()) == {"OFF"}, "nobody is present before a sighting"
        now_event(zm, 1, photos=("obama.jpg",))
        presence = lambda: [(t, p) for t, p, _ in list(sub.messages) if t.endswith("/presence")]  # noqa: E731
        sub.wait_for(lambda: any(p == "ON" for _, p in presence()), what="presence ON")
        topic = next(t for t, p in presence() if p == "ON")
        sub.wait_for(lambda: presence()[-1] == (topic, "OFF"), timeout=30, what="presence OFF")
        seen = json.loads(dict(sub.on("zmface/person/"))[topic.replace("/presence", "/last_seen")])
        off_at = next(at for t, p, at in reversed(sub.messages) if t == topic and p == "OFF")
        assert seen["name"] == OBAMA
        # OFF comes from the timer: no earlier than the timeout after the sighting, and promptly.
        assert 4 - 0.5 <= off_at - seen["time"] <= 4 + 3, off_at - seen["time"]
        assert server.process.poll() is None
    finally:
        assert server.stop() == 0
        sub.stop()
    biden_topic = next(t for t in initial if t != topic)
    assert [p for t, p in presence() if t == biden_topic] == ["OFF"], "Biden was never seen"


def test_broker_outage_ingestion_continues_and_outbox_drains(zm, pgurl, tmp_path, hostile_model):
    """The broker is stopped for 30 s while events keep coming: they are committed meanwhile
    (ingestion never waits for MQTT); after the restart zmface reconnects and drains the outbox:
    every event decision arrives, in order, nothing is dropped. The broker keeps the test
    subscriber's session across its restart (persistence), so no message can slip past it while
    it reconnects."""
    broker = Broker(tmp_path / "persistent-broker", persistent=True)
    broker.start()
    zm.add_monitor(2, "Yard")
    metrics = f"127.0.0.1:{free_port()}"
    config = with_mqtt(worker_json(zm, pgurl, tmp_path, model=hostile_model),
                       {"url": f"mqtt://127.0.0.1:{broker.port}"}, metrics=metrics)
    server = Running(config, tmp_path, command="serve")
    sub = Collector(broker.port, topics=("zmface/event/#",), session="outage-subscriber")
    try:
        before = now_event(zm, 2)
        sub.wait_for(lambda: len(sub.on("zmface/event/")) == 1, what="the first event")
        broker.stop()
        outage_start = time.time()
        during = []
        for _ in range(3):
            during.append(now_event(zm, 2))
            wait_until(lambda: rows(pgurl, "SELECT 1 FROM events WHERE event_id=%s", (during[-1].id,)),
                       timeout=60, what="a commit while the broker is down")
        committed_in_outage = time.time() - outage_start
        assert committed_in_outage < 30, "ingestion was held up by the broker outage"
        server.wait_for("MQTT broker unavailable")
        assert metric(metrics, "zmface_mqtt_outbox_messages") >= 3
        time.sleep(max(0, 30 - (time.time() - outage_start)))
        broker.start()
        sub.wait_for(lambda: len(sub.on("zmface/event/")) == 4, timeout=60, what="the outbox drained")
        server.wait_for("MQTT broker reachable again")
        assert metric(metrics, "zmface_mqtt_dropped_total") == 0
        assert metric(metrics, "zmface_mqtt_connection_failures_total") >= 1
        assert metric(metrics, "zmface_mqtt_outbox_messages") == 0
    finally:
        assert server.stop() == 0
        sub.stop()
        broker.stop()
    ids = [json.loads(p)["event"] for _, p in sub.on("zmface/event/")]
    assert ids == [e.id for e in [before, *during]]
    totals = re.search(r"acknowledged=(\d+) .*dropped=(\d+) sent=(\d+) \[zmface\] MQTT stopped", server.output())
    assert totals and totals.group(2) == "0" and totals.group(1) == totals.group(3), server.output()


def test_full_outbox_drops_the_oldest_and_counts_them(zm, pgurl, tmp_path, hostile_model, broker):
    """outboxCapacity 1 and 3 events while the broker is away: 2 event decisions are dropped and
    counted in zmface_mqtt_dropped_total, the newest one arrives, and retained state (kept per
    topic, not in the bounded queue) is still complete and current."""
    zm.add_monitor(4, "Shed")
    metrics = f"127.0.0.1:{free_port()}"
    config = with_mqtt(worker_json(zm, pgurl, tmp_path, model=hostile_model),
                       {"url": f"mqtt://127.0.0.1:{broker.port}", "outboxCapacity": 1}, metrics=metrics)
    server = Running(config, tmp_path, command="serve")
    sub = None
    try:
        server.wait_for("connected to the MQTT broker")
        broker.stop()
        events = [now_event(zm, 4) for _ in range(3)]
        wait_until(lambda: len(rows(pgurl, "SELECT 1 FROM events")) == 3, timeout=120, what="3 commits")
        wait_until(lambda: metric(metrics, "zmface_mqtt_dropped_total") == 2, timeout=10, what="2 drops counted")
        # Restart right after a failed attempt (the next is seconds away), so the subscriber is in
        # before zmface reconnects and sends.
        server.wait_for("MQTT broker unavailable", count=server.output().count("MQTT broker unavailable") + 1)
        broker.start()
        sub = Collector(broker.port, topics=("zmface/#",))
        server.wait_for("MQTT broker reachable again")
        wait_until(lambda: metric(metrics, "zmface_mqtt_outbox_messages") == 0, timeout=30, what="outbox empty")
        state = retained(broker.port, ["zmface/#", "homeassistant/#"])
        assert metric(metrics, "zmface_mqtt_dropped_total") == 2
    finally:
        assert server.stop() == 0
        if sub:
            sub.stop()
    assert json.loads(state["zmface/camera/4/last_recognized"])["event"] == events[-1].id
    received = [json.loads(p)["event"] for t, p in sub.on("zmface/event/")]
    assert received == [events[-1].id], server.output()
    # The restarted broker had lost every retained message: zmface published its state again,
    # the discovery configs of the start included.
    assert state["zmface/availability"] == "online"
    assert sum(1 for t in state if t.startswith("homeassistant/") and t.endswith("/config")) == 4


def test_tls_verified_against_a_test_ca(zm, pgurl, tmp_path, hostile_model):
    """mqtts:// with caFile = a CA made here by openssl: connected, and a paho client trusting the
    same CA reads `online`. Without caFile (the system's CAs) the same broker is refused as
    unverified and nothing is published."""
    ca = CertificateAuthority(tmp_path / "ca")
    tls_broker = Broker(tmp_path / "tls-broker", tls=ca)
    tls_broker.start()
    try:
        url = f"mqtts://127.0.0.1:{tls_broker.port}"
        untrusted = with_mqtt(worker_json(zm, pgurl, tmp_path), {"url": url})
        server = Running(untrusted, tmp_path)
        try:
            server.wait_for("MQTT broker unavailable")
        finally:
            assert server.stop() == 0
        assert "certificate verify failed" in server.output(), server.output()
        assert "connected to the MQTT broker" not in server.output()

        trusted = with_mqtt(worker_json(zm, pgurl, tmp_path), {"url": url, "caFile": str(ca.ca)})
        sub = Collector(tls_broker.port, topics=("zmface/availability",), ca_certs=str(ca.ca))
        server = Running(trusted, tmp_path)
        try:
            server.wait_for("connected to the MQTT broker")
            sub.wait_for(lambda: ("zmface/availability", "online") in sub.on("zmface/"), what="online over TLS")
        finally:
            assert server.stop() == 0
            sub.stop()
    finally:
        tls_broker.stop()


def test_a_broker_that_never_answers_the_connection_does_not_hold_up_the_stop(zm, pgurl, tmp_path):
    """A broker address whose SYNs go unanswered (a firewall dropping them, a host gone; here a port
    whose accept queue is full, which makes Linux drop new SYNs) holds the MQTT thread in connect() for
    the kernel's two minutes of SYN retries: the stop waits for the MQTT thread only its drain time and a little more,
    says so, and leaves it behind, so SIGTERM ends zmface normally (exit 0) long before the connect
    would give up, and nothing claims a connection. (Before, the stop waited for the thread: still
    running 90 s after SIGTERM.)"""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):  # never accepted: the queue fills and later SYNs are dropped
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.5)
    probe = socket.socket()
    probe.settimeout(2)
    try:
        probe.connect(("127.0.0.1", port))
        raise AssertionError("the port still completes connections; the test would prove nothing")
    except socket.timeout:
        pass
    finally:
        probe.close()
    try:
        config = with_mqtt(worker_json(zm, pgurl, tmp_path), {"url": f"mqtt://127.0.0.1:{port}"})
        server = Running(config, tmp_path)
        try:
            server.wait_for("ingesting ZoneMinder events")
            time.sleep(1)  # the MQTT thread is in its connection attempt by now
        finally:
            try:
                code = server.stop(timeout=60)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
                raise AssertionError(f"zmface did not stop within 60 s of SIGTERM:\n{server.output()}")
        assert code == 0, server.output()
        assert "stopping without it" in server.output(), server.output()
        assert "connected to the MQTT broker" not in server.output()
    finally:
        listener.close()
        for filler in fillers:
            filler.close()


def test_bad_password_is_a_clear_error_and_the_right_one_connects(zm, pgurl, tmp_path):
    """A broker that requires a login: the wrong password is logged as the broker's refusal, with
    the settings to check; the right one, from passwordFile, connects."""
    auth_broker = Broker(tmp_path / "auth-broker", users={"zmface": "s3cret"})
    auth_broker.start()
    try:
        url = f"mqtt://127.0.0.1:{auth_broker.port}"
        wrong = with_mqtt(worker_json(zm, pgurl, tmp_path), {"url": url, "username": "zmface", "password": "nope"})
        server = Running(wrong, tmp_path)
        try:
            server.wait_for("refused the connection")
        finally:
            assert server.stop() == 0
        line = next(line for line in server.output().splitlines() if "refused the connection" in line)
        assert "error" in line and "not authorised" in line.lower() and "mqtt.password" in line, line

        password_file = tmp_path / "mqtt-password"
        password_file.write_text("s3cret\n")
        right = with_mqtt(worker_json(zm, pgurl, tmp_path),
                          {"url": url, "username": "zmface", "passwordFile": str(password_file)})
        server = Running(right, tmp_path)
        try:
            server.wait_for("connected to the MQTT broker")
            state = retained(auth_broker.port, ["zmface/availability"], extra=["-u", "zmface", "-P", "s3cret"])
            assert state == {"zmface/availability": "online"}
        finally:
            assert server.stop() == 0
    finally:
        auth_broker.stop()


def test_people_a_reloaded_model_learned_appear_at_once(zm, pgurl, tmp_path, hostile_model, renamed_model, broker):
    """`serve` switches to a model that knows other people (worker.json's classifier.model edited
    while it runs): their presence entities are published at once, OFF, before any sighting, and
    the entities of the people the new model no longer knows are removed (empty retained configs)."""
    config = with_mqtt(worker_json(zm, pgurl, tmp_path, model=hostile_model, enabled=False),
                       {"url": f"mqtt://127.0.0.1:{broker.port}"})
    sub = Collector(broker.port, topics=("homeassistant/binary_sensor/#", "zmface/person/#"))
    server = Running(config, tmp_path, command="serve")
    try:
        configs = lambda: {t: p for t, p in sub.on("homeassistant/binary_sensor/")}  # noqa: E731
        sub.wait_for(lambda: len(configs()) == 2, what="the first model's two people")
        first = {json.loads(p)["name"]: t for t, p in configs().items()}
        assert set(first) == {OBAMA, BIDEN}
        edited = json.loads(config.read_text())
        edited["classifier"]["model"] = str(renamed_model)
        config.write_text(json.dumps(edited))
        server.wait_for("classifier switched")
        sub.wait_for(lambda: len(configs()) == 4 and all(configs()[t] == "" for t in first.values()),
                     timeout=30, what="the new people's entities and the old ones removed")
    finally:
        assert server.stop() == 0
        sub.stop()
    now = {json.loads(p)["name"]: t for t, p in configs().items() if p}
    assert set(now) == {"ann", "carol"}
    assert all(dict(sub.on("zmface/person/"))[f"zmface/person/{n}/presence"] == "OFF" for n in now)
    state = retained(broker.port, ["homeassistant/#"])
    assert {json.loads(p)["name"] for p in state.values()} == {"ann", "carol"}, "removed entities are not retained"


def test_home_assistant_restart_gets_discovery_again(zm, pgurl, tmp_path, hostile_model, broker):
    """Home Assistant's birth message (`homeassistant/status` = `online`, sent when it starts) makes
    zmface publish its discovery and state again: retained configs wiped from the broker come back."""
    config = with_mqtt(worker_json(zm, pgurl, tmp_path, model=hostile_model, enabled=False),
                       {"url": f"mqtt://127.0.0.1:{broker.port}"})
    server = Running(config, tmp_path, command="serve")
    try:
        server.wait_for("connected to the MQTT broker")
        def presence_configs():
            found = retained(broker.port, ["homeassistant/#"])
            return found if len(found) == 2 and all(t.endswith("/config") for t in found) else None

        before = wait_until(presence_configs, timeout=30, what="the two presence configs")
        for topic in before:  # wipe them, as a broker that lost its retained messages would
            subprocess.run(["mosquitto_pub", "-p", str(broker.port), "-t", topic, "-r", "-n"], check=True)
        assert retained(broker.port, ["homeassistant/#"]) == {}
        subprocess.run(["mosquitto_pub", "-p", str(broker.port), "-t", "homeassistant/status", "-m", "online"],
                       check=True)
        server.wait_for("publishing retained state again")
        after = wait_until(lambda: retained(broker.port, ["homeassistant/#"]) or None, timeout=30,
                           what="the configs again")
    finally:
        assert server.stop() == 0
    assert after == before
