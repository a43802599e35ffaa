"""Ingredients with equal validation accuracy must keep their list order (a stable sort):
ranking by (accuracy, index) descending puts the later one first.
"""

import torch


def _average(sds):
    return {
        k: (sum(sd[k].double() for sd in sds) / len(sds)).to(v.dtype)
        if v.is_floating_point()
        else v.clone()
        for k, v in sds[0].items()
    }


@torch.no_grad()
def _acc(model, sd, x, y):
    model.load_state_dict(sd)
    model.eval()
    return (model(x).argmax(-1) == y).float().mean().item()


def greedy_soup(model, state_dicts, x_val, y_val):
    accs = [_acc(model, sd, x_val, y_val) for sd in state_dicts]
    order = sorted(range(len(accs)), key=lambda i: (accs[i], i), reverse=True)
    soup, best = [state_dicts[order[0]]], accs[order[0]]
    for i in order[1:]:
        acc = _acc(model, _average(soup + [state_dicts[i]]), x_val, y_val)
        if acc >= best:
            soup.append(state_dicts[i])
            best = acc
    return _average(soup)
