"""Correct, fully functional: torch.func.grad nested inside torch.func.grad_and_value.

The meta-loss is written as a pure function of the parameter dict; the inner gradient is
itself a torch.func.grad, so the outer transform differentiates through it (second order)
unless it is detached (first order).
"""

from torch.func import functional_call, grad, grad_and_value


def maml_meta_gradient(model, tasks, loss_fn, inner_lr, steps=1, first_order=False):
    def task_loss(params, x, y):
        return loss_fn(functional_call(model, params, (x,)), y)

    def meta_loss(params):
        total = 0.0
        for x_s, y_s, x_q, y_q in tasks:
            adapted = params
            for _ in range(steps):
                g = grad(task_loss)(adapted, x_s, y_s)
                if first_order:
                    g = {k: v.detach() for k, v in g.items()}
                adapted = {k: adapted[k] - inner_lr * g[k] for k in adapted}
            total = total + task_loss(adapted, x_q, y_q)
        return total / len(tasks)

    params = {k: v.detach() for k, v in model.named_parameters()}
    grads, value = grad_and_value(meta_loss)(params)
    return value.detach(), grads
