"""Accuracy was measured with the model in training mode: BatchNorm then normalises with the
validation batch's own statistics instead of the running statistics the model will use.
Call model.eval() before evaluating.
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


@torch.no_grad()
def _acc_train(model, sd, x, y):
    model.load_state_dict(sd)
    model.train()
    return (model(x).argmax(-1) == y).float().mean().item()


def greedy_soup(model, state_dicts, x_val, y_val):
    accs = [_acc_train(model, sd, x_val, y_val) for sd in state_dicts]
    order = sorted(range(len(accs)), key=lambda i: -accs[i])
    soup, best = [state_dicts[order[0]]], accs[order[0]]
    for i in order[1:]:
        acc = _acc_train(model, _average(soup + [state_dicts[i]]), x_val, y_val)
        if acc >= best:
            soup.append(state_dicts[i])
            best = acc
    return _average(soup)
