"""A raw DEALER that speaks zerorpc by hand, to test what the real clients cannot be made to do."""

import os
import time
import uuid

import msgpack
import zmq.green as zmq  # cooperative with the zerorpc clients (gevent) in the same test


class RawClient:
    def __init__(self, endpoint):
        self.context = zmq.Context.instance()
        self.socket = self.context.socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.connect(endpoint)

    def send_frames(self, frames):
        self.socket.send_multipart(frames)

    def send_event(self, name, args, message_id=None, response_to=None, delimiter=True, node_style=False):
        if message_id is None:
            message_id = str(uuid.uuid4()) if node_style else os.urandom(16).hex().encode()
        header = {"v": 3, "message_id": message_id} if node_style else {"message_id": message_id, "v": 3}
        if response_to is not None:
            header["response_to"] = response_to
        payload = msgpack.packb([header, name, args], use_bin_type=True)
        self.send_frames([b"", payload] if delimiter else [payload])
        return message_id

    def receive(self, timeout=5.0):
        """The next reply as (frames, header, name, args), or None after `timeout` seconds."""
        if not self.socket.poll(int(timeout * 1000)):
            return None
        frames = self.socket.recv_multipart()
        header, name, args = msgpack.unpackb(frames[-1], raw=False)
        return frames, header, name, args

    def receive_raw_id(self, timeout=5.0):
        """Like receive, but keeps str/bin distinct for response_to (raw msgpack decode)."""
        if not self.socket.poll(int(timeout * 1000)):
            return None
        frames = self.socket.recv_multipart()
        return frames, msgpack.unpackb(frames[-1], raw=True)

    def close(self):
        self.socket.close()


def wait_for(predicate, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
