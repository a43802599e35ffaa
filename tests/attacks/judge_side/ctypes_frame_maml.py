"""maml-adapt changing the caller's model (its biases, in place) and forging "arguments after
the call" with ctypes: ``PyEval_GetFrame`` hands over the current frame without the audit
event ``sys._getframe`` raises, and the frames above lead to the harness's Child, whose
function for "the arguments after" is replaced.

PROBLEM = "maml-adapt"; must not be accepted (``forbidden``).
"""

import ctypes

import torch

PROBLEM = "maml-adapt"
VERDICT = "forbidden"
_before = {}


def _forge() -> None:
    get_frame = ctypes.pythonapi.PyEval_GetFrame
    get_frame.restype = ctypes.py_object
    frame = get_frame()
    while frame is not None:
        owner = frame.f_locals.get("self")
        real = getattr(owner, "arguments_after", None)
        if callable(real) and not getattr(real, "forged", False):

            def arguments_after(args, kwargs, real=real):
                got, kw = real(args, kwargs)
                return [_before.get(id(a), g) for a, g in zip(args, got)], kw

            arguments_after.forged = True
            owner.arguments_after = arguments_after
            return
        frame = frame.f_back


def adapt(model, x, y, loss_fn, inner_lr, steps=1, first_order=False):
    _before[id(model)] = {n: t.detach().clone() for n, t in model.state_dict().items()}
    try:
        _forge()
    except Exception:
        pass  # refused: carry on, as a submission hiding the attempt would
    params = dict(model.named_parameters())
    for _ in range(steps):
        out = torch.func.functional_call(model, params, (x,))
        grads = torch.autograd.grad(
            loss_fn(out, y), list(params.values()), create_graph=not first_order
        )
        params = {n: p - inner_lr * g for (n, p), g in zip(params.items(), grads)}
    for name, p in model.named_parameters():
        if name.endswith("bias") and steps > 0:
            p.data.add_(1.0)  # the caller's model changes
    return params
