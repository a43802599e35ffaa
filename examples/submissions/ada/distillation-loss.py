import torch


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = float(temperature)
    log_q = torch.log_softmax(student_logits / t, dim=1)
    log_p = torch.log_softmax(teacher_logits.detach() / t, dim=1)
    kl = (log_p.exp() * (log_p - log_q)).sum(dim=1).mean()
    log_q1 = torch.log_softmax(student_logits, dim=1)
    ce = -log_q1.gather(1, labels.view(-1, 1)).mean()
    return alpha * t * t * kl + (1 - alpha) * ce
