"""Task distributions for meta-learning: sinusoid regression and few-shot classification episodes.

Everything here is seeded and reproducible: every sampler takes a seed (or a
``torch.Generator``) and never touches the global random state.

- Sinusoid regression exactly as Finn et al. 2017, section 5.1: amplitude A ~ U[0.1, 5.0],
  phase φ ~ U[0, π], inputs x ~ U[-5, 5], targets y = A·sin(x − φ).
- :func:`sample_episode`: an N-way K-shot episode over any label vector (the
  ``episode-sampler`` contract).
- A synthetic few-shot family (:func:`sample_gaussian_episode`): every episode draws fresh
  Gaussian class clusters in a low-dimensional informative subspace, hidden among larger
  nuisance dimensions, so that a learned embedding beats raw Euclidean distance.
- Few-shot episodes from scikit-learn's bundled ``load_digits`` (pixels divided by 16) with
  a class split for meta-learning: digits 0-5 for meta-training, 6-9 for meta-testing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from torch import Tensor

SINUSOID_AMPLITUDE = (0.1, 5.0)
SINUSOID_PHASE = (0.0, math.pi)
SINUSOID_X = (-5.0, 5.0)

DIGITS_META_TRAIN_CLASSES = (0, 1, 2, 3, 4, 5)
DIGITS_META_TEST_CLASSES = (6, 7, 8, 9)

Episode = tuple[Tensor, Tensor, Tensor, Tensor]


def _generator(seed: int | torch.Generator) -> torch.Generator:
    if isinstance(seed, torch.Generator):
        return seed
    return torch.Generator().manual_seed(int(seed))


def _uniform(shape: tuple[int, ...], bounds: tuple[float, float], gen: torch.Generator) -> Tensor:
    low, high = bounds
    return low + (high - low) * torch.rand(shape, generator=gen)


# --------------------------------------------------------------------------- sinusoid


@dataclass(frozen=True)
class SinusoidBatch:
    """A batch of sinusoid tasks; tensors are float32, stacked over tasks."""

    amplitude: Tensor  # [tasks]
    phase: Tensor  # [tasks]
    x_support: Tensor  # [tasks, k_support, 1]
    y_support: Tensor  # [tasks, k_support, 1]
    x_query: Tensor  # [tasks, k_query, 1]
    y_query: Tensor  # [tasks, k_query, 1]

    def tasks(self) -> list[tuple[Tensor, Tensor, Tensor, Tensor]]:
        """The batch as the list of ``(x_support, y_support, x_query, y_query)`` tuples."""
        return list(zip(self.x_support, self.y_support, self.x_query, self.y_query, strict=True))


def sinusoid(x: Tensor, amplitude: Tensor, phase: Tensor) -> Tensor:
    """y = A·sin(x − φ), with amplitude and phase of shape [tasks] and x of shape [tasks, n, 1]."""
    return amplitude.view(-1, 1, 1) * torch.sin(x - phase.view(-1, 1, 1))


def sample_sinusoid_tasks(
    n_tasks: int,
    k_support: int,
    k_query: int,
    seed: int | torch.Generator = 0,
    query_grid: bool = False,
) -> SinusoidBatch:
    """Draw ``n_tasks`` sinusoid tasks with ``k_support`` + ``k_query`` points each.

    With ``query_grid=True`` the query inputs are ``k_query`` evenly spaced points over
    [-5, 5] (the same for every task), the usual way to measure the whole fitted curve.
    """
    if n_tasks <= 0 or k_support < 0 or k_query < 0:
        raise ValueError("n_tasks must be positive and the set sizes non-negative")
    gen = _generator(seed)
    amplitude = _uniform((n_tasks,), SINUSOID_AMPLITUDE, gen)
    phase = _uniform((n_tasks,), SINUSOID_PHASE, gen)
    x_support = _uniform((n_tasks, k_support, 1), SINUSOID_X, gen)
    if query_grid:
        grid = torch.linspace(*SINUSOID_X, k_query).view(1, k_query, 1)
        x_query = grid.expand(n_tasks, k_query, 1).clone()
    else:
        x_query = _uniform((n_tasks, k_query, 1), SINUSOID_X, gen)
    return SinusoidBatch(
        amplitude=amplitude,
        phase=phase,
        x_support=x_support,
        y_support=sinusoid(x_support, amplitude, phase),
        x_query=x_query,
        y_query=sinusoid(x_query, amplitude, phase),
    )


# --------------------------------------------------------------------------- episodes


def sample_episode(
    labels: Tensor | np.ndarray | list[int], n_way: int, k_shot: int, n_query: int, seed: int
) -> Episode:
    """Sample an N-way K-shot episode from a label vector (``episode-sampler``'s contract).

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
    eligible = classes[counts >= k_shot + n_query]
    if len(eligible) < n_way:
        raise ValueError(
            f"only {len(eligible)} classes have at least {k_shot + n_query} examples; "
            f"{n_way} are needed"
        )
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


@dataclass(frozen=True)
class GaussianFamily:
    """A synthetic few-shot classification family: fresh Gaussian classes in every episode.

    Class means live in an ``informative_dim``-dimensional subspace (means ~ N(0, I), points
    ~ N(mean, ``within_std``²)); ``nuisance_dim`` more coordinates are pure noise of
    ``nuisance_std``. A fixed random rotation (from ``family_seed``) mixes the two, so raw
    Euclidean distance is dominated by the nuisance while a learned linear map can remove it.
    """

    informative_dim: int = 8
    nuisance_dim: int = 24
    within_std: float = 0.35
    nuisance_std: float = 1.5
    family_seed: int = 1234

    @property
    def dim(self) -> int:
        """Dimension of the observed features."""
        return self.informative_dim + self.nuisance_dim

    def rotation(self) -> Tensor:
        """The family's fixed orthogonal mixing matrix, [dim, dim]."""
        gen = torch.Generator().manual_seed(self.family_seed)
        q, _ = torch.linalg.qr(torch.randn(self.dim, self.dim, generator=gen))
        return q


def sample_gaussian_episode(
    n_way: int,
    k_shot: int,
    n_query: int,
    seed: int | torch.Generator,
    family: GaussianFamily | None = None,
) -> Episode:
    """One episode ``(x_support, y_support, x_query, y_query)`` of the Gaussian family.

    Features are float32 [N·K, dim] and [N·Q, dim]; labels are int64 0..N-1, class-major.
    """
    family = family or GaussianFamily()
    gen = _generator(seed)
    means = torch.randn(n_way, family.informative_dim, generator=gen)
    rotation = family.rotation()

    def draw(per_class: int) -> tuple[Tensor, Tensor]:
        y = torch.arange(n_way).repeat_interleave(per_class)
        noise = torch.randn(len(y), family.informative_dim, generator=gen) * family.within_std
        nuisance = torch.randn(len(y), family.nuisance_dim, generator=gen) * family.nuisance_std
        x = torch.cat([means[y] + noise, nuisance], dim=1) @ rotation.T
        return x, y

    x_support, y_support = draw(k_shot)
    x_query, y_query = draw(n_query)
    return x_support, y_support, x_query, y_query


@lru_cache(maxsize=1)
def _digits() -> tuple[Tensor, Tensor]:
    from sklearn.datasets import load_digits  # scikit-learn loads slowly: only for the digits

    data = load_digits()
    x = torch.tensor(data.data / 16.0, dtype=torch.float32)
    return x, torch.tensor(data.target, dtype=torch.int64)


def load_digits_classes(classes: tuple[int, ...]) -> tuple[Tensor, Tensor]:
    """The digits (pixels / 16, float32 [n, 64]) of the given classes, with original labels."""
    x, y = _digits()
    keep = torch.isin(y, torch.tensor(classes))
    return x[keep], y[keep]


def sample_digits_episode(split: str, n_way: int, k_shot: int, n_query: int, seed: int) -> Episode:
    """A few-shot episode from load_digits: ``split`` is "train" (digits 0-5) or "test" (6-9).

    Returns ``(x_support, y_support, x_query, y_query)`` with episode labels 0..N-1.
    """
    classes = {"train": DIGITS_META_TRAIN_CLASSES, "test": DIGITS_META_TEST_CLASSES}[split]
    x, y = load_digits_classes(classes)
    support_idx, support_y, query_idx, query_y = sample_episode(y, n_way, k_shot, n_query, seed)
    return x[support_idx], support_y, x[query_idx], query_y
