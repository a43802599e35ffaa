from __future__ import annotations

from torch.func import functional_call, grad


def adapt(model, x, y, loss_fn, inner_lr, steps=1, first_order=False):
    def task_loss(params):
        return loss_fn(functional_call(model, params, (x,)), y)

    params = dict(model.named_parameters())
    for _ in range(steps):
        grads = grad(task_loss)(params)
        if first_order:
            grads = {name: g.detach() for name, g in grads.items()}
        params = {name: params[name] - inner_lr * grads[name] for name in params}
    return params
