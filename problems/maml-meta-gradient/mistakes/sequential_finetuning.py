"""This is sequential fine-tuning, not MAML (it is the source guide's own "meta-learning"
answer): one copy of the model is trained on task after task with an optimizer and the
loss is measured at the end. There is no inner/outer split: nothing adapts from a shared
θ per task, and the gradient returned is not the gradient of the post-adaptation query
loss with respect to θ.

(The guide's PyTorch answer: `for data, target in dataloader_k: optimizer.step()` over
three datasets in turn, then a test loss. Adapted here to the signature: SGD with
inner_lr for `steps` steps on each task's support set in turn, then the mean query loss of
the fine-tuned copy and its gradient with respect to the copy's weights.)
"""

import copy

import torch


def maml_meta_gradient(model, tasks, loss_fn, inner_lr, steps=1, first_order=False):
    learner = copy.deepcopy(model)
    optimizer = torch.optim.SGD(learner.parameters(), lr=inner_lr)
    for x_s, y_s, _, _ in tasks:
        for _ in range(steps):
            optimizer.zero_grad()
            loss_fn(learner(x_s), y_s).backward()
            optimizer.step()
    meta_loss = sum(loss_fn(learner(x_q), y_q) for _, _, x_q, y_q in tasks) / len(tasks)
    names = [n for n, _ in learner.named_parameters()]
    grads = torch.autograd.grad(meta_loss, list(learner.parameters()), materialize_grads=True)
    return meta_loss.detach(), dict(zip(names, grads))
