import torch


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    # soft part: KL(teacher || student) at temperature temperature, scaled by temperature^2
    T = float(temperature)
    student_log = torch.log_softmax(student_logits / T, dim=1)
    teacher_log = torch.log_softmax(teacher_logits.detach() / T, dim=1)
    soft = (teacher_log.exp() * (teacher_log - student_log)).sum(dim=1).mean()
    # hard part: cross-entropy with the labels
    plain_log = torch.log_softmax(student_logits, dim=1)
    hard = -plain_log.gather(1, labels.view(-1, 1)).mean()
    return alpha * T * T * soft + (1 - alpha) * hard
