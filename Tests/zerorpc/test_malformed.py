"""Hostile and broken input: each is answered with ERR or dropped, and the server keeps serving."""

import msgpack
import pytest
import zerorpc

from conftest import OBAMA_FACE_BOX, person
from wire import RawClient


def still_serving(server):
    client = server.client(timeout=10)
    assert client._zerorpc_ping() == ["pong", "DetectRPC"]
    client.close()


@pytest.mark.parametrize("frames", [
    [b"", b"\xff\xfe garbage"],                                   # not msgpack
    [b"", msgpack.packb([{"message_id": b"x", "v": 3}, "a"])[:-1]],  # truncated
    [b"", msgpack.packb([{"message_id": b"x", "v": 3}, "detect_faces"])],  # 2 elements
    [b"", msgpack.packb(["header", "detect_faces", []])],          # header not a map
    [b"", msgpack.packb([{"v": 3}, "detect_faces", []])],           # no message_id
    [b"", b""],                                                     # empty payload
    [b"", b"\xdb\xff\xff\xff\xff"],                                 # 4 GiB string length, no data
    [b"", b"\x91" * 5000 + b"\xc0"],                                # absurd nesting
    [b"", b"a", b"b", b"c"],                                        # extra frames
])
def test_garbage_is_dropped(start_server, frames):
    server = start_server()
    raw = RawClient(server.endpoint)
    raw.send_frames(frames)
    assert raw.receive(timeout=1.0) is None, "malformed events get no reply"
    raw.close()
    still_serving(server)


def test_wrong_arity_and_argument_types_are_type_errors(start_server, photo):
    server = start_server()
    client = server.client()
    for call in (lambda: client.detect_faces(), lambda: client.detect_faces([], [])):
        with pytest.raises(zerorpc.RemoteError) as error:
            call()
        assert error.value.name == "TypeError"
    for bad in ("not a list", 42, [1, 2], [{"image": 3, "labels": [{"name": "person"}]}]):
        with pytest.raises(zerorpc.RemoteError) as error:
            client.detect_faces(bad)
        assert error.value.name == "TypeError", bad
    for missing, key in (({"labels": []}, "'image'"), ({"image": photo("obama.jpg")}, "'labels'"),
                         ({"image": photo("obama.jpg"), "labels": [{"box": {}}]}, "'name'")):
        with pytest.raises(zerorpc.RemoteError) as error:
            client.detect_faces([missing])
        assert (error.value.name, error.value.msg) == ("KeyError", key), "the original's KeyError"
    client.close()


def test_arguments_that_are_not_a_list_and_binary_names(start_server):
    server = start_server()
    raw = RawClient(server.endpoint)
    raw.send_event("detect_faces", {"not": "a list"})
    _, _, name, args = raw.receive()
    assert name == "ERR" and args[0] == "TypeError" and len(args) == 3
    raw.send_frames([b"", msgpack.packb([{"message_id": b"m1", "v": 3}, b"detect_faces", []], use_bin_type=True)])
    _, _, name, args = raw.receive()
    assert (name, args[0], args[1]) == ("ERR", "NameError", "b'detect_faces'")
    raw.close()


def test_huge_message_is_refused_and_server_stays_up(start_server):
    """A 100 MB string exceeds zerorpc.maxMessageBytes: libzmq drops that peer; nothing is allocated."""
    server = start_server()
    raw = RawClient(server.endpoint)
    raw.send_event("detect_faces", [[{"image": "x" * (100 * 1024 * 1024), "labels": []}]])
    assert raw.receive(timeout=3.0) is None
    raw.close()
    still_serving(server)
    assert server.process.poll() is None


def test_ten_thousand_labels_are_refused(start_server, photo):
    server = start_server()
    client = server.client()
    with pytest.raises(zerorpc.RemoteError) as error:
        client.detect_faces([{"image": photo("obama.jpg"), "labels": [person(*OBAMA_FACE_BOX)] * 10000}])
    assert error.value.name == "ValueError" and "1000" in error.value.msg
    client.close()
    still_serving(server)
