"""Every ingredient was averaged in (the uniform soup, or the source guide's fusion by
averaging): the greedy soup keeps an ingredient only if the soup's validation accuracy does
not drop, which protects it from ingredients that do not share its basin.
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
    return _average(list(state_dicts))
