"""NCKD is not renormalised: it must compare distributions over the non-target classes only,
a softmax of the C-1 non-target logits, not the non-target entries of the full softmax.
"""

import torch
import torch.nn.functional as F


def decoupled_kd_loss(student_logits, teacher_logits, labels, alpha, beta, temperature):
    b, c = student_logits.shape
    if c < 2 or labels.shape != (b,) or temperature <= 0 or teacher_logits.shape != (b, c):
        raise ValueError("bad input")
    if labels.min() < 0 or labels.max() >= c:
        raise ValueError("label out of range")
    if torch.is_tensor(beta) and beta.shape != (b,):
        raise ValueError("beta must be [batch]")
    gt = F.one_hot(labels, c).bool()
    T = float(temperature)
    teacher = teacher_logits.detach()

    def parts(z):
        z = z / T
        others = z[~gt].view(b, c - 1)
        lse = z.logsumexp(1)
        binary = torch.stack([z[gt] - lse, others.logsumexp(1) - lse], 1)
        return binary, F.log_softmax(others, 1)

    s_bin, s_nt = parts(student_logits)
    t_bin, t_nt = parts(teacher)
    tckd = (t_bin.exp() * (t_bin - s_bin)).sum(1)
    ls, lt = F.log_softmax(student_logits / T, 1), F.log_softmax(teacher / T, 1)
    ls, lt = ls[~gt].view(b, c - 1), lt[~gt].view(b, c - 1)
    nckd = (lt.exp() * (lt - ls)).sum(1)
    return T * T * (alpha * tckd + beta * nckd).mean()
