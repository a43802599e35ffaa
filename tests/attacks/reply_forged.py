"""Forges a well-formed reply (guessing the nonce) ahead of the real one."""

EXPECT = "runtime_error"

import io
import os
import struct

import torch


def solve(x):
    buffer = io.BytesIO()
    message = {
        "kind": "reply",
        "nonce": 1,
        "value": x * 2,
        "args_after": [None],
        "kwargs_after": {},
        "probe": None,
    }
    torch.save(message, buffer)
    data = buffer.getvalue()
    os.write(4, struct.pack("<Q", len(data)) + data)
    return x * 3
