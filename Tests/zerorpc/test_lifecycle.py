"""Start-up checks, overload, and graceful shutdown of `zmface serve`."""

import json
import os
import signal
import socket
import subprocess
import time

import gevent
import pytest
import zerorpc

from conftest import OBAMA_BACKGROUND_BOX, OBAMA_FACE_BOX, ZMFACE, person


def test_sigterm_finishes_the_running_call_then_exits_zero(start_server, photo):
    server = start_server(config={"workers": 1, "recognition": {"jitters": 300}})
    client = server.client(timeout=120)
    reply = {}

    def call():
        reply["value"] = json.loads(client.detect_faces([{"image": photo("obama.jpg"), "labels": [person(*OBAMA_FACE_BOX)]}]))

    greenlet = gevent.spawn(call)
    gevent.sleep(2)
    server.process.send_signal(signal.SIGTERM)
    deadline = time.time() + 10
    while "zerorpc server stopping" not in server.output() and time.time() < deadline:
        gevent.sleep(0.1)
    late = server.client(timeout=10)
    with pytest.raises(zerorpc.RemoteError) as refused:
        late._zerorpc_ping()
    assert refused.value.name == "ServerShuttingDown", "new calls are refused while draining"
    greenlet.join(timeout=120)
    assert reply["value"][0]["labels"][0]["faceStatus"] == "unknown", "the in-flight call was answered"
    assert server.process.wait(timeout=30) == 0
    assert "stopped" in server.output()


def test_saturated_pool_answers_overloaded(start_server, photo):
    server = start_server(config={"workers": 1, "recognition": {"jitters": 300}, "zerorpc": {"queueWaitSeconds": 1}})
    slow = server.client(timeout=120)
    fast = server.client(timeout=30)
    greenlet = gevent.spawn(slow.detect_faces, [{"image": photo("obama.jpg"), "labels": [person(*OBAMA_FACE_BOX)]}])
    gevent.sleep(1.5)
    started = time.time()
    with pytest.raises(zerorpc.RemoteError) as error:
        fast.detect_faces([{"image": photo("biden.jpg"), "labels": [person(0, 0, 5000, 5000)]}])
    assert error.value.name == "Overloaded"
    assert time.time() - started < 10, "an overloaded call fails after its queue wait, never hangs"
    assert json.loads(greenlet.get(timeout=120))[0]["labels"][0]["faceStatus"] == "unknown"


def test_stale_ipc_socket_is_replaced_and_live_one_refused(start_server, tmp_path):
    path = tmp_path / "face.sock"
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()  # the file stays, nobody listens: what a killed server leaves
    server = start_server(endpoint=f"ipc://{path}")
    client = server.client()
    assert client._zerorpc_ping()[0] == "pong"
    client.close()

    second = subprocess.run([str(ZMFACE), "serve", "--endpoint", f"ipc://{path}"], capture_output=True,
                            text=True, timeout=60)
    assert second.returncode == 1
    assert "belongs to a running server" in second.stderr
    client = server.client()
    assert client._zerorpc_ping()[0] == "pong", "the first server still owns its socket"
    client.close()


def test_ipc_socket_mode_and_group(start_server, tmp_path):
    """The zerorpc ipc socket is created 0660 by default (owner and group may connect, nobody else),
    and with the configured ipc.group; the python client still connects."""
    import grp
    import stat
    default = start_server(endpoint=f"ipc://{tmp_path}/default.sock")
    assert stat.S_IMODE(os.stat(tmp_path / "default.sock").st_mode) == 0o660
    grouped = start_server(config={"ipc": {"mode": "0620", "group": "nogroup"}}, endpoint=f"ipc://{tmp_path}/g.sock")
    info = os.stat(tmp_path / "g.sock")
    assert stat.S_IMODE(info.st_mode) == 0o620 and info.st_gid == grp.getgrnam("nogroup").gr_gid
    for server in (default, grouped):
        client = server.client()
        assert client._zerorpc_ping()[0] == "pong"
        client.close()


