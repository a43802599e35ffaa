"""Reference solution: the project's own state-dict averaging."""

from reference.fuse import average_state_dicts

__all__ = ["average_state_dicts"]
