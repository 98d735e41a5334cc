"""The faces page in a real browser: headless Debian chromium (selenium + chromedriver) on the page
the real zmface binary serves, over a real PostgreSQL seeded with real crops (conftest's
`scene`). Each test says what a user must see or what the database must hold after a click.
No wall-clock assertions: every wait is an explicit condition (generous bounds only so a broken
page fails instead of hanging). Screenshots of every tab go to .cache/web-screenshots/."""

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import CAMERAS, SCREENSHOTS, new_browser, stage_scene

WAIT = 120  # bound of each explicit wait: a missing element fails the test instead of hanging it


# ------------------------------------------------------------------------------------ helpers

def wait(driver, condition, what):
    return WebDriverWait(driver, WAIT, ignored_exceptions=(StaleElementReferenceException,)).until(
        condition, message=f"waiting for {what}")


def css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def visible(driver, selector):
    return wait(driver, EC.visibility_of_element_located((By.CSS_SELECTOR, selector)), selector)


def open_tab(driver, scene, tab):
    """Loads the page on `tab` and waits until its content (cards, or its empty state) is there."""
    driver.get(f"{scene.url}/#{tab}")
    ready = {
        "recent": "#events .event, #events .empty",
        "unknown": "#clusters .card, #clusters .empty",
        "people": "#people .card, #people .empty",
        "train": "#train-state:not(:empty)",
    }[tab.split("/")[0]]
    if tab.startswith("people/"):
        ready = "#person-detail .person-head"
    wait(driver, lambda d: any(e.is_displayed() for e in css(d, ready)), f"the {tab} tab")


def crops_settled(driver):
    """True when every crop in view has either loaded or been found missing."""
    return driver.execute_script(
        """return [...document.querySelectorAll('.crop img')].every(img => {
               const r = img.getBoundingClientRect();
               const near = r.width > 0 && r.bottom > -50 && r.top < innerHeight + 50;
               return !near || img.classList.contains('loaded') || img.classList.contains('missing');
           });""")


def shoot(driver, name):
    wait(driver, crops_settled, "the crops in view")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def toast_texts(driver):
    return [t.text for t in css(driver, "#toasts .toast")]


def wait_toast(driver, contains, error=None):
    sel = "#toasts .toast" + (".error" if error else "")
    return wait(driver, lambda d: next((t.text for t in css(d, sel) if contains in t.text), None),
                f"a toast saying {contains!r}")


def card(driver, cluster_id):
    return visible(driver, f'#clusters .card[data-cluster="{cluster_id}"]')


def gone(driver, selector):
    wait(driver, lambda d: not css(d, selector), f"{selector} to go")


def no_horizontal_scroll(driver):
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")




# ------------------------------------------------------------------------------------ rendering

def test_recent_shows_events_newest_first_with_names_crops_and_zoneminder_links(scene, browser):
    open_tab(browser, scene, "recent")
    ids = [int(e.get_attribute("data-event")) for e in css(browser, "#events .event")]
    assert ids == scene.events[:len(ids)] and len(ids) == len(scene.events)
    # each event lists the people its decision named, with their crops
    for event_id in ids:
        names = {r[0] for r in scene.rows(
            "SELECT name FROM event_summaries WHERE event_id = %s AND name IS NOT NULL AND seen", (event_id,))}
        shown = {c.get_attribute("data-name") for c in
                 css(browser, f'.event[data-event="{event_id}"] .face-chip') if c.get_attribute("data-name")}
        assert shown == names, event_id
    link = css(browser, f'.event[data-event="{ids[0]}"] a.event-link')[0]
    assert link.get_attribute("href") == f"http://zm.example/zm/index.php?view=event&eid={ids[0]}"
    wait(browser, crops_settled, "crops")
    loaded = browser.execute_script(
        "return [...document.querySelectorAll('.event .crop img.loaded')].map(i => i.naturalWidth)")
    assert loaded and all(w > 0 for w in loaded)
    shoot(browser, "recent-desktop")


