"""The small networks the meta-learning problems and benchmarks use.

All are plain ``nn.Sequential`` stacks of ``nn.Linear`` and elementwise activations, without
BatchNorm: that keeps them picklable into the judge's sandbox and lets the batched
meta-trainers of :mod:`reference.meta_train` run every task of a meta-batch as one batched matmul.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from torch import nn


def sinusoid_regressor() -> nn.Sequential:
    """Finn et al.'s 1-40-40-1 ReLU regressor for the sinusoid tasks (exactly this module)."""
    return nn.Sequential(
        nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU(), nn.Linear(40, 1)
    )


def mlp(in_features: int, hidden: Sequence[int], out_features: int) -> nn.Sequential:
    """A ReLU MLP ``in -> hidden... -> out`` with no activation after the last layer."""
    sizes = [in_features, *hidden, out_features]
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(pairwise(sizes)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def mlp_classifier(
    in_features: int, n_classes: int, hidden: Sequence[int] = (64, 64)
) -> nn.Sequential:
    """An MLP classifier returning logits, e.g. ``mlp_classifier(64, 5)`` for 5-way digits."""
    return mlp(in_features, hidden, n_classes)


def embedding_net(in_features: int, embedding_dim: int = 32, hidden: int = 64) -> nn.Sequential:
    """A small embedding network for prototypical networks: in -> hidden -> embedding_dim."""
    return mlp(in_features, (hidden,), embedding_dim)
