"""The digits data set, split once, and the small MLPs trained on it.

Every benchmark, problem and test that needs real images uses scikit-learn's bundled
``load_digits`` (1,797 8x8 grey-level images, nothing downloaded) through :func:`digits_split`,
so a number quoted anywhere in the project refers to the same train / validation / test split.
The helpers below (few-label split, standard teacher and student, a deterministic trainer and
accuracy) exist so that benchmarks and problems train their models the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from reference.models import mlp

SPLIT_SEED = 0
"""Seed of the one fixed split; changing it changes every number the project quotes."""

VAL_FRACTION = 0.2
TEST_FRACTION = 0.2
N_FEATURES = 64
N_CLASSES = 10


@dataclass(frozen=True)
class DigitsSplit:
    """Train / validation / test tensors: x float32 [n, 64] in [0, 1], y int64 [n]."""

    x_train: Tensor
    y_train: Tensor
    x_val: Tensor
    y_val: Tensor
    x_test: Tensor
    y_test: Tensor


@lru_cache(maxsize=1)
def _split_arrays() -> tuple[np.ndarray, ...]:
    from sklearn.datasets import load_digits  # scikit-learn loads slowly: only for the digits

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    rng = np.random.default_rng(SPLIT_SEED)
    parts: dict[str, list[np.ndarray]] = {"train": [], "val": [], "test": []}
    # Stratified by class so that each split holds every digit in its natural proportion.
    for c in range(N_CLASSES):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_test = round(TEST_FRACTION * len(idx))
        n_val = round(VAL_FRACTION * len(idx))
        parts["test"].append(idx[:n_test])
        parts["val"].append(idx[n_test : n_test + n_val])
        parts["train"].append(idx[n_test + n_val :])
    out = []
    for name in ("train", "val", "test"):
        idx = np.sort(np.concatenate(parts[name]))
        out += [x[idx], y[idx]]
    return tuple(out)


def digits_split() -> DigitsSplit:
    """The project's one split of load_digits (60/20/20, stratified, seed ``SPLIT_SEED``).

    Returns fresh tensors on each call, so callers may modify them freely.
    """
    arrays = _split_arrays()
    return DigitsSplit(*(torch.from_numpy(a.copy()) for a in arrays))


def few_labels_split(
    x: Tensor, y: Tensor, per_class: int, seed: int
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Keep ``per_class`` labelled examples of each class; the rest become unlabelled.

    Returns ``(x_labeled, y_labeled, x_unlabeled, y_unlabeled)``; ``y_unlabeled`` is for
    evaluation only (a distillation method must not look at it).
    """
    if per_class < 1:
        raise ValueError("per_class must be at least 1")
    g = torch.Generator().manual_seed(seed)
    keep = []
    for c in torch.unique(y).tolist():
        idx = torch.nonzero(y == c).flatten()
        if len(idx) < per_class:
            raise ValueError(f"class {c} has only {len(idx)} examples")
        keep.append(idx[torch.randperm(len(idx), generator=g)[:per_class]])
    labeled = torch.zeros(len(y), dtype=torch.bool)
    labeled[torch.cat(keep)] = True
    return x[labeled], y[labeled], x[~labeled], y[~labeled]


def make_mlp(hidden: tuple[int, ...], seed: int) -> nn.Sequential:
    """A ReLU MLP 64 -> hidden... -> 10, initialised from ``seed``.

    The global RNG is forked, so building a model does not reseed the caller's random stream.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return mlp(N_FEATURES, hidden, N_CLASSES)


def make_student(seed: int = 0) -> nn.Sequential:
    """The distillation problem's student: exactly Linear(64, 32), ReLU, Linear(32, 10)."""
    return make_mlp((32,), seed)


def make_teacher(seed: int = 0) -> nn.Sequential:
    """The standard larger MLP (64-256-256-10, about 85k parameters) used as a teacher."""
    return make_mlp((256, 256), seed)


def train_classifier(
    model: nn.Module,
    x: Tensor,
    y: Tensor,
    *,
    epochs: int = 60,
    lr: float = 1e-3,
    batch_size: int = 64,
    weight_decay: float = 0.0,
    seed: int = 0,
    input_noise: float = 0.0,
) -> nn.Module:
    """Minibatch Adam on cross-entropy, in place; deterministic for a given ``seed``.

    ``input_noise`` adds Gaussian noise of that standard deviation to each batch, a cheap
    regulariser that helps the small-data runs.
    """
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=g)
        for start in range(0, len(x), batch_size):
            idx = order[start : start + batch_size]
            xb = x[idx]
            if input_noise > 0:
                xb = xb + input_noise * torch.randn(xb.shape, generator=g)
            loss = F.cross_entropy(model(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    return model


@torch.no_grad()
def accuracy(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """Fraction of ``x`` whose argmax logit equals ``y``, with the model in eval mode."""
    was_training = model.training
    model.eval()
    correct = (model(x).argmax(dim=-1) == y).float().mean().item()
    model.train(was_training)
    return correct


@lru_cache(maxsize=4)
def _trained_teacher_state(seed: int) -> dict[str, Tensor]:
    split = digits_split()
    teacher = make_teacher(seed)
    train_classifier(teacher, split.x_train, split.y_train, epochs=60, seed=seed)
    return {k: v.clone() for k, v in teacher.state_dict().items()}


def trained_teacher(seed: int = 0) -> nn.Sequential:
    """The standard teacher trained on every label of the training split (cached per seed)."""
    teacher = make_teacher(seed)
    teacher.load_state_dict(_trained_teacher_state(seed))
    teacher.eval()
    return teacher
