"""Weight matching without scipy: a textbook O(n^3) Hungarian algorithm (shortest augmenting
paths with potentials) on the negated scores finds the same, unique, optimal assignment."""

import itertools

import torch
from torch import nn


def hungarian_max(score):
    """assignment[i] = the column given to row i, maximising the total score (square)."""
    cost = [[-float(x) for x in row] for row in score.tolist()]
    n = len(cost)
    inf = float("inf")
    u, v = [0.0] * (n + 1), [0.0] * (n + 1)
    owner, way = [0] * (n + 1), [0] * (n + 1)  # owner[j]: row matched to column j (1-based)
    for i in range(1, n + 1):
        owner[0], j0 = i, 0
        minv, used = [inf] * (n + 1), [False] * (n + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = owner[j0], inf, 0
            for j in range(1, n + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(n + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    assignment = [0] * n
    for j in range(1, n + 1):
        assignment[owner[j] - 1] = j - 1
    return assignment


def align_mlp(model_a, model_b):
    for model in (model_a, model_b):
        for module in model:
            stateful = len(list(module.parameters())) + len(list(module.buffers())) > 0
            if stateful and not isinstance(module, nn.Linear):
                raise ValueError(f"cannot align a {type(module).__name__}")
    sa, sb = model_a.state_dict(), model_b.state_dict()
    if list(sa) != list(sb) or any(sa[k].shape != sb[k].shape for k in sa):
        raise ValueError("the models differ")
    names = [str(i) for i, m in enumerate(model_b) if isinstance(m, nn.Linear)]
    out = {k: t.detach().clone() for k, t in sb.items()}
    for cur, nxt in itertools.pairwise(names):
        s = sa[f"{cur}.weight"].double() @ out[f"{cur}.weight"].double().T
        if f"{cur}.bias" in sa:
            s += sa[f"{cur}.bias"].double()[:, None] * out[f"{cur}.bias"].double()[None, :]
        perm = torch.tensor(hungarian_max(s))
        for key in (f"{cur}.weight", f"{cur}.bias"):
            if key in out:
                out[key] = out[key][perm]
        out[f"{nxt}.weight"] = out[f"{nxt}.weight"][:, perm]
    return out
