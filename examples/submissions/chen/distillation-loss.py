import torch
from torch import nn


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    with torch.no_grad():
        p = torch.softmax(teacher_logits / temperature, dim=-1)
    log_q = torch.log_softmax(student_logits / temperature, dim=-1)
    soft = nn.KLDivLoss(reduction="batchmean")(log_q, p) * temperature**2
    hard = nn.CrossEntropyLoss()(student_logits, labels)
    return alpha * soft + (1 - alpha) * hard
