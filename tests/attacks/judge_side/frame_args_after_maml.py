"""maml-adapt changing the caller's model (its biases, in place) and forging "arguments after
the call" by walking frames: ``sys._getframe(1)`` is the harness's frame, whose ``self`` (the
Child) holds the function that computes them; it is replaced, for this call, by one that
reports the model as it was before.

PROBLEM = "maml-adapt"; must not be accepted (the harness's state changed: ``forbidden``).
"""

import sys

import torch

PROBLEM = "maml-adapt"
VERDICT = "forbidden"
_before = {}


def _forge() -> None:
    frame = sys._getframe(2)
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
    _forge()
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