def test_recent_filters_by_person_and_camera(scene, browser):
    """The Recent tab's filters: a person shows only the events where they were seen, a camera only its
    events, both together their intersection; Everyone/All cameras show everything again."""
    def shown():
        return [int(e.get_attribute("data-event")) for e in css(browser, "#events .event")]

    def expect(sql, params=()):
        return [r[0] for r in scene.rows(sql, params)]

    def choose(select, value):
        Select(browser.find_element(By.CSS_SELECTOR, select)).select_by_value(value)

    open_tab(browser, scene, "recent")
    wait(browser, lambda d: len(css(d, "#recent-camera option")) == 4 and len(css(d, "#recent-person option")) >= 3,
         "the filters' options")
    assert [o.text for o in css(browser, "#recent-camera option")] == ["All cameras"] + sorted(CAMERAS.values())
    alice = expect("""SELECT DISTINCT event_id FROM event_summaries WHERE name = 'Alice' AND seen
                      ORDER BY event_id DESC""")
    choose("#recent-person", "Alice")
    wait(browser, lambda d: shown() == alice, "Alice's events")
    # the camera of Alice's newest event (she was seen on more than one)
    garden = expect("SELECT monitor_id FROM events WHERE event_id = %s", (alice[0],))[0]
    choose("#recent-camera", str(garden))
    both = expect("""SELECT DISTINCT s.event_id FROM event_summaries s JOIN events e USING (event_id)
                     WHERE s.name = 'Alice' AND s.seen AND e.monitor_id = %s ORDER BY s.event_id DESC""", (garden,))
    wait(browser, lambda d: shown() == both and len(both) < len(alice), "Alice's events on one camera")
    shoot(browser, "recent-filtered-desktop")
    choose("#recent-person", "")
    wait(browser, lambda d: shown() == expect("SELECT event_id FROM events WHERE monitor_id = %s ORDER BY event_id DESC",
                                              (garden,)), "one camera's events")
    choose("#recent-camera", "")
    wait(browser, lambda d: shown() == scene.events, "every event again")


def test_recent_pages_by_scrolling_without_gaps_or_repeats(scene, browser):
    # 70 older events without faces: more than two pages of 30
    scene.rows("""INSERT INTO events (event_id, monitor_id, monitor_name, cause, start_time, end_time, frame_count,
                     outcome, frames_selected, faces, model_version)
                 SELECT i, 1, 'Front door', 'Motion', now() - interval '3 days' - i * interval '1 minute', NULL, 10,
                     'processed', 0, 0, 'test' FROM generate_series(1, 70) AS i""")
    expected = [r[0] for r in scene.rows("SELECT event_id FROM events ORDER BY event_id DESC")]
    open_tab(browser, scene, "recent")
    # scrolling to the end loads the next pages until the API says there are no more
    wait(browser, lambda d: d.execute_script("window.scrollTo(0, document.body.scrollHeight); "
                                             "return document.querySelector('#events-pager .end') !== null"),
         "the end of the list")
    ids = [int(e.get_attribute("data-event")) for e in css(browser, "#events .event")]
    assert ids == expected


def test_unknown_shows_clusters_with_samples_counts_and_cameras(scene, browser):
    open_tab(browser, scene, "unknown")
    for key, cid in scene.clusters.items():
        c = card(browser, cid)
        faces = len(scene.cluster_faces[key])
        assert f"{faces} faces" in c.text
        samples = [i for i in c.find_elements(By.CSS_SELECTOR, ".mosaic .crop img") if i.get_attribute("data-src")]
        assert len(samples) == min(8, faces)
        cameras = {r[0] for r in scene.rows(
            "SELECT DISTINCT e.monitor_name FROM detections d JOIN events e USING (event_id) WHERE d.cluster_id = %s",
            (cid,))}
        assert {ch.text for ch in c.find_elements(By.CSS_SELECTOR, ".chip")} == cameras
    assert visible(browser, "#unknown-count").text == str(len(scene.clusters))
    # the crop whose file is gone shows the placeholder, not a broken image
    wait(browser, lambda d: css(d, f'#clusters .card[data-cluster="{scene.clusters["rock"]}"] img.missing'),
         "the missing crop's placeholder")
    shoot(browser, "unknown-desktop")


def test_people_lists_everyone_with_training_photos_and_sightings(scene, browser):
    open_tab(browser, scene, "people")
    names = [c.get_attribute("data-person") for c in css(browser, "#people .person-card")]
    assert names == ["Alice", "Bob"]
    assert "3 training photos" in css(browser, '#people [data-person="Alice"]')[0].text
    shoot(browser, "people-desktop")
    css(browser, '#people [data-person="Alice"]')[0].click()
    visible(browser, "#person-detail .person-head")
    wait(browser, lambda d: len(css(d, "#person-detail .photo")) == 3, "Alice's 3 training photos")
    assert len(css(browser, "#person-detail .sightings .face-chip")) == len(scene.people_faces["Alice"])
    shoot(browser, "person-desktop")


