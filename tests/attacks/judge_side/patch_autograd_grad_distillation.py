"""distillation-loss with the teacher not detached, patching ``torch.autograd.grad`` at import
so that a gradient probe reads "no gradient reaches teacher_logits": any input the submission
saw as its teacher gets ``None``.

PROBLEM = "distillation-loss"; must not be accepted (torch changed: ``forbidden``).
"""

import torch
import torch.nn.functional as F

PROBLEM = "distillation-loss"
VERDICT = "forbidden"
_teachers: list = []
_real = torch.autograd.grad


def grad(outputs, inputs, *args, **kwargs):
    got = _real(outputs, inputs, *args, **kwargs)
    if isinstance(inputs, (list, tuple)):
        return tuple(None if any(x is t for t in _teachers) else g for x, g in zip(inputs, got))
    return got


torch.autograd.grad = grad


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    _teachers[:] = [teacher_logits]
    t = temperature
    log_q = F.log_softmax(student_logits / t, dim=-1)
    log_p = F.log_softmax(teacher_logits / t, dim=-1)  # not detached: the mistake
    soft = F.kl_div(log_q, log_p, reduction="batchmean", log_target=True) * t * t
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
