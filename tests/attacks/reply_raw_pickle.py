"""Writes a raw pickle that would run os.system, ahead of the real reply."""

EXPECT = "runtime_error"

import os
import pickle
import struct


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/metajudge-attack-pwned",))


def solve(x):
    data = pickle.dumps(Payload())
    os.write(4, struct.pack("<Q", len(data)) + data)
    return x * 2
