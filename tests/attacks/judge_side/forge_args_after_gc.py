"""As forge_args_after_maml, but finding the harness through the garbage collector (the
Child object, whatever sys.modules holds) and replacing what it calls.

Must not be accepted.
"""

import gc

import torch

PROBLEM = "maml-adapt"
_before = {}


def _forge() -> None:
    for obj in gc.get_objects():
        if type(obj).__name__ == "Child" and hasattr(obj, "arguments_after"):
            real = obj.arguments_after

            def arguments_after(args, kwargs, real=real):
                got, kw = real(args, kwargs)
                return [_before.get(id(a), g) for a, g in zip(args, got)], kw

            obj.arguments_after = arguments_after
            obj.convert.arguments_after = arguments_after


_forge()


def adapt(model, x, y, loss_fn, inner_lr, steps=1, first_order=False):
    _before[id(model)] = {n: t.detach().clone() for n, t in model.state_dict().items()}
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
