"""Resource limits for one submission's child process."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Read from ``problem.toml``; overridable on the CLI."""

    time_s: float = 10.0
    """Wall-clock seconds per call into the submission; past it the child is killed."""
    cpu_s: float = 120.0
    """CPU seconds for the child's whole life (RLIMIT_CPU; hard limit = soft + 1)."""
    memory_mb: int = 2048
    """Address space of the child (RLIMIT_AS). CPU torch needs about 623 MiB to import."""
    output_bytes: int = 1 << 20
    """Bytes the child may write to stdout and stderr together before it is killed."""
    processes: int = 64
    """Processes and threads of the sandbox user (RLIMIT_NPROC; binds only a non-root uid)."""
    file_size_bytes: int = 16 << 20
    """Largest file the child may write (RLIMIT_FSIZE)."""
    open_files: int = 256
    """Open file descriptors (RLIMIT_NOFILE)."""
    reply_bytes: int = 64 << 20
    """Largest reply the judge reads from the child; a longer one is a runtime_error."""
    total_s: float | None = None
    """Wall-clock seconds for all of one submission's tests (``total_time_limit_s`` in
    problem.toml); past it the remaining tests are ``time_limit`` without running. None:
    :meth:`total_budget`'s default."""

    def total_budget(self) -> float:
        """``total_s``, or one and a half calls' worth of time (at least 30 s): an honest
        submission needs a fraction of it (its calls take milliseconds, or one slow first
        import); one that runs every call to the limit is stopped after two or three."""
        return self.total_s if self.total_s is not None else max(30.0, 1.5 * self.time_s)

    def with_overrides(self, **changes: float | None) -> Limits:
        """A copy with the given fields replaced (``None`` values are ignored)."""
        # Any: the fields are ints and floats by name, which a dict cannot say per key;
        # replace() still refuses an unknown name.
        kept: dict[str, Any] = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **kept)
