"""The whole labelling loop, end to end, with nothing seeded: ZoneMinder events of a person the
model does not know are ingested by the real `zmface ingest` (crops written, unknown faces
clustered across events), the cluster appears on the page with its crops, it is named in the
browser, Retrain is started from the page with "re-label the last days", and then:
- the re-labelling backfill names that person in the old events (the model's own `name`, not only
  the user's label), and
- a new event of that person, with a photo that was in no event and in no training set, is named
  by the running server with the model the page trained.

The person is John Salley of the recognition set (real, different photos); the starting model
knows three other people and strangers (test_api_train.base_dataset)."""

import json
import shutil

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import new_browser
from test_api_train import NEW, base_dataset, photos  # noqa: F401  (base_dataset is a fixture)
from test_page import card, name_cluster, shoot, visible, wait, wait_toast
from webfixture import free_port
from zmfixture import frames_from
from zmface_run import Running, rows, wait_until, worker_json

TRAINING = 900  # bound of the wait for the train job (encode, train, re-label on 2 shared cores)


def test_ingest_cluster_name_retrain_relabel_and_name_a_new_event(zm, pgurl, tmp_path, recognition_set,
                                                                  base_dataset):
    dataset_src, base_model = base_dataset
    dataset, model, crops = tmp_path / "dataset", tmp_path / "faces.model", tmp_path / "crops"
    shutil.copytree(dataset_src, dataset)
    shutil.copy(base_model, model)
    salley = [str(p) for p in photos(NEW)]
    held_back, seen = salley[-1], salley[:8]

    zm.add_monitor(1, "Front door")
    # Four events with two photos each: no photo twice, so only clustering across events groups them.
    old_events = [zm.create_event(1, "Medium", frames_from(seen[2 * i:2 * i + 2], 2), alarm={1, 2}).id
                  for i in range(4)]
    config = worker_json(zm, pgurl, tmp_path, model=model)
    settings = json.loads(config.read_text())
    settings["classifier"].pop("minProba")  # the trained model's own calibrated threshold
    # The recognition set's photos are 150 px, scaled up into the frame: too soft for the default
    # focus gate, which would store them without an encoding (nothing to cluster or train from).
    settings["recognition"] = {"focusThreshold": 0}
    settings["faces"] = {"cropsPath": str(crops), "datasetPath": str(dataset), "cluster": {"intervalSeconds": 0.5}}
    port = free_port()
    settings["web"] = {"address": f"127.0.0.1:{port}"}
    config.write_text(json.dumps(settings))
    url = f"http://127.0.0.1:{port}"

    server = Running(config, tmp_path)
    browser = new_browser(1280, 800)
    try:
        wait_until(lambda: rows(pgurl, "SELECT count(*) FROM detections WHERE clustered")[0][0] == 8,
                   timeout=300, what="all eight faces clustered")
        clustered = rows(pgurl, "SELECT cluster_id, count(*), count(name) FROM detections GROUP BY 1")
        assert len(clustered) == 1 and clustered[0][1:] == (8, 0), \
            f"one cluster of 8 faces across 4 events, none named by the starting model: {clustered}"
        cid = clustered[0][0]

        # The cluster on the Unknown tab, with its crops loaded from the crops folder.
        browser.get(f"{url}/#unknown")
        card(browser, cid)
        wait(browser, lambda d: len(d.find_elements(
            By.CSS_SELECTOR, f'#clusters .card[data-cluster="{cid}"] .crop img.loaded')) >= 4, "the cluster's crops")
        shoot(browser, "loop-unknown-desktop")
        name_cluster(browser, cid, "John Salley")
        wait_toast(browser, "named John Salley")
        assert rows(pgurl, "SELECT DISTINCT label FROM detections") == [("John Salley",)]

        # Retrain from the page, re-labelling the last 30 days.
        browser.get(f"{url}/#train")
        visible(browser, "#train-state")
        days = browser.find_element(By.ID, "relabel-days")
        days.clear()
        days.send_keys("30")
        browser.find_element(By.ID, "train-go").click()
        wait_toast(browser, "Training started")
        WebDriverWait(browser, TRAINING).until(
            lambda d: d.find_element(By.ID, "train-state").text.lower() in ("done", "failed"), "the job's end")
        shoot(browser, "loop-train-done-desktop")
        assert browser.find_element(By.ID, "train-state").text.lower() == "done", \
            browser.find_element(By.ID, "train-log").text
        assert len(list((dataset / "John Salley").iterdir())) == 8, "the eight named crops became training photos"

        # The re-labelling names him in the old events: the model's name, each event run again.
        named = rows(pgurl, "SELECT event_id, name FROM detections ORDER BY 1, 2")
        assert {name for _, name in named} == {"John Salley"} and {e for e, _ in named} == set(old_events), named
        assert rows(pgurl, "SELECT DISTINCT runs FROM events") == [(2,)]
        assert rows(pgurl, "SELECT DISTINCT label, cluster_id FROM detections") == [("John Salley", cid)], \
            "the user's label and the cluster survive the re-run"

        # A new event with a photo in no event and no training set: named by the running server.
        new = zm.create_event(1, "Medium", frames_from([held_back], 2), alarm={1, 2}).id
        wait_until(lambda: rows(pgurl, "SELECT 1 FROM events WHERE event_id = %s", (new,)), timeout=300,
                   what="the new event committed")
        assert [n for n, in rows(pgurl, "SELECT name FROM detections WHERE event_id = %s", (new,))] == \
            ["John Salley"] * 2
        browser.get(f"{url}/#recent")
        visible(browser, f'#events .event[data-event="{new}"] .face-chip[data-name="John Salley"]')
        shoot(browser, "loop-recent-desktop")
    finally:
        browser.quit()
        assert server.stop() == 0, server.output()