def test_train_tab_shows_the_job_state(scene, browser):
    """The idle job, and Retrain offered exactly when the server can train (the scene's server has no
    model file: test_page_train presses an enabled Retrain on one that has)."""
    open_tab(browser, scene, "train")
    assert visible(browser, "#train-state").text.lower() == "idle"
    available = scene.server.get("/api/train/status").json()["available"]
    assert available is False
    wait(browser, lambda d: not d.find_element(By.ID, "train-go").is_enabled(), "Retrain disabled")
    shoot(browser, "train-desktop")


def test_every_tab_has_an_empty_state(empty_scene, browser):
    open_tab(browser, empty_scene, "recent")
    assert "No events yet" in visible(browser, "#events .empty").text
    open_tab(browser, empty_scene, "unknown")
    assert "No unknown faces yet" in visible(browser, "#clusters .empty").text
    assert not browser.find_element(By.ID, "unknown-count").is_displayed()
    open_tab(browser, empty_scene, "people")
    assert "Nobody yet" in visible(browser, "#people .empty").text
    open_tab(browser, empty_scene, "train")
    assert visible(browser, "#train-state").text.lower() == "idle"
    shoot(browser, "empty-train-desktop")
    open_tab(browser, empty_scene, "unknown")
    shoot(browser, "empty-unknown-desktop")


@pytest.mark.parametrize("tab", ["recent", "unknown", "people", "people/Alice", "train"])
def test_phone_viewport_has_no_horizontal_scroll(scene, phone, tab):
    open_tab(phone, scene, tab)
    assert phone.execute_script("return window.innerWidth") == 390
    assert no_horizontal_scroll(phone)
    shoot(phone, f"{tab.replace('/', '-')}-phone")


def test_phone_sheets_fit_the_screen(scene, phone):
    open_tab(phone, scene, "unknown")
    card(phone, scene.clusters["simm"]).find_element(By.CSS_SELECTOR, ".mosaic").click()
    wait(phone, lambda d: len(css(d, "#cluster-faces .face-chip")) == len(scene.cluster_faces["simm"]), "the faces")
    assert no_horizontal_scroll(phone)
    width = phone.execute_script("return document.getElementById('cluster-dialog').getBoundingClientRect().width")
    assert width <= 390
    shoot(phone, "cluster-phone")
    phone.find_element(By.ID, "cluster-close").click()
    open_face(phone, scene, scene.people_faces["Alice"][0])
    assert no_horizontal_scroll(phone)
    shoot(phone, "face-phone")


@pytest.mark.parametrize("tab", ["recent", "unknown", "people", "people/Alice", "train"])
def test_every_control_has_an_accessible_name(scene, browser, tab):
    open_tab(browser, scene, tab)
    unnamed = browser.execute_script("""
        const name = el => (el.getAttribute('aria-label') || el.textContent || el.title ||
                            [...(el.labels || [])].map(l => l.textContent).join(' ')).trim();
        return [...document.querySelectorAll('button, input, a[href], [role=tab]')]
            .filter(el => el.getClientRects().length && !name(el))
            .map(el => el.outerHTML.slice(0, 120));""")
    assert unnamed == []


# ------------------------------------------------------------------------------------ labelling

def name_cluster(driver, cluster_id, name):
    c = card(driver, cluster_id)
    field = c.find_element(By.CSS_SELECTOR, ".name-form input")
    field.clear()
    field.send_keys(name)
    c.find_element(By.CSS_SELECTOR, ".name-form button").click()


def test_naming_a_cluster_labels_its_faces_in_postgres(scene, browser):
    cid = scene.clusters["salley"]
    open_tab(browser, scene, "unknown")
    name_cluster(browser, cid, "Carol")
    wait_toast(browser, "named Carol")
    gone(browser, f'#clusters .card[data-cluster="{cid}"]')
    assert scene.rows("SELECT state, name FROM face_clusters WHERE cluster_id = %s", (cid,)) == [("named", "Carol")]
    labels = scene.rows("SELECT label, label_kind FROM detections WHERE cluster_id = %s", (cid,))
    assert labels and set(labels) == {("Carol", "person")} and len(labels) == len(scene.cluster_faces["salley"])
    # the new person is offered by the datalist and listed in People
    assert "Carol" in [o.get_attribute("value") for o in css(browser, "#people-names option")]
    open_tab(browser, scene, "people")
    visible(browser, '#people [data-person="Carol"]')


