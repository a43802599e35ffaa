"""At import, forges the harness's "started" message with a 9 MB signature (parsing it as a
signature would cost the judge gigabytes), ahead of the real one."""

EXPECT = "runtime_error"

import io
import os
import struct

import torch


def _forge(message):
    buffer = io.BytesIO()
    torch.save(message, buffer)
    data = buffer.getvalue()
    os.write(4, struct.pack("<Q", len(data)) + data)


_forge({"kind": "started", "signatures": {"solve": "(" + "a, " * 3_000_000 + ")"}})


def solve(x):
    return x * 2
