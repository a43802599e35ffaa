"""N-way K-shot episode sampler: write `sample_episode`."""

from __future__ import annotations

import torch  # noqa: F401  (you will need it)
from torch import Tensor


def sample_episode(
    labels: Tensor, n_way: int, k_shot: int, n_query: int, seed: int
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Sample one N-way K-shot episode from a 1-D int64 label vector.

    - Classes: ``n_way`` drawn uniformly without replacement among the classes with at
      least ``k_shot + n_query`` examples.
    - Examples: within each drawn class, ``k_shot`` support and ``n_query`` query examples
      drawn without replacement; support and query are disjoint.
    - Labels: relabelled 0..n_way−1 in the order the classes were drawn.

    Returns ``(support_idx, support_y, query_idx, query_y)``, all int64: indices into
    ``labels`` and episode labels, of lengths n_way·k_shot and n_way·n_query. The same seed
    gives the same episode. ``ValueError`` when fewer than ``n_way`` classes are eligible or
    when n_way, k_shot or n_query is not positive.
    """
    raise NotImplementedError
