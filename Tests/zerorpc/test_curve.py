"""ZeroMQ CURVE on tcp endpoints (worker.json `curve`, keys from `zmface keygen`).

What must hold: a tcp client without the server's key gets nothing (not even a ping), one with it
gets answers; with `clientKeys` only listed clients get in, and the directory is re-read at each
handshake; ipc endpoints stay plain for the local uploader; the PUB socket follows the same rules;
the key files are what pyzmq's zmq.auth reads, the secret one private.
"""

import json
import os
import stat
import subprocess
import time

import pytest
import zerorpc
import zmq
import zmq.auth

from conftest import OBAMA_FACE_BOX, ZMFACE, free_port, person


def keygen(directory, name, *extra):
    result = subprocess.run([str(ZMFACE), "keygen", name, "--directory", str(directory), *extra],
                            capture_output=True, text=True)
    return result


@pytest.fixture
def keys(tmp_path):
    directory = tmp_path / "keys"
    for name in ("server", "alice", "mallory"):
        assert keygen(directory, name).returncode == 0
    clients = tmp_path / "clients"
    clients.mkdir()
    (clients / "alice.key").write_bytes((directory / "alice.key").read_bytes())
    return directory, clients


def curve_client(endpoint, server_public, client_pair=None, timeout=5):
    """zerorpc-python 0.6.3 has no CURVE option: its socket (client._events) takes the options
    before connect, which is what an operator has to do too (README)."""
    public, secret = client_pair or zmq.curve_keypair()
    client = zerorpc.Client(timeout=timeout, heartbeat=None)
    client._events.setsockopt(zmq.CURVE_SERVERKEY, server_public)
    client._events.setsockopt(zmq.CURVE_PUBLICKEY, public)
    client._events.setsockopt(zmq.CURVE_SECRETKEY, secret)
    client.connect(endpoint)
    return client


def plain_client(endpoint, timeout=5):
    client = zerorpc.Client(timeout=timeout, heartbeat=None)
    client.connect(endpoint)
    return client


def test_keygen_writes_pyzmq_certificates_with_a_private_secret(tmp_path):
    directory = tmp_path / "k"
    result = keygen(directory, "server")
    assert result.returncode == 0, result.stderr
    public, secret = directory / "server.key", directory / "server.key_secret"
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600, "the secret key is readable by its owner only"
    pub_only, none = zmq.auth.load_certificate(str(public))
    pub, sec = zmq.auth.load_certificate(str(secret))
    assert none is None and pub_only == pub, "the .key file holds the public key only"
    assert zmq.curve_public(sec) == pub, "the public key belongs to the secret one"
    assert pub.decode() in result.stdout
    again = keygen(directory, "server")
    assert again.returncode != 0 and "--force" in again.stderr, "an existing key is never replaced silently"
    assert zmq.auth.load_certificate(str(secret)) == (pub, sec)
    assert keygen(directory, "server", "--force").returncode == 0
    assert zmq.auth.load_certificate(str(secret)) != (pub, sec)


def test_curve_tcp_needs_the_server_key_and_ipc_stays_plain(start_server, tmp_path, keys, photo):
    directory, _ = keys
    server_public, _ = zmq.auth.load_certificate(str(directory / "server.key"))
    ipc = f"ipc://{tmp_path}/face.sock"
    server = start_server(config={"workers": 1, "curve": {"secretKey": str(directory / "server.key_secret")}},
                          args=["--endpoint", ipc])
    assert server_public.decode() in server.output(), "the log names the server's public key"

    good = curve_client(server.endpoint, server_public)
    assert good._zerorpc_name() == "DetectRPC"
    reply = json.loads(good.detect_faces([{"image": photo("obama.jpg"), "labels": [person(*OBAMA_FACE_BOX)]}]))
    assert reply[0]["labels"][0]["faceStatus"] in ("unknown", "recognized"), "a real call works over CURVE"

    with pytest.raises(zerorpc.TimeoutExpired):
        plain_client(server.endpoint, timeout=3)._zerorpc_name()
    wrong_server = zmq.curve_keypair()[0]
    with pytest.raises(zerorpc.TimeoutExpired):
        curve_client(server.endpoint, wrong_server, timeout=3)._zerorpc_name()

    assert plain_client(ipc)._zerorpc_name() == "DetectRPC", "the local ipc uploader needs no key"


