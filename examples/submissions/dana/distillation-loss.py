import torch


def distillation_loss(s_out, t_out, targets, temp, mix):
    # soft part: KL(teacher || student) at temperature temp, scaled by temp^2
    T = float(temp)
    student_log = torch.log_softmax(s_out / T, dim=1)
    teacher_log = torch.log_softmax(t_out.detach() / T, dim=1)
    soft = (teacher_log.exp() * (teacher_log - student_log)).sum(dim=1).mean()
    # hard part: cross-entropy with the labels
    plain_log = torch.log_softmax(s_out, dim=1)
    hard = -plain_log.gather(1, targets.view(-1, 1)).mean()
    return mix * T * T * soft + (1 - mix) * hard
