"""The batch wing's commands, thin click skins over :mod:`judge.batch`, named in
:data:`judge.cli.COMMANDS` (the one registration point) and loaded when first used:

- :mod:`judge.batch.cli.grade`: ``judge grade-batch``, a folder of candidates graded into
  reports;
- :mod:`judge.batch.cli.merge`: ``judge report merge``, shards' JSON reports joined into one;
- :mod:`judge.batch.cli.progress`: ``judge progress``, a candidate's own history of grades.
"""
