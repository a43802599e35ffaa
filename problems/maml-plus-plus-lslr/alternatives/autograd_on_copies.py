"""Plain autograd with create_graph on a list of tensors, the model's parameters cloned
first (so the graph starts at clones, which still reach the parameters); the weights
applied term by term."""

import torch
from torch.func import functional_call


def lslr_multi_step_loss(model, lrs, x_support, y_support, x_query, y_query, loss_fn, step_weights):
    named = list(model.named_parameters())
    if step_weights.dim() != 1 or step_weights.shape[0] < 1:
        raise ValueError("bad step_weights")
    K = step_weights.shape[0]
    if set(lrs.keys()) != {n for n, _ in named}:
        raise ValueError("lrs must be keyed like the model's parameters")
    for n, _ in named:
        if lrs[n].dim() != 1 or lrs[n].shape[0] != K:
            raise ValueError(f"lrs[{n}] must have one rate per step")
    names = [n for n, _ in named]
    theta = [p.clone() for _, p in named]
    out = None
    for k in range(K):
        loss = loss_fn(
            functional_call(model, dict(zip(names, theta, strict=True)), x_support), y_support
        )
        grads = torch.autograd.grad(loss, theta, create_graph=True)
        theta = [t - lrs[n][k] * g for n, t, g in zip(names, theta, grads, strict=True)]
        term = step_weights[k] * loss_fn(
            functional_call(model, dict(zip(names, theta, strict=True)), x_query), y_query
        )
        out = term if out is None else out + term
    return out
