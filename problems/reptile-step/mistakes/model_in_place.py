"""The model is trained in place (its own parameters become φ, or the outer update is
written into them). reptile_step must return the new initialisation and leave the model
as it was; the caller decides when to load it.
"""

import torch


def reptile_step(model, x, y, loss_fn, inner_lr, inner_steps, outer_lr):
    theta = {n: p.detach().clone() for n, p in model.named_parameters()}
    optimizer = torch.optim.SGD(model.parameters(), lr=inner_lr)
    for _ in range(inner_steps):
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    return {n: (theta[n] + outer_lr * (p - theta[n])).detach() for n, p in model.named_parameters()}
