import torch


def adapt(model, x, y, loss_fn, inner_lr, steps=1, first_order=False):
    params = {name: p for name, p in model.named_parameters()}
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        grads = torch.autograd.grad(loss, params.values(), create_graph=not first_order)
        # crashes: grads is a tuple, indexed here by parameter name
        params = {name: params[name] - inner_lr * grads[name] for name in params}
    return params
