"""``python -m judge.cli``: the same command as ``judge``."""

from judge.cli import main

main()
