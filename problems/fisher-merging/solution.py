"""Reference solution: the project's own Fisher merging."""

from reference.fuse import fisher_merge

__all__ = ["fisher_merge"]
