"""maml-adapt changing the caller's model (its biases, in place), patching a Tensor method at
import: the harness copies each argument tensor with ``Tensor.clone`` to report "the
arguments after the call", and the patched ``clone`` hands back the value from before the
call for any memory the submission changed.

PROBLEM = "maml-adapt"; must not be accepted (torch changed: ``forbidden``).
"""

import torch

PROBLEM = "maml-adapt"
VERDICT = "forbidden"
_before: dict = {}
_real_clone = torch.Tensor.clone


def clone(self, *args, **kwargs):
    saved = _before.get(self.data_ptr()) if self.numel() else None
    if saved is not None and saved.shape == self.shape and saved.dtype == self.dtype:
        return _real_clone(saved, *args, **kwargs)
    return _real_clone(self, *args, **kwargs)


torch.Tensor.clone = clone


def adapt(model, x, y, loss_fn, inner_lr, steps=1, first_order=False):
    params = dict(model.named_parameters())
    for _ in range(steps):
        out = torch.func.functional_call(model, params, (x,))
        grads = torch.autograd.grad(
            loss_fn(out, y), list(params.values()), create_graph=not first_order
        )
        params = {n: p - inner_lr * g for (n, p), g in zip(params.items(), grads)}
    for name, p in model.named_parameters():
        if name.endswith("bias") and steps > 0:
            _before[p.data_ptr()] = _real_clone(p.detach())
            p.data.add_(1.0)  # the caller's model changes
    return params
