"""Knowledge distillation (Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural
Network").

The student learns from the teacher's temperature-softened output distribution on a transfer
set, which may be unlabelled, plus (optionally) the hard labels it has. This is what the source
guide's "distillation" (interpolating the student's parameters towards the teacher's) is not:
the two networks need not even have the same shape.
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from reference.data import make_student


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


def distillation_loss(
    student_logits: Tensor,
    teacher_logits: Tensor,
    labels: Tensor,
    temperature: float,
    alpha: float,
) -> Tensor:
    """α·T²·KL(teacher_T ‖ student_T) + (1 − α)·CE(student, labels), both batch means.

    No gradient reaches ``teacher_logits``.
    """
    soft = soft_target_loss(student_logits, teacher_logits, temperature)
    hard = F.cross_entropy(student_logits, labels)
    return alpha * soft + (1.0 - alpha) * hard


def _check_logits(student_logits: Tensor, teacher_logits: Tensor, labels: Tensor) -> None:
    if student_logits.dim() != 2 or student_logits.shape != teacher_logits.shape:
        raise ValueError(
            f"logits must both be [batch, classes]; got {tuple(student_logits.shape)} and "
            f"{tuple(teacher_logits.shape)}"
        )
    batch, classes = student_logits.shape
    if classes < 2:
        raise ValueError(f"decoupled KD needs at least 2 classes, got {classes}")
    if labels.shape != (batch,):
        raise ValueError(f"labels must be [{batch}], got {tuple(labels.shape)}")
    if batch and not bool(((labels >= 0) & (labels < classes)).all()):
        raise ValueError(f"labels must lie in 0..{classes - 1}")


def _split_kl(student_logits: Tensor, teacher_logits: Tensor, labels: Tensor, t: float):
    """Per-example TCKD and NCKD at temperature ``t`` (both [batch]), computed stably.

    The binary distributions are [p_target, 1 − p_target] with log(1 − p_target) as
    logsumexp(non-target) − logsumexp(all), so nothing underflows to log 0; the non-target
    distribution is a softmax over the C − 1 non-target logits only (gathered, not masked).
    """
    batch, classes = student_logits.shape
    target = F.one_hot(labels, classes).bool()

    def parts(logits: Tensor) -> tuple[Tensor, Tensor]:
        z = logits / t
        others = z[~target].view(batch, classes - 1)
        log_all = torch.logsumexp(z, dim=-1)
        log_binary = torch.stack(
            [z[target] - log_all, torch.logsumexp(others, dim=-1) - log_all], dim=-1
        )
        return log_binary, F.log_softmax(others, dim=-1)

    s_bin, s_other = parts(student_logits)
    t_bin, t_other = parts(teacher_logits.detach())
    tckd = (t_bin.exp() * (t_bin - s_bin)).sum(dim=-1)
    nckd = (t_other.exp() * (t_other - s_other)).sum(dim=-1)
    return tckd, nckd


def decoupled_kd_loss(
    student_logits: Tensor,
    teacher_logits: Tensor,
    labels: Tensor,
    alpha: float,
    beta: float | Tensor,
    temperature: float,
) -> Tensor:
    """Decoupled KD (Zhao et al. 2022): α·T²·TCKD + β·T²·NCKD, batch means.

    TCKD is the KL between the teacher's and the student's binary (target vs rest)
    distributions, NCKD the KL between their distributions over the non-target classes
    renormalised. Classical KD is TCKD + (1 − p_target^teacher)·NCKD per example, so with
    ``alpha=1`` and ``beta`` the tensor 1 − p_target^teacher this is ``soft_target_loss``.
    ``beta`` is a float or a [batch] tensor of per-example weights. The teacher is detached.
    """
    _check_logits(student_logits, teacher_logits, labels)
    t = float(temperature)
    if not t > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    if isinstance(beta, Tensor) and beta.shape != labels.shape:
        raise ValueError(f"beta must be a float or a [batch] tensor, got {tuple(beta.shape)}")
    tckd, nckd = _split_kl(student_logits, teacher_logits, labels, t)
    return t * t * (alpha * tckd + beta * nckd).mean()


def hint_loss(student_features: Tensor, teacher_features: Tensor, regressor: nn.Module) -> Tensor:
    """FitNets' hint loss (Romero et al. 2015): ½‖teacher − regressor(student)‖², batch mean.

    The regressor maps the (thinner) student's features to the teacher's shape; the squared
    error is summed over every non-batch dimension and averaged over the batch. Gradients
    reach the student's features and the regressor; the teacher's features are a target.
    """
    if student_features.shape[:1] != teacher_features.shape[:1] or student_features.dim() < 2:
        raise ValueError(
            f"features must be [batch, ...] with one batch size; got "
            f"{tuple(student_features.shape)} and {tuple(teacher_features.shape)}"
        )
    guess = regressor(student_features)
    if guess.shape != teacher_features.shape:
        raise ValueError(
            f"the regressor maps the student's features to {tuple(guess.shape)}, "
            f"not to the teacher's {tuple(teacher_features.shape)}"
        )
    diff = guess - teacher_features.detach()
    return 0.5 * diff.pow(2).flatten(1).sum(dim=1).mean()


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
