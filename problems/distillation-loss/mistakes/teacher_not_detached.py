"""Gradient flows into teacher_logits: the teacher is a fixed target and must be detached
(or computed under torch.no_grad()), otherwise training would also move the teacher towards
the student.
"""

import torch.nn.functional as F


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    log_q = F.log_softmax(student_logits / t, dim=-1)
    log_p = F.log_softmax(teacher_logits / t, dim=-1)
    soft = F.kl_div(log_q, log_p, reduction="batchmean", log_target=True) * t * t
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
