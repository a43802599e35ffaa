"""Correct, with torch.func.grad: the inner gradient is a transform of the loss, which
composes with ordinary autograd (so θ' is differentiable w.r.t. θ and α)."""

from torch.func import functional_call, grad


def meta_sgd_adapt(model, lrs, x, y, loss_fn):
    params = dict(model.named_parameters())
    g = grad(lambda p: loss_fn(functional_call(model, p, (x,)), y))(params)
    return {name: params[name] - lrs[name] * g[name] for name in params}
