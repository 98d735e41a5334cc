"""The labelling loop in the browser: a cluster of unknown faces is named on the Unknown tab, Retrain
on the Train tab runs the server's real train job (export, `zmface encode`, `zmface train`, reload)
with its progress shown live, and the new person is then a person with training photos. The model
it starts from is the API train test's (test_api_train.base_dataset)."""

import shutil

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from test_api_train import NEW, base_dataset, photos  # noqa: F401  (base_dataset is a fixture)
from test_page import card, name_cluster, open_tab, shoot, visible, wait, wait_toast

TRAINING = 900  # bound of the wait for the whole job (encode and train on 2 shared cores)


def test_retrain_from_the_page_shows_progress_and_learns_the_named_cluster(web, seed, recognition_set, base_dataset,
                                                                          tmp_path, browser):
    dataset_src, base_model = base_dataset
    dataset = tmp_path / "dataset"
    shutil.copytree(dataset_src, dataset)
    model = tmp_path / "faces.model"
    shutil.copy(base_model, model)
    faces = photos(NEW)[:-1]
    cid = seed.cluster()
    for event_id, photo in enumerate(faces, start=1):
        seed.event(event_id)
        seed.face(event_id, 1, 0, photo, cluster=cid)
    seed.refresh(cid)
    server = web(classifier=model, dataset=dataset)

    open_tab(browser, server, "unknown")
    card(browser, cid)
    name_cluster(browser, cid, "John Salley")
    wait_toast(browser, "named John Salley")

    open_tab(browser, server, "train")
    assert visible(browser, "#train-state").text.lower() == "idle"
    # Every state and progress value the page shows is recorded as it changes.
    browser.execute_script("""
        window.seen = {states: [], progress: []};
        const note = () => {
            seen.states.push(document.querySelector('#train-state').textContent);
            seen.progress.push(Number(document.querySelector('#train-progress').getAttribute('aria-valuenow')));
        };
        new MutationObserver(note).observe(document.querySelector('#train-status'),
            {subtree: true, childList: true, characterData: true, attributes: true});
    """)
    days = browser.find_element(By.ID, "relabel-days")
    days.clear()
    days.send_keys("0")
    browser.find_element(By.ID, "train-go").click()
    wait_toast(browser, "Training started")
    wait(browser, lambda d: d.find_element(By.ID, "train-go").text == "Training…", "the running job")
    assert not browser.find_element(By.ID, "train-go").is_enabled()
    assert browser.find_element(By.ID, "train-dot").is_displayed()
    shoot(browser, "train-running-desktop")
    WebDriverWait(browser, TRAINING).until(
        lambda d: d.find_element(By.ID, "train-state").text.lower() in ("done", "failed"), "the job's end")
    status = server.get("/api/train/status").json()
    assert status["state"] == "done", status
    assert browser.find_element(By.ID, "train-state").text.lower() == "done"
    assert browser.find_element(By.ID, "train-progress").get_attribute("aria-valuenow") == "100"
    log = browser.find_element(By.ID, "train-log").text
    assert status["log"] and status["log"][-1] in log
    assert browser.find_element(By.ID, "train-message").text == status["message"]
    seen = browser.execute_script("return window.seen")
    running = {"exporting", "encoding", "training", "reloading"}
    assert running & {s.lower() for s in seen["states"]}, seen["states"]
    assert any(0 < p < 100 for p in seen["progress"]) or len(set(seen["progress"])) > 2, seen["progress"]
    assert browser.find_element(By.ID, "train-go").is_enabled()
    assert not browser.find_element(By.ID, "train-dot").is_displayed()
    shoot(browser, "train-done-desktop")

    # the named cluster is now a person with its faces as training photos
    open_tab(browser, server, "people")
    person = visible(browser, '#people [data-person="John Salley"]')
    assert f"{len(faces)} training photos" in person.text


def test_train_tab_says_when_this_server_cannot_train(web, browser):
    """Without a model file and dataset the Train tab offers no Retrain button to press and says what is
    missing, instead of failing when pressed."""
    server = web()
    open_tab(browser, server, "train")
    wait(browser, lambda d: d.find_element(By.ID, "train-go").text == "Retrain unavailable", "the unavailable button")
    assert not browser.find_element(By.ID, "train-go").is_enabled()
    assert "classifier.model" in visible(browser, "#train-message").text
    shoot(browser, "train-unavailable-desktop")