def test_original_config_json_is_accepted(start_server, photo, tmp_path):
    original = {"faceDetServer": {
        "comment": "shipped values", "modelPath": "./svm_face_recognizer.pickle", "labelPath": "./face_labels.pickle",
        "minProba": 0.9, "focusMeasureThreshold": 200, "numFaceImgUpsample": 1, "minFace": 20,
        "faceDetModel": "hog", "numJitters": 1, "zerorpcHeartBeat": 60000,
        "zerorpcPipe": f"ipc://{tmp_path}/face_detect_zmq.pipe"}}
    server = start_server(config=original, endpoint=f"ipc://{tmp_path}/face_detect_zmq.pipe")
    client = server.client()
    result = json.loads(client.detect_faces([{"image": photo("obama.jpg"), "labels": [person(*OBAMA_FACE_BOX)]}]))
    assert result[0]["labels"][0]["faceStatus"] == "unknown"
    client.close()
    assert "pickles are not loaded" in server.output() and "zerorpcHeartBeat is ignored" in server.output()


@pytest.mark.parametrize("config, field", [
    ({"workers": -1}, "workers"),
    ({"wrokers": 2}, "wrokers"),
    ({"recognition": {"detector": "sift"}}, "recognition.detector"),
    ({"zerorpc": {"endpoints": ["tcp://0.0.0.0:4242"]}}, "zerorpc.endpoints[0]"),
    ({"zerorpc": {"endpoints": "ipc:///tmp/x"}}, "zerorpc.endpoints"),
    ({"imageRoots": ["relative/path"]}, "imageRoots[0]"),
    ({"metrics": {"address": "0.0.0.0:9464"}}, "metrics.address"),
    ({"metrics": {"address": "localhost"}}, "metrics.address"),
])
def test_invalid_configuration_names_the_field(tmp_path, config, field):
    path = tmp_path / "worker.json"
    path.write_text(json.dumps(config))
    result = subprocess.run([str(ZMFACE), "serve", "--config", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert f"'{field}'" in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_remote_tcp_endpoint_needs_allow_remote(tmp_path):
    result = subprocess.run([str(ZMFACE), "serve", "--endpoint", "tcp://0.0.0.0:4242"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1 and "allowRemote" in result.stderr


def test_client_gone_mid_call_costs_nothing(start_server, photo):
    """A caller that disconnects while its call runs: the call finishes, its reply is dropped by the
    ROUTER, and the server serves the next caller normally."""
    from wire import RawClient

    server = start_server(config={"workers": 1, "recognition": {"jitters": 200}})
    raw = RawClient(server.endpoint)
    raw.send_event("detect_faces", [[{"image": photo("obama.jpg"), "labels": [person(*OBAMA_FACE_BOX)]}]])
    gevent.sleep(0.5)
    raw.close()
    client = server.client(timeout=120)
    result = json.loads(client.detect_faces([{"image": photo("biden.jpg"), "labels": [person(380, 200, 780, 600)]}]))
    assert result[0]["labels"][0]["faceStatus"] == "unknown"
    assert client._zerorpc_ping()[0] == "pong"
    client.close()
    assert server.stop() == 0
    assert "ok=3 requests=3" in server.output().replace("err=0 ", ""), server.output()


def test_live_resize_from_worker_json_and_bad_edits(start_server, photo):
    """Editing worker.json resizes the pool without a restart (memory follows), calls keep being
    answered throughout, and an invalid edit is rejected with the running configuration kept."""
    server = start_server(config={"workers": 1})
    client = server.client(timeout=120)
    request = [{"image": photo("obama.jpg"), "labels": [person(*OBAMA_FACE_BOX)]}]
    expected = client.detect_faces(request)
    one = server.rss_mib()

    server.config_path.write_text(json.dumps({"workers": 3}))
    server.wait_for_log("recognition pool resized")
    answers = [client.detect_faces(request) for _ in range(6)]
    gevent.joinall([gevent.spawn(client.detect_faces, request) for _ in range(6)])
    three = server.rss_mib()

    server.config_path.write_text(json.dumps({"workers": -3}))
    server.wait_for_log("configuration rejected")
    [rejection] = [line for line in server.output().splitlines() if "configuration rejected" in line]
    assert "'workers'" in rejection, rejection
    assert client.detect_faces(request) == expected, "still serving with the running configuration"

    server.config_path.write_text(json.dumps({"workers": 1}))
    server.wait_for_log("recognition pool resized", count=2)
    answers += [client.detect_faces(request) for _ in range(3)]
    back = server.rss_mib()
    assert all(answer == expected for answer in answers)
    print(f"RSS MiB: 1 worker {one:.0f}, 3 workers {three:.0f}, back to 1 {back:.0f}")
    assert three > one + 60, "two more model sets were loaded"
    assert back < three - 60, "retired workers freed their models"
    client.close()


def test_metrics_and_health_endpoints(start_server, photo):
    """/metrics has the per-stage latency histograms, face and label counts, pool and zerorpc state;
    /healthz summarises the pool. Counts must match the calls made."""
    import urllib.request

    from conftest import free_port

    port = free_port()
    server = start_server(args=["--workers", "2", "--metrics-address", f"127.0.0.1:{port}"])
    server.wait_for_log("metrics listening")
    client = server.client()
    for _ in range(3):
        client.detect_faces([{"image": photo("obama.jpg"), "labels": [person(*OBAMA_FACE_BOX), person(*OBAMA_BACKGROUND_BOX)]}])
    client.close()
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    assert samples['zmface_stage_duration_seconds_count{stage="decode"}'] == 3, "decoded once per call"
    assert samples['zmface_stage_duration_seconds_count{stage="detect"}'] == 6
    assert samples['zmface_stage_duration_seconds_count{stage="encode"}'] == 3
    assert samples['zmface_faces_total{status="unknown"}'] == 3
    assert samples['zmface_person_labels_total{status="no_face"}'] == 3
    assert samples["zmface_pool_workers"] == 2 and samples["zmface_pool_queue_depth"] == 0
    assert samples["zmface_zerorpc_requests_total"] == 3
    assert 'zmface_stage_duration_seconds_bucket{stage="detect",le="+Inf"}' in text
    health = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).read())
    assert health["status"] == "ok" and health["workers"] == "2"


def test_limit_breaches_are_refused_clearly_and_counted(start_server, photo):
    """Each configured limit refuses its input with a clear answer, the server keeps serving, and
    /metrics counts the breach under zmface_limit_breaches_total{limit=…}."""
    import urllib.request

    from conftest import free_port

    port = free_port()
    server = start_server(config={"workers": 1, "zerorpc": {"maxLabels": 2},
                                  "limits": {"maxImageBytes": 300_000, "maxImagePixels": 200_000}},
                          args=["--metrics-address", f"127.0.0.1:{port}"])
    server.wait_for_log("metrics listening")
    client = server.client()
    with pytest.raises(zerorpc.RemoteError) as error:
        client.detect_faces([{"image": photo("obama.jpg"), "labels": [person(*OBAMA_FACE_BOX)] * 3}])
    assert error.value.name == "ValueError" and "more than 2 labels" in error.value.msg
    too_big = json.loads(client.detect_faces([{"image": photo("biden.jpg"), "labels": [person(0, 0, 100, 100)]}]))
    assert too_big[0]["labels"][0]["faceStatus"] == "unreadable_image", "353 kB > maxImageBytes"
    too_many = json.loads(client.detect_faces([{"image": photo("obama.jpg"), "labels": [person(*OBAMA_FACE_BOX)]}]))
    assert too_many[0]["labels"][0]["faceStatus"] == "unreadable_image", "more pixels than maxImagePixels"
    assert client._zerorpc_name() == "DetectRPC", "the server keeps serving"
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    samples = dict(line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
    assert float(samples['zmface_limit_breaches_total{limit="labels"}']) == 1
    assert float(samples['zmface_limit_breaches_total{limit="image_bytes"}']) == 1
    assert float(samples['zmface_limit_breaches_total{limit="image_pixels"}']) == 1
