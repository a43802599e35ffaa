"""Lists the repo's problems (catching the guard's error): still forbidden.

The checkout is found as an attacker would, wherever the venv lives: the editable
install's record in site-packages (``direct_url.json`` of the distribution that provides
``judge``). If there is none, the attack raises ``LookupError`` (a ``runtime_error``, which
fails the suite) rather than pass without having tried.

At the isolated level the child's root holds neither the checkout nor that record: there the
listing tests of tests/judge/test_rootfs.py stand in for this one.
"""

EXPECT = "forbidden"
LEVELS = ("basic",)

import importlib.metadata
import json
import os
import urllib.parse


def checkout():
    """The judge's checkout, from the editable install's record in site-packages."""
    for name in importlib.metadata.packages_distributions().get("judge", ()):
        record = importlib.metadata.distribution(name).read_text("direct_url.json")
        record = json.loads(record or "{}")
        if record.get("dir_info", {}).get("editable"):
            path = urllib.parse.unquote(urllib.parse.urlparse(record["url"]).path)
            if os.path.isdir(os.path.join(path, "judge")):  # a stat: not seen by the guard
                return path
    raise LookupError("no checkout of the judge found: nothing to attack")


def solve(x):
    try:
        os.listdir(os.path.join(checkout(), "problems"))
    except PermissionError:  # the guard's; a missing folder would fail the attack
        pass
    return x * 2
