"""The zerorpc wire contract (zerorpc-protocol.md): what python and node clients rely on."""

import json
import math
import time

import gevent
import pytest
import zerorpc

from conftest import OBAMA_FACE_BOX, person
from wire import RawClient


def test_node_style_string_id_is_echoed_as_string_with_delimiter(start_server):
    """Node clients send str ids and drop replies whose second-to-last frame is not empty."""
    server = start_server()
    raw = RawClient(server.endpoint)
    message_id = raw.send_event("_zerorpc_ping", [], node_style=True)
    frames, decoded = raw.receive_raw_id()
    assert frames[0] == b"" and len(frames) == 2, "envelope is exactly the empty delimiter, then the payload"
    header, name, args = decoded
    assert header[b"response_to"] == message_id.encode() and isinstance(header[b"response_to"], bytes)
    # raw=True decodes msgpack str as bytes too, so check the type byte on the wire instead:
    assert b"\xabresponse_to\xd9\x24" in frames[1], "response_to is sent back as msgpack str8 (0xd9)"
    assert header[b"v"] == 3 and name == b"OK" and args == [[b"pong", b"DetectRPC"]]
    raw.close()


def test_python_style_binary_id_is_echoed_as_binary(start_server):
    server = start_server()
    raw = RawClient(server.endpoint)
    message_id = raw.send_event("_zerorpc_name", [])
    frames, header, name, args = raw.receive()
    assert header["response_to"] == message_id and isinstance(header["response_to"], bytes)
    assert b"\xabresponse_to\xc4\x20" in frames[1], "response_to is sent back as msgpack bin8 (0xc4)"
    assert isinstance(header["message_id"], bytes) and header["v"] == 3
    assert (name, args) == ("OK", ["DetectRPC"])
    raw.close()


def test_request_without_delimiter_is_answered_with_one(start_server):
    server = start_server()
    raw = RawClient(server.endpoint)
    raw.send_event("_zerorpc_ping", [], delimiter=False)
    frames, header, name, args = raw.receive()
    assert frames[0] == b"" and name == "OK"
    raw.close()


def test_introspection_like_zerorpc_python(start_server):
    server = start_server()
    client = server.client()
    assert client._zerorpc_ping() == ["pong", "DetectRPC"]
    assert client._zerorpc_name() == "DetectRPC"
    assert client._zerorpc_list() == ["detect_faces"]
    inspected = client._zerorpc_inspect()
    assert inspected["name"] == "DetectRPC"
    assert inspected["methods"]["detect_faces"]["args"] == [{"name": "test_image_paths"}]
    assert "person" in inspected["methods"]["detect_faces"]["doc"]
    assert client._zerorpc_args("detect_faces") == [["test_image_paths"], None, None, None]
    assert "person" in client._zerorpc_help("detect_faces")
    with pytest.raises(zerorpc.RemoteError) as error:
        client._zerorpc_help("nosuch")
    assert error.value.name == "KeyError"
    client.close()


def test_unknown_method_is_a_name_error(start_server):
    server = start_server()
    client = server.client()
    with pytest.raises(zerorpc.RemoteError) as error:
        client.nosuch(1, 2)
    assert (error.value.name, error.value.msg) == ("NameError", "nosuch")
    client.close()


def test_late_events_for_closed_channels_are_dropped(start_server):
    """Heartbeats and _zpc_more for a finished or unknown channel get no reply and change nothing."""
    server = start_server()
    raw = RawClient(server.endpoint)
    message_id = raw.send_event("_zerorpc_ping", [])
    assert raw.receive()[2] == "OK"
    raw.send_event("_zpc_hb", [0], response_to=message_id)
    raw.send_event("_zpc_more", [100], response_to=b"never-opened")
    assert raw.receive(timeout=1.0) is None
    raw.send_event("_zerorpc_ping", [])
    assert raw.receive()[2] == "OK"
    raw.close()


def test_long_calls_survive_on_heartbeats(start_server, photo):
    """A python client (5 s heartbeats, LostRemote after 15 s of server silence) and a node-style
    client (str ids, no client heartbeat at all for over 60 s) both get OK from calls that outlast
    those limits, because the server heartbeats every channel from its I/O thread."""
    # The calls must last well past the limits whatever the machine's speed, so one face at 850
    # jitters is timed first (9-15 s on the 2-core machines) and the calls get enough faces to last
    # about 90 s (the node-style limit is 60 s) and 30 s (the python client gives up after 15 s).
    server = start_server(config={"workers": 2, "recognition": {"jitters": 850}})
    image = photo("obama.jpg")
    client = server.client(timeout=400, heartbeat=5)
    begun = time.time()
    client.detect_faces([{"image": image, "labels": [person(*OBAMA_FACE_BOX)]}])
    per_face = time.time() - begun
    client.close()
    node_faces, python_faces = max(6, math.ceil(90 / per_face)), max(2, math.ceil(30 / per_face))
    raw = RawClient(server.endpoint)
    started = time.time()
    node_id = raw.send_event("detect_faces", [[{"image": image, "labels": [person(*OBAMA_FACE_BOX)] * node_faces}]],
                             node_style=True)
    python_result = {}

    def python_call():
        client = server.client(timeout=400, heartbeat=5)
        begun = time.time()
        python_result["reply"] = json.loads(
            client.detect_faces([{"image": image, "labels": [person(*OBAMA_FACE_BOX)] * python_faces}]))
        python_result["seconds"] = time.time() - begun
        client.close()

    greenlet = gevent.spawn(python_call)
    heartbeats, final = [], None
    while time.time() - started < 400:
        reply = raw.receive(timeout=0.5)
        if reply is None:
            continue
        frames, header, name, args = reply
        assert frames[0] == b"" and header["response_to"] == node_id
        if name == "_zpc_hb":
            heartbeats.append(time.time() - started)
        else:
            final = (name, args, time.time() - started)
            break
    greenlet.join(timeout=400)

    assert final is not None and final[0] == "OK", final
    assert final[2] > 60, f"the node-style call should outlast 60 s, took {final[2]:.1f} s ({per_face:.1f} s a face)"
    labels = json.loads(final[1][0])[0]["labels"]
    assert [label["faceStatus"] for label in labels] == ["unknown"] * node_faces
    gaps = [b - a for a, b in zip([0.0] + heartbeats, heartbeats + [final[2]])]
    assert len(heartbeats) >= 11 and max(gaps) < 7.5, f"heartbeats at {heartbeats}"
    assert python_result["seconds"] > 15, python_result
    assert python_result["reply"][0]["labels"][0]["faceStatus"] == "unknown"
    raw.close()
