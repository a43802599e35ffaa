"""The T² factor is missing: softening by T shrinks the KL's gradients by 1/T², so DKD keeps
Hinton's T² on both terms (Zhao et al.'s code multiplies each by temperature**2).
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
    nckd = (t_nt.exp() * (t_nt - s_nt)).sum(1)
    return (alpha * tckd + beta * nckd).mean()
