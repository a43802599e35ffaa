"""Reference solution: 300 full-batch Adam steps on T = 4, alpha = 0.9 distillation, as in
reference/distill.py.

Self-contained on purpose: the judge runs the solution in the sandbox, where importing
``reference`` is forbidden. tests/problems/test_model_problems.py checks that it agrees
with reference.distill.distill.
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
from torch import Tensor, nn

N_FEATURES = 64
N_CLASSES = 10


def make_mlp(hidden: tuple[int, ...], seed: int) -> nn.Sequential:
    """A ReLU MLP 64 -> hidden... -> 10, initialised from ``seed``.

    The global RNG is forked, so building a model does not reseed the caller's random stream.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers: list[nn.Module] = []
        width = N_FEATURES
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, N_CLASSES))
        return nn.Sequential(*layers)


def make_student(seed: int = 0) -> nn.Sequential:
    """The distillation problem's student: exactly Linear(64, 32), ReLU, Linear(32, 10)."""
    return make_mlp((32,), seed)


def soft_target_loss(student_logits: Tensor, teacher_logits: Tensor, temperature: float) -> Tensor:
    """T²·KL(softmax(teacher/T) ‖ softmax(student/T)), KL summed over classes, batch mean.

    The T² keeps the gradient's magnitude roughly independent of T (Hinton et al. §2), so the
    soft and hard terms keep their relative weight when T changes. The teacher is detached.
    """
    t = float(temperature)
    log_q = F.log_softmax(student_logits / t, dim=-1)
    log_p = F.log_softmax(teacher_logits.detach() / t, dim=-1)
    # kl_div takes the *student's* log-probabilities first; "batchmean" sums over classes.
    kl = F.kl_div(log_q, log_p, reduction="batchmean", log_target=True)
    return t * t * kl


def train_student(
    teacher: nn.Module,
    student: nn.Module,
    labeled: tuple[Tensor, Tensor],
    unlabeled: Tensor,
    T: float,
    alpha: float,
    *,
    steps: int = 300,
    batch_size: int | None = None,
    lr: float = 2e-2,
    seed: int = 0,
    deadline: float | None = None,
) -> nn.Module:
    """Distil ``teacher`` into ``student`` in place on the transfer set labeled-x ∪ unlabeled.

    Each Adam step (cosine-decayed learning rate) takes a transfer batch and a batch of the
    labelled examples (``batch_size=None``: all of them; the digits sets are small enough that
    full-batch steps are the cheapest way to train); the loss is α·soft term on the transfer
    batch + (1 − α)·cross-entropy on the labelled batch: the labels are few, so the soft
    targets carry most of the signal. The teacher is evaluated once, on the whole transfer set.
    ``deadline`` (a ``time.monotonic()`` value) stops training early on a very slow machine.
    Deterministic for a given ``seed`` when it finishes before the deadline.
    """
    x_lab, y_lab = labeled
    transfer = torch.cat([x_lab, unlabeled])
    g = torch.Generator().manual_seed(seed)
    teacher.eval()
    with torch.no_grad():
        teacher_logits = teacher(transfer)
    opt = torch.optim.Adam(student.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    student.train()
    for _ in range(steps):
        if deadline is not None and time.monotonic() > deadline:
            break
        xb, tb, xl, yl = transfer, teacher_logits, x_lab, y_lab
        if batch_size is not None and batch_size < len(transfer):
            ti = torch.randint(len(transfer), (batch_size,), generator=g)
            xb, tb = transfer[ti], teacher_logits[ti]
        if batch_size is not None and batch_size < len(x_lab):
            li = torch.randint(len(x_lab), (batch_size,), generator=g)
            xl, yl = x_lab[li], y_lab[li]
        loss = alpha * soft_target_loss(student(xb), tb, T)
        if alpha < 1.0:
            loss = loss + (1.0 - alpha) * F.cross_entropy(student(xl), yl)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    student.eval()
    return student


def distill(
    teacher: nn.Module,
    x_labeled: Tensor,
    y_labeled: Tensor,
    x_unlabeled: Tensor,
    seed: int,
    time_budget_s: float,
) -> nn.Module:
    """The distill-student problem's reference: a 64-32-10 student distilled from ``teacher``.

    Uses T = 4, α = 0.9 and 300 full-batch Adam steps (the temperature sweep is in
    benchmarks/distillation.py): about a second of CPU time. Stops at half of
    ``time_budget_s`` whatever happens, so that it stays within budget on a machine many times
    slower (only then does the result depend on timing).
    """
    start = time.monotonic()
    student = make_student(seed)
    return train_student(
        teacher,
        student,
        (x_labeled, y_labeled),
        x_unlabeled,
        T=4.0,
        alpha=0.9,
        seed=seed,
        deadline=start + 0.5 * float(time_budget_s),
    )


__all__ = ["distill"]
