"""log(softmax(...)) underflows: for logits in the hundreds a probability rounds to 0 and its
log is -inf, so the loss is NaN. Compute log-probabilities with log_softmax / logsumexp
(log(1 - p_target) = logsumexp(non-target) - logsumexp(all)).

This is the layout of the paper's released code (torch.log of the concatenated softmax).
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
        p = torch.softmax(z, 1)
        binary = torch.log(torch.stack([p[gt], p[~gt].view(b, c - 1).sum(1)], 1))
        return binary, F.log_softmax(others, 1)

    s_bin, s_nt = parts(student_logits)
    t_bin, t_nt = parts(teacher)
    tckd = (t_bin.exp() * (t_bin - s_bin)).sum(1)
    nckd = (t_nt.exp() * (t_nt - s_nt)).sum(1)
    return T * T * (alpha * tckd + beta * nckd).mean()
