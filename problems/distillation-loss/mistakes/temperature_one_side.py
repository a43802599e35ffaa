"""The temperature softens only the teacher: both distributions in the KL term must be
computed at the same temperature, softmax(teacher / T) and softmax(student / T).
"""

import torch.nn.functional as F


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    log_q = F.log_softmax(student_logits, dim=-1)
    p = F.softmax(teacher_logits.detach() / t, dim=-1)
    soft = F.kl_div(log_q, p, reduction="batchmean") * t * t
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
