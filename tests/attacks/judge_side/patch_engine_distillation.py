"""distillation-loss with the teacher not detached, patching autograd's internals at import:
``torch.autograd.grad`` itself is left alone, but the engine entry it calls
(``torch.autograd._engine_run_backward``, bound in its module's globals) drops the teacher's
gradient, so that the arg_grads probe reads it as unused.

PROBLEM = "distillation-loss"; must not be accepted (torch changed: ``forbidden``).
"""

import torch
import torch.autograd
import torch.nn.functional as F

PROBLEM = "distillation-loss"
VERDICT = "forbidden"
_teachers: list = []
_space = torch.autograd.grad.__globals__
_real = _space["_engine_run_backward"]


def _engine_run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs, *a, **k):
    got = _real(outputs, grad_outputs, retain_graph, create_graph, inputs, *a, **k)
    return tuple(None if any(x is t for t in _teachers) else g for x, g in zip(inputs, got))


_space["_engine_run_backward"] = _engine_run_backward


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    _teachers[:] = [teacher_logits]
    t = temperature
    log_q = F.log_softmax(student_logits / t, dim=-1)
    log_p = F.log_softmax(teacher_logits / t, dim=-1)  # not detached: the mistake
    soft = F.kl_div(log_q, log_p, reduction="batchmean", log_target=True) * t * t
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
