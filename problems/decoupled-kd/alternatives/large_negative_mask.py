"""The paper's masking layout, made stable: binary probabilities from logsumexp of the
masked logits, the non-target softmax with the target logit pushed to -1e9 (its probability
is exactly 0, so it adds nothing), both KLs by F.kl_div on log-probabilities."""

import torch
import torch.nn.functional as F


def decoupled_kd_loss(student_logits, teacher_logits, labels, alpha, beta, temperature):
    if student_logits.dim() != 2 or student_logits.shape != teacher_logits.shape:
        raise ValueError("logits must be [batch, classes] of one shape")
    b, c = student_logits.shape
    if c < 2 or labels.shape != (b,) or temperature <= 0:
        raise ValueError("bad classes, labels or temperature")
    if labels.min() < 0 or labels.max() >= c:
        raise ValueError("label out of range")
    if torch.is_tensor(beta) and beta.shape != (b,):
        raise ValueError("beta must be [batch]")
    gt = F.one_hot(labels, c).bool()

    def logs(z):
        z = z / temperature
        lse = z.logsumexp(1, keepdim=True)
        log_t = z.masked_fill(~gt, float("-inf")).logsumexp(1, keepdim=True) - lse
        log_o = z.masked_fill(gt, float("-inf")).logsumexp(1, keepdim=True) - lse
        return torch.cat([log_t, log_o], 1), F.log_softmax(z.masked_fill(gt, -1e9), 1)

    s_bin, s_nt = logs(student_logits)
    with torch.no_grad():
        t_bin, t_nt = logs(teacher_logits)
    tckd = F.kl_div(s_bin, t_bin, reduction="none", log_target=True).sum(1)
    nckd = F.kl_div(s_nt, t_nt, reduction="none", log_target=True).sum(1)
    return temperature**2 * (alpha * tckd + beta * nckd).mean()
