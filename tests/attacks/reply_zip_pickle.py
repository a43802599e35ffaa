"""Writes a torch.save archive whose pickle runs os.system, ahead of the real reply."""

EXPECT = "runtime_error"

import io
import os
import struct

import torch


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/metajudge-attack-pwned",))


def solve(x):
    buffer = io.BytesIO()
    torch.save({"kind": "reply", "value": Payload()}, buffer)
    data = buffer.getvalue()
    os.write(4, struct.pack("<Q", len(data)) + data)
    return x * 2
