"""distillation-loss with the teacher not detached, forging the arg_grads probe through a
traceback's frames: the frame above the submission's is the probe's, and its globals (the
probe module's namespace) get a ``to_data`` that, called next by the probe's helper, reaches
that helper's locals and marks teacher_logits unused with a zero gradient, then puts the real
``to_data`` back, so that nothing looks changed afterwards.

PROBLEM = "distillation-loss"; must not be accepted (``forbidden``).
"""

import torch.nn.functional as F

PROBLEM = "distillation-loss"
VERDICT = "forbidden"


def _frame(up: int):
    try:
        raise LookupError
    except LookupError as exc:
        frame = exc.__traceback__.tb_frame  # this function's frame
    for _ in range(up):
        frame = frame.f_back
    return frame


def _forge() -> None:
    frame = _frame(1)
    while frame is not None and "_sum_grads" not in frame.f_globals:
        frame = frame.f_back  # up to the probe's frame, whatever calls the submission
    if frame is None:
        return
    space = frame.f_globals  # the probe's module
    real = space["to_data"]

    def to_data(value, *args, **kwargs):
        space["to_data"] = real  # put back: nothing looks changed afterwards
        helper = _frame(2).f_locals  # the probe's helper, building its answer
        if "1" in helper.get("grads", {}):
            helper["grads"]["1"].zero_()
            if "1" not in helper["unused"]:
                helper["unused"].append("1")
        return real(value, *args, **kwargs)

    space["to_data"] = to_data


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    _forge()
    t = temperature
    log_q = F.log_softmax(student_logits / t, dim=-1)
    log_p = F.log_softmax(teacher_logits / t, dim=-1)  # not detached: the mistake
    soft = F.kl_div(log_q, log_p, reduction="batchmean", log_target=True) * t * t
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
