"""detect_faces through the real zerorpc-python 0.6.3 client, as the original's callers use it."""

import json

import gevent
import pytest

from conftest import OBAMA_BACKGROUND_BOX, OBAMA_FACE_BOX, person


def call_detect(client, objects):
    reply = client.detect_faces(objects)
    assert isinstance(reply, str), "detect_faces returns JSON text, as the original did"
    return json.loads(reply)


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_face_in_person_box_and_none_on_background(start_server, photo, tmp_path, transport):
    """A person box around a face gets a face; one on background gets null. Same over ipc and tcp."""
    endpoint = f"ipc://{tmp_path}/face.sock" if transport == "ipc" else None
    server = start_server(endpoint=endpoint)
    client = server.client()
    objects = [{"image": photo("obama.jpg"), "extra": "kept",
                "labels": [person(*OBAMA_FACE_BOX), person(*OBAMA_BACKGROUND_BOX),
                           {"id": 18, "name": "dog", "score": 0.9}]},
               {"image": photo("biden.jpg"), "labels": []}]
    result = call_detect(client, objects)

    assert len(result) == 2 and result[0]["extra"] == "kept" and result[1] == objects[1]
    face_label, background_label, dog = result[0]["labels"]
    # No classifier is configured: a found face is reported, unnamed.
    assert face_label["face"] is None and face_label["faceStatus"] == "unknown"
    assert "faceProba" not in face_label
    [face] = face_label["faces"]
    box = face["box"]
    assert 320 <= box["left"] <= 380 and 120 <= box["top"] <= 170 and 590 <= box["right"] <= 640
    assert face["focus"] > 200 and face["status"] == "unknown"
    assert background_label["face"] is None and background_label["faceStatus"] == "no_face"
    assert background_label["faces"] == []
    assert dog == objects[0]["labels"][2], "non-person labels come back untouched"
    client.close()


def test_key_order_and_python_json_format(start_server, photo):
    """The reply keeps the caller's key order and uses json.dumps' separators; face comes after."""
    server = start_server()
    client = server.client()
    reply = client.detect_faces([{"image": photo("obama.jpg"), "labels": [person(*OBAMA_BACKGROUND_BOX)]}])
    assert reply.startswith('[{"image": "') and '"labels": [{"id": 1, "name": "person", "score": 0.99, "box": {' in reply
    assert '"face": null, "faceStatus": "no_face", "faces": []' in reply
    client.close()


def test_bad_paths_and_boxes_get_a_reason_not_an_error(start_server, photo, tmp_path):
    """Unreadable images, paths outside the image roots and nonsense boxes answer face=null with a status."""
    (tmp_path / "truncated.jpg").write_bytes(open(photo("obama.jpg"), "rb").read()[:20000])
    server = start_server()
    client = server.client()
    result = call_detect(client, [
        {"image": "/etc/passwd", "labels": [person(0, 0, 10, 10)]},
        {"image": str(tmp_path / "../../etc/passwd"), "labels": [person(0, 0, 10, 10)]},
        {"image": str(tmp_path / "missing.jpg"), "labels": [person(0, 0, 10, 10)]},
        {"image": str(tmp_path / "truncated.jpg"), "labels": [person(0, 0, 10, 10)]},
        {"image": photo("obama.jpg"), "labels": [
            person(float("nan"), 0, 100, 100), person(500, 500, 100, 100), person(-50, -50, -10, -10),
            {"name": "person"}, person("a", 0, 10, 10), person(5000, 5000, 6000, 6000)]},
    ])
    statuses = [[label["faceStatus"] for label in element["labels"]] for element in result]
    assert statuses == [["forbidden_path"], ["forbidden_path"], ["unreadable_image"], ["unreadable_image"],
                        ["bad_roi"] * 6]
    assert all(label["face"] is None for element in result for label in element["labels"])
    client.close()


def test_symlink_out_of_the_roots_is_forbidden(start_server, tmp_path):
    """A link inside an image root that points outside it is not followed."""
    link = tmp_path / "link.jpg"
    link.symlink_to("/etc/hostname")
    server = start_server()
    client = server.client()
    [element] = call_detect(client, [{"image": str(link), "labels": [person(0, 0, 10, 10)]}])
    assert element["labels"][0]["faceStatus"] == "forbidden_path"
    client.close()


def test_every_face_in_the_box_is_reported(start_server, photo, tmp_path):
    """Two faces side by side in one person box: both appear in `faces`, in full-image pixels."""
    import subprocess
    pair = tmp_path / "pair.jpg"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", photo("obama.jpg"), "-i", photo("biden.jpg"),
                    "-filter_complex", "[0]scale=-1:800[a];[1]scale=-1:800[b];[a][b]hstack",
                    str(pair)], check=True)
    server = start_server()
    client = server.client()
    [element] = call_detect(client, [{"image": str(pair), "labels": [person(0, 0, 5000, 5000)]}])
    faces = element["labels"][0]["faces"]
    assert len(faces) == 2
    lefts = sorted(face["box"]["left"] for face in faces)
    assert lefts[0] < 640 < lefts[1], "one face in each half of the picture"
    client.close()


def test_fifty_concurrent_clients(start_server, photo):
    """50 clients, each with its own socket, calling at once: every one gets the answer for its own
    photo (the same answer a lone call gets), none an error."""
    server = start_server(args=["--workers", "2"])
    boxes = {"obama.jpg": (300, 100, 700, 500), "biden.jpg": (380, 200, 780, 600), "obama2.jpg": (130, 250, 480, 600)}

    def request(name):
        return [{"image": photo(name), "labels": [person(*boxes[name])]}]

    lone = server.client()
    expected = {name: call_detect(lone, request(name)) for name in boxes}
    lone.close()
    assert len({json.dumps(answer) for answer in expected.values()}) == 3, "each photo has its own answer"
    errors, answers = [], {}

    def one(index):
        name = list(boxes)[index % len(boxes)]
        try:
            client = server.client(timeout=120)
            answers[index] = (name, call_detect(client, request(name)))
            client.close()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))

    gevent.joinall([gevent.spawn(one, i) for i in range(50)])
    assert errors == []
    assert len(answers) == 50
    for name, answer in answers.values():
        assert answer == expected[name], f"{name}: a concurrent caller got another answer"
        assert answer[0]["labels"][0]["faceStatus"] == "unknown"
