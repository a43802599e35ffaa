"""Weight matching written with explicit permutation matrices, walking the modules: the
aligned layer is P W P_prev^T."""

import torch
from scipy.optimize import linear_sum_assignment
from torch import nn


def align_mlp(model_a, model_b):
    a_layers = [(n, m) for n, m in model_a.named_children() if isinstance(m, nn.Linear)]
    b_layers = [(n, m) for n, m in model_b.named_children() if isinstance(m, nn.Linear)]
    for model in (model_a, model_b):
        for m in model.children():
            if not isinstance(m, nn.Linear) and len(m.state_dict()) > 0:
                raise ValueError("only nn.Linear layers may hold state")
    sa, sb = model_a.state_dict(), model_b.state_dict()
    if sa.keys() != sb.keys() or any(sa[k].shape != sb[k].shape for k in sa):
        raise ValueError("architectures differ")
    if [n for n, _ in a_layers] != [n for n, _ in b_layers]:
        raise ValueError("architectures differ")
    weights = [m.weight.detach().double() for _, m in b_layers]
    biases = [None if m.bias is None else m.bias.detach().double() for _, m in b_layers]
    prev = torch.eye(weights[0].shape[1], dtype=torch.float64)  # P_0 = I on the inputs
    for i in range(len(b_layers) - 1):
        wa = a_layers[i][1].weight.detach().double()
        wb = weights[i] @ prev.T
        score = wa @ wb.T
        if biases[i] is not None:
            score = score + torch.outer(a_layers[i][1].bias.detach().double(), biases[i])
        rows, cols = linear_sum_assignment(score.numpy(), maximize=True)
        perm = torch.zeros_like(score)
        perm[torch.as_tensor(rows), torch.as_tensor(cols)] = 1.0  # (P W)[i] = W[cols[i]]
        weights[i] = perm @ wb
        if biases[i] is not None:
            biases[i] = perm @ biases[i]
        prev = perm
    weights[-1] = weights[-1] @ prev.T
    out = {}
    for (name, module), w, b in zip(b_layers, weights, biases, strict=True):
        out[f"{name}.weight"] = w.to(module.weight.dtype)
        if b is not None:
            out[f"{name}.bias"] = b.to(module.bias.dtype)
    return out
