"""Reference solution: reference/tasks.py (torch.Generator seeded per call, randperm)."""

from reference.tasks import sample_episode

__all__ = ["sample_episode"]