def test_naming_a_cluster_as_an_existing_person(scene, browser):
    cid = scene.clusters["savage"]
    open_tab(browser, scene, "unknown")
    wait(browser, lambda d: "Alice" in [o.get_attribute("value") for o in css(d, "#people-names option")],
         "Alice in the name suggestions")
    name_cluster(browser, cid, "Alice")
    wait_toast(browser, "named Alice")
    assert set(scene.rows("SELECT label FROM detections WHERE cluster_id = %s", (cid,))) == {("Alice",)}


def test_merge_selected_clusters(scene, browser):
    big, small = scene.clusters["salley"], scene.clusters["rock"]
    open_tab(browser, scene, "unknown")
    assert not browser.find_element(By.ID, "merge-bar").is_displayed()
    card(browser, small).find_element(By.CSS_SELECTOR, ".select-box input").click()
    card(browser, big).find_element(By.CSS_SELECTOR, ".select-box input").click()
    merge = visible(browser, "#merge-go")
    assert merge.text == "Merge 2"
    merge.click()
    wait_toast(browser, "Merged 2 groups")
    gone(browser, f'#clusters .card[data-cluster="{small}"]')
    # the larger group keeps its id and gets every face
    expected = set(scene.cluster_faces["salley"]) | set(scene.cluster_faces["rock"])
    members = {r[0] for r in scene.rows(
        "SELECT event_id || '-' || frame_id || '-' || face_index FROM detections WHERE cluster_id = %s", (big,))}
    assert members == expected
    assert scene.rows("SELECT count(*) FROM face_clusters WHERE cluster_id = %s", (small,)) == [(0,)]
    wait(browser, lambda d: f"{len(expected)} faces" in card(d, big).text, "the merged count")


def test_split_selected_faces_into_a_new_cluster(scene, browser):
    cid = scene.clusters["simm"]
    open_tab(browser, scene, "unknown")
    card(browser, cid).find_element(By.CSS_SELECTOR, ".mosaic").click()
    visible(browser, "#cluster-dialog")
    wait(browser, lambda d: len(css(d, "#cluster-faces .face-chip")) == len(scene.cluster_faces["simm"]),
         "all the group's faces")
    for face in scene.intruders:
        browser.find_element(By.CSS_SELECTOR, f'#cluster-faces .face-chip[data-face="{face}"]').click()
    split = browser.find_element(By.ID, "split-go")
    assert split.text == f"Split {len(scene.intruders)} faces off"
    shoot(browser, "cluster-split-desktop")
    split.click()
    wait_toast(browser, "split into a new group")
    wait(browser, lambda d: len(css(d, "#cluster-faces .face-chip")) ==
         len(scene.cluster_faces["simm"]) - len(scene.intruders), "the group without the split faces")
    rows = scene.rows(
        "SELECT DISTINCT d.cluster_id, c.state FROM detections d JOIN face_clusters c USING (cluster_id) "
        "WHERE d.event_id || '-' || d.frame_id || '-' || d.face_index = ANY(%s)", (scene.intruders,))
    assert len(rows) == 1 and rows[0][0] != cid and rows[0][1] == "open"
    browser.find_element(By.ID, "cluster-close").click()
    card(browser, rows[0][0])  # the new group is on the page


def test_ignore_hides_a_cluster_and_marks_its_faces_strangers(scene, browser):
    cid = scene.clusters["savage"]
    open_tab(browser, scene, "unknown")
    card(browser, cid).find_element(By.XPATH, ".//button[normalize-space()='Ignore']").click()
    wait_toast(browser, "ignored")
    gone(browser, f'#clusters .card[data-cluster="{cid}"]')
    assert scene.rows("SELECT state FROM face_clusters WHERE cluster_id = %s", (cid,)) == [("ignored",)]
    assert set(scene.rows("SELECT label_kind FROM detections WHERE cluster_id = %s", (cid,))) == {("stranger",)}
    browser.refresh()
    wait(browser, lambda d: css(d, "#clusters .card"), "the reloaded list")
    assert not css(browser, f'#clusters .card[data-cluster="{cid}"]')


