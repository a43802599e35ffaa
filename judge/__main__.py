"""``python -m judge``: the same command as ``judge``."""

from judge.cli import main

main()
