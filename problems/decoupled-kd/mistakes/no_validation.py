"""No argument checks: logits that are not 2-D of one shape, a single class, labels that are
not [B] or out of range, a beta tensor that is not [B], or T <= 0 must raise ValueError
(here they broadcast, index out of range, or return a meaningless loss).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def _split_kl(student_logits: Tensor, teacher_logits: Tensor, labels: Tensor, t: float):
    """Per-example TCKD and NCKD at temperature ``t`` (both [batch]), computed stably.

    log(1 − p_target) is logsumexp(non-target) − logsumexp(all), so nothing underflows to
    log 0; the non-target distribution is a softmax over the C − 1 non-target logits only.
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
    """α·T²·TCKD + β·T²·NCKD, batch means; no argument checks."""
    t = float(temperature)
    tckd, nckd = _split_kl(student_logits, teacher_logits, labels, t)
    return t * t * (alpha * tckd + beta * nckd).mean()


__all__ = ["decoupled_kd_loss"]