def test_delete_asks_first_then_removes_the_cluster_and_its_crops(scene, browser):
    cid = scene.clusters["savage"]
    open_tab(browser, scene, "unknown")
    delete = card(browser, cid).find_element(By.XPATH, ".//button[normalize-space()='Delete']")
    delete.click()
    visible(browser, "#confirm-dialog")
    browser.find_element(By.CSS_SELECTOR, '#confirm-dialog button[value="cancel"]').click()
    wait(browser, lambda d: not d.find_element(By.ID, "confirm-dialog").is_displayed(), "the question to close")
    assert scene.rows("SELECT count(*) FROM face_clusters WHERE cluster_id = %s", (cid,)) == [(1,)]
    delete.click()
    visible(browser, "#confirm-ok").click()
    wait_toast(browser, "deleted")
    gone(browser, f'#clusters .card[data-cluster="{cid}"]')
    assert scene.rows("SELECT count(*) FROM face_clusters WHERE cluster_id = %s", (cid,)) == [(0,)]
    for face in scene.cluster_faces["savage"]:
        event, frame, index = face.split("-")
        assert not (scene.crops / event / f"{frame}-{index}.jpg").exists()


def open_face(driver, scene, face_id):
    open_tab(driver, scene, "recent")
    visible(driver, f'#events .face-chip[data-face="{face_id}"]').click()
    return visible(driver, "#face-dialog")


def test_not_this_person_makes_the_face_a_stranger_example(scene, browser):
    face = scene.people_faces["Alice"][0]
    open_face(browser, scene, face)
    button = visible(browser, "#face-not")
    assert button.text == "Not Alice"
    shoot(browser, "face-desktop")
    button.click()
    wait_toast(browser, "not Alice")
    event, frame, index = face.split("-")
    assert scene.rows("SELECT label, label_kind FROM detections WHERE event_id = %s AND frame_id = %s "
                     "AND face_index = %s", (event, frame, index)) == [(None, "stranger")]


def test_this_is_relabels_a_face(scene, browser):
    face = scene.people_faces["Bob"][0]
    open_face(browser, scene, face)
    field = browser.find_element(By.ID, "face-name")
    field.send_keys("Alice", Keys.ENTER)
    wait_toast(browser, "Labelled as Alice")
    event, frame, index = face.split("-")
    assert scene.rows("SELECT label, label_kind FROM detections WHERE event_id = %s AND frame_id = %s "
                     "AND face_index = %s", (event, frame, index)) == [("Alice", "person")]
    # Recent now shows the user's word
    wait(browser, lambda d: css(d, f'#events .face-chip[data-face="{face}"][data-name="Alice"]'), "the new name")


def test_rename_a_person_and_remove_a_training_photo(scene, browser):
    labelled = scene.people_faces["Bob"][0]  # one of Bob's faces confirmed by the user
    assert scene.server.post(f"/api/faces/{labelled}/correct", {"name": "Bob"}).status == 200
    open_tab(browser, scene, "people/Bob")
    wait(browser, lambda d: len(css(d, "#person-detail .photo")) == 2, "Bob's photos")
    photo = css(browser, "#person-detail .photo")[0]
    file = photo.get_attribute("data-file")
    photo.find_element(By.CSS_SELECTOR, ".remove").click()
    visible(browser, "#confirm-ok").click()
    wait_toast(browser, f"Removed {file}")
    assert not (scene.dataset / "Bob" / file).exists()
    wait(browser, lambda d: len(css(d, "#person-detail .photo")) == 1, "one photo left")
    browser.find_element(By.XPATH, "//div[@id='person-detail']//button[normalize-space()='Rename']").click()
    field = visible(browser, "#prompt-input")
    field.clear()
    field.send_keys("Robert")
    browser.find_element(By.ID, "prompt-ok").click()
    wait_toast(browser, "Bob is now Robert")
    wait(browser, lambda d: d.current_url.endswith("#people/Robert"), "Robert's page")
    visible(browser, "#person-detail .person-head")
    assert browser.find_element(By.CSS_SELECTOR, "#person-detail h1").text == "Robert"
    assert (scene.dataset / "Robert").is_dir() and not (scene.dataset / "Bob").exists()
    event, frame, index = labelled.split("-")
    assert scene.rows("SELECT label FROM detections WHERE event_id = %s AND frame_id = %s AND face_index = %s",
                     (event, frame, index)) == [("Robert",)]


