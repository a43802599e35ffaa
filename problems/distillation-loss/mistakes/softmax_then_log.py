"""log(softmax(x)) is not numerically stable: with large logits softmax underflows to 0 and
its log becomes -inf (then NaN). Use log_softmax, which computes the same thing stably.
"""

import torch


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    q = torch.softmax(student_logits / t, dim=-1)
    p = torch.softmax(teacher_logits.detach() / t, dim=-1)
    soft = (p * (torch.log(p) - torch.log(q))).sum(dim=-1).mean() * t * t
    q1 = torch.softmax(student_logits, dim=-1)
    ce = -torch.log(q1.gather(1, labels.view(-1, 1))).mean()
    return alpha * soft + (1 - alpha) * ce
