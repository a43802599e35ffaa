"""Prototypical networks (Snell et al. 2017): classify a query by its nearest class-mean embedding.

:func:`prototypical_logits` is the ``prototypical-logits`` problem's entry point;
:func:`train_protonet` / :func:`evaluate_protonet` train and measure an embedding network on
episodes from :mod:`reference.tasks` (the synthetic Gaussian family or the digits split).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

# seed -> (x_support, y_support, x_query, y_query), labels 0..N-1.
EpisodeSampler = Callable[[int], tuple[Tensor, Tensor, Tensor, Tensor]]


def prototypical_logits(support: Tensor, support_y: Tensor, query: Tensor, n_way: int) -> Tensor:
    """``logits[q, k] = −‖query_q − c_k‖²`` with c_k the mean support embedding of class k.

    ``support`` is [S, D] in any order with labels ``support_y`` in 0..n_way−1, ``query`` is
    [Q, D]; returns [Q, n_way]. The squared distance is taken from the differences (not the
    ‖a‖² − 2ab + ‖b‖² expansion), which loses no precision when query and prototype are close.
    """
    one_hot = F.one_hot(support_y.long(), n_way).to(support.dtype)  # [S, n_way]
    prototypes = (one_hot.T @ support) / one_hot.sum(0).unsqueeze(1)  # [n_way, D]
    return -(query.unsqueeze(1) - prototypes.unsqueeze(0)).square().sum(-1)


@dataclass(frozen=True)
class ProtoConfig:
    """Settings of :func:`train_protonet`."""

    episodes: int = 2000
    """Training episodes (one Adam step each)."""
    lr: float = 1e-3
    """Adam's learning rate."""
    seed: int = 0
    """Episode ``i`` is drawn with seed ``seed * 1_000_003 + i``."""


def episode_loss(embed: nn.Module, episode: tuple[Tensor, Tensor, Tensor, Tensor]) -> Tensor:
    """Cross-entropy of the query labels under the prototypical logits of one episode."""
    x_s, y_s, x_q, y_q = episode
    n_way = int(y_s.max()) + 1
    return F.cross_entropy(prototypical_logits(embed(x_s), y_s, embed(x_q), n_way), y_q)


def train_protonet(embed: nn.Module, sample: EpisodeSampler, config: ProtoConfig) -> list[float]:
    """Train ``embed`` in place on episodes from ``sample``; returns the loss per episode."""
    opt = torch.optim.Adam(embed.parameters(), lr=config.lr)
    history = []
    for i in range(config.episodes):
        loss = episode_loss(embed, sample(config.seed * 1_000_003 + i))
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.item())
    return history


@torch.no_grad()
def evaluate_protonet(embed: nn.Module | None, sample: EpisodeSampler, seeds: range) -> float:
    """Mean query accuracy over the episodes of ``seeds``; ``embed=None`` uses raw features."""
    correct = total = 0
    for seed in seeds:
        x_s, y_s, x_q, y_q = sample(seed)
        if embed is not None:
            x_s, x_q = embed(x_s), embed(x_q)
        logits = prototypical_logits(x_s, y_s, x_q, int(y_s.max()) + 1)
        correct += int((logits.argmax(1) == y_q).sum())
        total += len(y_q)
    return correct / total
