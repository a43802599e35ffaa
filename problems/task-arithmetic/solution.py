"""Reference solution: the project's own task arithmetic."""

from reference.fuse import apply_task_vectors, task_vector

__all__ = ["apply_task_vectors", "task_vector"]
