"""alpha weighs the wrong term: alpha belongs to the soft (teacher) term and 1 − alpha to
the cross-entropy on the hard labels.
"""

import torch.nn.functional as F


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    log_q = F.log_softmax(student_logits / t, dim=-1)
    p = F.softmax(teacher_logits.detach() / t, dim=-1)
    soft = F.kl_div(log_q, p, reduction="batchmean") * t * t
    return (1 - alpha) * soft + alpha * F.cross_entropy(student_logits, labels)
