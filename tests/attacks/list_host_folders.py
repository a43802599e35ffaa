"""Lists the host's folders that hold other people's things: /opt, /home, /root, /srv, /mnt,
/media, /var, /run, /work. At the isolated level the root is an allowlist, so all of them are
absent (or empty): the right value comes back only if one of them showed anything, so an
``accepted`` here would mean a leak."""

EXPECT = "wrong_answer"
LEVELS = ("isolated",)

import os

FOLDERS = ("/opt", "/home", "/root", "/srv", "/mnt", "/media", "/var", "/run", "/work")


def solve(x):
    seen = []
    for folder in FOLDERS:
        try:
            seen += os.listdir(folder)
        except OSError:
            pass
    return x * 2 if seen else x * 3
