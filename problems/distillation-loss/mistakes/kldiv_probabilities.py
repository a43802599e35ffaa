"""F.kl_div / nn.KLDivLoss expects its first argument as LOG-probabilities: feeding it the
student's probabilities computes a different (and meaningless) quantity. Pass
log_softmax(student / T).
"""

import torch.nn.functional as F


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    q = F.softmax(student_logits / t, dim=-1)
    p = F.softmax(teacher_logits.detach() / t, dim=-1)
    soft = F.kl_div(q, p, reduction="batchmean") * t * t
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
