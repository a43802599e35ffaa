"""Forges a reply that is a DAG of shared lists: 31 objects, 2^30 paths through them."""

EXPECT = "runtime_error"

import io
import os
import struct
import sys

import torch


def _nonce():
    """The nonce of the request being served, read from the harness's frame."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "serve" and "nonce" in frame.f_locals:
            return frame.f_locals["nonce"]
        frame = frame.f_back
    return 0


def _forge(message):
    """Write ``message`` to the reply pipe as a frame of the harness's protocol."""
    buffer = io.BytesIO()
    torch.save(message, buffer)
    data = buffer.getvalue()
    os.write(4, struct.pack("<Q", len(data)) + data)


def solve(x):
    node = [x * 2]
    for _ in range(30):
        node = [node, node]
    _forge({"kind": "reply", "nonce": _nonce(), "value": node,
            "args_after": [None], "kwargs_after": {}, "probe": None})  # fmt: skip
    return x * 2