def test_client_keys_admit_listed_clients_only_and_are_reread(start_server, tmp_path, keys):
    directory, clients = keys
    server_public, _ = zmq.auth.load_certificate(str(directory / "server.key"))
    alice = zmq.auth.load_certificate(str(directory / "alice.key_secret"))
    mallory = zmq.auth.load_certificate(str(directory / "mallory.key_secret"))
    server = start_server(config={"workers": 1, "curve": {"secretKey": str(directory / "server.key_secret"),
                                                          "clientKeys": str(clients)}})
    assert curve_client(server.endpoint, server_public, alice)._zerorpc_name() == "DetectRPC"
    with pytest.raises(zerorpc.TimeoutExpired):
        curve_client(server.endpoint, server_public, mallory, timeout=3)._zerorpc_name()
    server.wait_for_log("curve client refused")
    assert mallory[0].decode() in server.output(), "the refused key is logged"

    (clients / "mallory.key").write_bytes((directory / "mallory.key").read_bytes())
    assert curve_client(server.endpoint, server_public, mallory)._zerorpc_name() == "DetectRPC", \
        "a key added to the directory is accepted without a restart"
    (clients / "alice.key").unlink()
    with pytest.raises(zerorpc.TimeoutExpired):
        curve_client(server.endpoint, server_public, alice, timeout=3)._zerorpc_name()


def test_pub_socket_uses_curve_on_tcp(start_server, tmp_path, keys):
    directory, clients = keys
    server_public, _ = zmq.auth.load_certificate(str(directory / "server.key"))
    alice = zmq.auth.load_certificate(str(directory / "alice.key_secret"))
    pub = f"tcp://127.0.0.1:{free_port()}"
    start_server(config={"workers": 1, "publish": {"endpoints": [pub], "statusSeconds": 0.3},
                         "curve": {"secretKey": str(directory / "server.key_secret"), "clientKeys": str(clients)}})

    def first_message(configure):
        socket = zmq.Context.instance().socket(zmq.SUB)
        socket.setsockopt(zmq.LINGER, 0)
        socket.setsockopt(zmq.SUBSCRIBE, b"")
        socket.setsockopt(zmq.RCVTIMEO, 3000)
        configure(socket)
        socket.connect(pub)
        try:
            return socket.recv_multipart()
        except zmq.Again:
            return None
        finally:
            socket.close()

    def as_client(pair):
        def configure(socket):
            socket.curve_serverkey = server_public
            socket.curve_publickey, socket.curve_secretkey = pair
        return configure

    topic, body = first_message(as_client(alice))
    assert topic == b"status" and json.loads(body)["type"] == "status"
    assert first_message(lambda socket: None) is None, "a plain subscriber gets nothing"
    assert first_message(as_client(zmq.curve_keypair())) is None, "an unlisted subscriber gets nothing"

    out = subprocess.run([str(ZMFACE), "subscribe", "--endpoint", pub, "--count", "1", "--idle-timeout", "10",
                          "--server-key", str(directory / "server.key"),
                          "--client-key", str(directory / "alice.key_secret")],
                         capture_output=True, text=True, timeout=30)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert out.returncode == 0 and [line["topic"] for line in lines if "topic" in line] == ["status"], out.stderr


def test_unsafe_or_missing_keys_stop_the_start(tmp_path, keys):
    directory, _ = keys
    secret = directory / "server.key_secret"
    cases = {
        "missing": ({"secretKey": str(tmp_path / "nope.key_secret")}, "nope.key_secret"),
        "public key given as the secret": ({"secretKey": str(directory / "server.key")}, "no secret-key"),
        "missing client directory": ({"secretKey": str(secret), "clientKeys": str(tmp_path / "none")}, "clientKeys"),
    }
    os.chmod(directory / "alice.key_secret", 0o644)
    cases["world-readable secret"] = ({"secretKey": str(directory / "alice.key_secret")}, "chmod 600")
    for name, (curve, expected) in cases.items():
        config = tmp_path / "worker.json"
        config.write_text(json.dumps({"curve": curve}))
        result = subprocess.run([str(ZMFACE), "serve", "--check", "--config", str(config)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0, f"{name}: serve --check must refuse"
        assert expected in result.stderr + result.stdout, f"{name}: {result.stderr}"
