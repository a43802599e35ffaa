"""Reference solution: the project's own greedy soup."""

from reference.fuse import greedy_soup

__all__ = ["greedy_soup"]
