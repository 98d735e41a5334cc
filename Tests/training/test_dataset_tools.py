"""The dataset helpers the original shipped as scripts, on real photos."""

import json
from pathlib import Path

from test_training import PHOTOS, zmface


def test_renumber_is_sequential_and_safe_to_repeat(tmp_path):
    folder = tmp_path / "person"
    folder.mkdir()
    names = ["b.jpg", "00000000.jpg", "a.PNG", "c.jpeg", "notes.txt", "d.webp", "e.BMP"]
    for index, name in enumerate(names):
        (folder / name).write_bytes(bytes([index]) * 10)
    zmface("dataset", "renumber", folder)
    after = sorted(p.name for p in folder.iterdir())
    assert after == [
        "00000000.jpg", "00000001.png", "00000002.jpg", "00000003.jpeg", "00000004.webp", "00000005.bmp", "notes.txt"
    ]
    # The file first named 00000000.jpg was not overwritten: every original byte pattern survives.
    assert sorted((folder / n).read_bytes()[0] for n in after if n != "notes.txt") == [0, 1, 2, 3, 5, 6]
    zmface("dataset", "renumber", folder)
    assert sorted(p.name for p in folder.iterdir()) == after


def test_extract_writes_crops_that_hold_the_face(tmp_path):
    zmface("dataset", "extract", PHOTOS / "obama.jpg", PHOTOS / "group-t1.jpg", "--out", tmp_path / "persons")
    persons = sorted((tmp_path / "persons").glob("*-person.jpg"))
    assert len(persons) == 7
    zmface("dataset", "extract", "--faces", PHOTOS / "obama.jpg", "--out", tmp_path / "faces")
    [face] = (tmp_path / "faces").glob("*-face.jpg")
    lines = zmface("detect", persons[-1], "--upsample", "1").stdout.splitlines()
    row = json.loads(lines[0])
    assert row["width"] == 300 and len(row["faces"]) == 1, "the person crop is 300 px wide around one face"
    bad = zmface("dataset", "extract", tmp_path / "missing.jpg", "--out", tmp_path / "x", check=False)
    assert bad.returncode == 1 and "no such file" in bad.stderr


def test_add_strangers_copies_single_face_images_once(tmp_path):
    source = tmp_path / "lfw"
    zmface("dataset", "extract", PHOTOS / "group-t1.jpg", "--out", source / "a")
    (source / "b").mkdir()
    (source / "b" / "empty.png").write_bytes(b"")
    result = zmface("dataset", "add-strangers", source, "--into", tmp_path / "dataset" / "Unknown", "--count", "4")
    copied = list((tmp_path / "dataset" / "Unknown").iterdir())
    assert len(copied) == 4 and "added 4" in result.stdout
    again = zmface("dataset", "add-strangers", source, "--into", tmp_path / "dataset" / "Unknown", "--count", "4")
    assert len(list((tmp_path / "dataset" / "Unknown").iterdir())) <= 6, "no image is copied twice"


def test_tune_compares_settings_and_annotates(tmp_path):
    result = zmface("tune", PHOTOS / "group-t1.jpg", "--detector", "hog", "--upsample", "0,1", "--annotate", tmp_path)
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    assert [(row[1], row[2], row[3]) for row in rows] == [("hog", "0", "6"), ("hog", "1", "6")]
    assert sorted(p.name for p in tmp_path.glob("*.jpg")) == ["group-t1-hog-up0.jpg", "group-t1-hog-up1.jpg"]