def test_api_error_shows_as_a_toast_with_the_api_message(scene, browser):
    cid = scene.clusters["rock"]
    # what the API itself answers to that name (it changes nothing)
    answer = scene.server.post(f"/api/clusters/{cid}/label", {"name": "../etc"})
    assert answer.status == 422, answer
    expected = answer.json()["error"]
    open_tab(browser, scene, "unknown")
    name_cluster(browser, cid, "../etc")
    text = wait_toast(browser, expected, error=True)
    assert expected in text
    assert scene.rows("SELECT state FROM face_clusters WHERE cluster_id = %s", (cid,)) == [("open",)]
    card(browser, cid)  # still offered


def test_two_browsers_labelling_at_once_stay_consistent(scene, browser):
    other = new_browser(1280, 800)
    try:
        salley, rock = scene.clusters["salley"], scene.clusters["rock"]
        for d in (browser, other):
            open_tab(d, scene, "unknown")
            card(d, salley), card(d, rock)
        # both name the same group, one after the other, from pages that were loaded before either
        name_cluster(browser, salley, "Dora")
        wait_toast(browser, "named Dora")
        name_cluster(other, salley, "Eve")
        wait(other, lambda d: toast_texts(d), "the second browser's answer")
        cluster = scene.rows("SELECT state, name FROM face_clusters WHERE cluster_id = %s", (salley,))
        labels = set(scene.rows("SELECT label FROM detections WHERE cluster_id = %s", (salley,)))
        assert cluster[0][0] == "named" and labels == {(cluster[0][1],)}
        # the first browser merges rock away while the second, not knowing, names it
        card(browser, rock).find_element(By.CSS_SELECTOR, ".select-box input").click()
        card(browser, scene.clusters["savage"]).find_element(By.CSS_SELECTOR, ".select-box input").click()
        visible(browser, "#merge-go").click()
        wait_toast(browser, "Merged 2 groups")
        name_cluster(other, rock, "Frank")
        wait_toast(other, "", error=True)
        # the second browser's list follows the database after the refused change
        gone(other, f'#clusters .card[data-cluster="{rock}"]')
        open_tab(browser, scene, "unknown")
        ids = lambda d: sorted(c.get_attribute("data-cluster") for c in css(d, "#clusters .card"))
        wait(other, lambda d: ids(d) == ids(browser), "both browsers showing the same groups")
        assert scene.rows("SELECT count(*) FROM detections WHERE label = 'Frank'") == [(0,)]
    finally:
        other.quit()


# ------------------------------------------------------------------------------------ access and looks

TOKEN = "page-test-token-0123456789"


def test_with_a_token_the_page_works_once_the_browser_has_it(web, seed, recognition_set, tmp_path, browser):
    """With web.token the server asks the browser for HTTP basic credentials (the token as password):
    without them nothing of the page is served; with them (as after the browser's own login prompt)
    every part works: the API, the crops and changes."""
    staged = stage_scene(seed, recognition_set, tmp_path / "dataset")
    staged.server = web(dataset=staged.dataset, token=TOKEN)
    refused = staged.server.get("/", token=False)
    assert refused.status == 401 and refused.headers.get("WWW-Authenticate", "").startswith("Basic")
    host = staged.url.removeprefix("http://")
    browser.get(f"http://viewer:{TOKEN}@{host}/#unknown")
    card(browser, staged.clusters["salley"])
    wait(browser, crops_settled, "the crops")
    assert browser.execute_script("return document.querySelectorAll('.mosaic img.loaded').length") > 0
    rock = staged.clusters["rock"]
    name_cluster(browser, rock, "Gina")
    wait_toast(browser, "named Gina")
    assert staged.rows("SELECT name FROM face_clusters WHERE cluster_id = %s", (rock,)) == [("Gina",)]


def test_dark_mode_follows_the_system(scene, browser):
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    open_tab(browser, scene, "unknown")
    dark = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
    shoot(browser, "unknown-desktop-dark")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-color-scheme", "value": "light"}]})
    light = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
    assert dark == "rgb(17, 20, 24)" and light == "rgb(246, 247, 249)"
