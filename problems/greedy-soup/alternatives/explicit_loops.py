"""Plain loops: a hand-written average, accuracy counted in correct predictions."""

import copy

import torch


def _average(sds):
    out = {}
    for k, v in sds[0].items():
        if v.is_floating_point():
            total = torch.zeros(v.shape, dtype=torch.float64)
            for sd in sds:
                total += sd[k].double()
            out[k] = (total / len(sds)).to(v.dtype)
        else:
            out[k] = v.clone()
    return out


def _correct(model, sd, x, y):
    m = copy.deepcopy(model)
    m.load_state_dict(sd)
    m.eval()
    with torch.no_grad():
        return int((m(x).argmax(1) == y).sum())


def greedy_soup(model, state_dicts, x_val, y_val):
    scores = [_correct(model, sd, x_val, y_val) for sd in state_dicts]
    order = []
    for i in range(len(state_dicts)):  # insertion sort, stable: ties keep list order
        j = len(order)
        while j > 0 and scores[order[j - 1]] < scores[i]:
            j -= 1
        order.insert(j, i)
    soup = [state_dicts[order[0]]]
    best = scores[order[0]]
    for i in order[1:]:
        trial = _correct(model, _average([*soup, state_dicts[i]]), x_val, y_val)
        if trial >= best:
            soup.append(state_dicts[i])
            best = trial
    return _average(soup)
