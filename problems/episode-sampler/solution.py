"""Reference solution: reference/tasks.py (``sample_episode``): a torch.Generator seeded per
call, randperm for the classes and for the examples within each class.

Self-contained on purpose: the judge runs the solution in the sandbox, where importing
``reference`` is forbidden. tests/problems/test_meta_problems.py checks that it draws the
same episodes as reference.tasks.sample_episode for the same seed.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

Episode = tuple[Tensor, Tensor, Tensor, Tensor]


def sample_episode(
    labels: Tensor | np.ndarray | list[int], n_way: int, k_shot: int, n_query: int, seed: int
) -> Episode:
    """Sample an N-way K-shot episode from a label vector.

    Classes are drawn uniformly without replacement among the classes with at least
    ``k_shot + n_query`` examples; within a class the examples are drawn without replacement,
    the first ``k_shot`` to the support set and the next ``n_query`` to the query set (so the
    two are disjoint). Labels are relabelled 0..N-1 in the order the classes were drawn.
    Returns ``(support_idx, support_y, query_idx, query_y)``, all int64, of lengths N·K and
    N·Q. The same seed gives the same episode; the global random state is never used.
    """
    if n_way <= 0 or k_shot <= 0 or n_query <= 0:
        raise ValueError("n_way, k_shot and n_query must all be positive")
    labels = torch.as_tensor(np.asarray(labels)).reshape(-1)
    classes, counts = torch.unique(labels, return_counts=True)
    # Only classes that can fill both sets are eligible; the others must never be drawn.
    eligible = classes[counts >= k_shot + n_query]
    if len(eligible) < n_way:
        raise ValueError(
            f"only {len(eligible)} classes have at least {k_shot + n_query} examples; "
            f"{n_way} are needed"
        )
    # A private generator: reproducible per seed, and the caller's global RNG is untouched.
    gen = torch.Generator().manual_seed(int(seed))
    chosen = eligible[torch.randperm(len(eligible), generator=gen)[:n_way]]
    support_idx, query_idx = [], []
    for cls in chosen:
        members = torch.nonzero(labels == cls).reshape(-1)
        picked = members[torch.randperm(len(members), generator=gen)[: k_shot + n_query]]
        support_idx.append(picked[:k_shot])
        query_idx.append(picked[k_shot:])
    ways = torch.arange(n_way, dtype=torch.int64)
    return (
        torch.cat(support_idx).to(torch.int64),
        ways.repeat_interleave(k_shot),
        torch.cat(query_idx).to(torch.int64),
        ways.repeat_interleave(n_query),
    )


__all__ = ["sample_episode"]
