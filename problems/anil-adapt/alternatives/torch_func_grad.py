"""torch.func.grad of the head's loss as a function of its parameters; the head's parameters
carried as a tuple through the steps, the body applied once as model[:-1]."""

from torch import nn
from torch.func import functional_call, grad


def anil_adapt(model, x, y, loss_fn, inner_lr, steps=1, first_order=False):
    if not isinstance(model, nn.Sequential) or len(model) < 2:
        raise ValueError("need an nn.Sequential body + head")
    if steps < 0:
        raise ValueError("steps must be >= 0")
    head = model[-1]
    names = [n for n, _ in head.named_parameters()]
    if not names:
        raise ValueError("the head has no parameters")
    feats = model[:-1](x)

    def head_loss(params, f):
        return loss_fn(functional_call(head, dict(zip(names, params, strict=True)), (f,)), y)

    params = tuple(p for _, p in head.named_parameters())
    for _ in range(steps):
        if first_order:
            g = grad(head_loss)(tuple(p.detach() for p in params), feats.detach())
        else:
            g = grad(head_loss)(params, feats)
        params = tuple(p - inner_lr * gi for p, gi in zip(params, g, strict=True))
    adapted = dict(zip(names, params, strict=True))
    key = f"{len(model) - 1}."
    return {
        n: adapted[n[len(key) :]] if n.startswith(key) else p for n, p in model.named_parameters()
    }
