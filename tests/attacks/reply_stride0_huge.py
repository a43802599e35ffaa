"""Forges a reply whose value is a 4 TB stride-0 tensor over one float: 4 bytes sent."""

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
    _forge({"kind": "reply", "nonce": _nonce(), "value": torch.zeros(1).expand(1 << 40),
            "args_after": [None], "kwargs_after": {}, "probe": None})  # fmt: skip
    return x * 2
