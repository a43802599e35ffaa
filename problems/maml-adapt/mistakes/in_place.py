"""The model's own parameters are updated in place (`p.data -= lr * grad`): the caller's
model is changed, so every task of a meta-batch would start from the previous task's
weights, and the result is not a function of the original θ that autograd can
differentiate.

adapt must leave the model as it found it and return new tensors.
"""

import torch


def adapt(model, x, y, loss_fn, inner_lr, steps=1, first_order=False):
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        grads = torch.autograd.grad(loss, list(model.parameters()))
        for p, g in zip(model.parameters(), grads):
            p.data -= inner_lr * g
    return {n: p for n, p in model.named_parameters()}
