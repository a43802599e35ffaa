import torch.nn.functional as F


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    log_q = F.log_softmax(student_logits / t, dim=-1)
    p = F.softmax(teacher_logits.detach() / t, dim=-1)
    soft = F.kl_div(log_q, p, reduction="batchmean")
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
