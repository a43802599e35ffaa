"""No inner loop: the query loss is evaluated at θ itself, so this is the gradient of
joint multi-task training ("pretraining on all tasks"), not MAML. The meta-loss must be
measured at each task's adapted parameters θ'_i = adapt(θ, support_i).
"""

import torch
from torch.func import functional_call


def maml_meta_gradient(model, tasks, loss_fn, inner_lr, steps=1, first_order=False):
    params = dict(model.named_parameters())
    losses = [loss_fn(functional_call(model, params, (x_q,)), y_q) for _, _, x_q, y_q in tasks]
    meta_loss = torch.stack(losses).mean()
    grads = torch.autograd.grad(meta_loss, list(params.values()), materialize_grads=True)
    return meta_loss.detach(), dict(zip(params, grads))
