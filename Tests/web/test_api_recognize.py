"""POST /api/recognize: an uploaded picture through the server's one pipeline, within the upload
limits, answered with detect_faces' faces array."""

import io

from PIL import Image

from webfixture import PHOTOS


def test_recognize_a_photo_like_detect_faces(web, faces):
    server = web()
    answer = server.post("/api/recognize", raw=(PHOTOS / "obama.jpg").read_bytes(), content_type="image/jpeg")
    assert answer.status == 200, answer
    body = answer.json()
    assert body["faceStatus"] == "unknown" and len(body["faces"]) == 1
    face = body["faces"][0]
    assert set(face) == {"box", "name", "probability", "distance", "margin", "focus", "confidence", "status"}
    expected = faces.largest("obama.jpg").box
    assert (face["box"]["top"], face["box"]["right"], face["box"]["bottom"], face["box"]["left"]) == expected
    group = server.post("/api/recognize", raw=(PHOTOS / "group-t1.jpg").read_bytes(), content_type="image/jpeg")
    assert group.status == 200 and len(group.json()["faces"]) == 6


def test_oversize_uploads_and_too_many_pixels_are_refused(web):
    server = web(web={"maxUploadBytes": 100_000, "maxUploadPixels": 250_000})
    big = (PHOTOS / "obama.jpg").read_bytes()
    assert len(big) > 100_000
    refused = server.post("/api/recognize", raw=big, content_type="image/jpeg")
    assert refused.status == 413 and "limit" in refused.json()["error"]
    # Small in bytes, large in pixels: a 1000x1000 flat PNG is a few kB.
    png = io.BytesIO()
    Image.new("RGB", (1000, 1000), (90, 90, 90)).save(png, "PNG")
    assert len(png.getvalue()) < 100_000
    pixels = server.post("/api/recognize", raw=png.getvalue(), content_type="image/png")
    assert pixels.status == 413 and "pixels" in pixels.json()["error"]
    small = io.BytesIO()
    Image.open(PHOTOS / "obama.jpg").convert("RGB").resize((400, 500)).save(small, "JPEG")
    assert server.post("/api/recognize", raw=small.getvalue(), content_type="image/jpeg").status == 200


def test_what_is_not_a_usable_image_is_refused_clearly(web):
    server = web()
    text = server.post("/api/recognize", raw=b"hello, not a picture", content_type="image/jpeg")
    assert text.status == 415 and "not a JPEG" in text.json()["error"]
    gif = server.post("/api/recognize", raw=b"GIF89a" + b"\0" * 64, content_type="image/gif")
    assert gif.status == 415
    truncated = server.post("/api/recognize", raw=(PHOTOS / "obama.jpg").read_bytes()[:5000], content_type="image/jpeg")
    assert truncated.status == 422 and "truncated" in truncated.json()["error"]
    assert server.post("/api/recognize", raw=b"", content_type="image/jpeg").status == 422
    assert server.get("/api/recognize").status in (404, 405)
