"""Keeps a running sum of the soup's floating tensors, so each trial costs one addition;
accuracy as a float mean, compared with >=."""

import torch


@torch.no_grad()
def _accuracy(model, sd, x, y):
    model.load_state_dict(sd)
    model.eval()
    return (model(x).argmax(dim=-1) == y).float().mean().item()


def greedy_soup(model, state_dicts, x_val, y_val):
    accs = [_accuracy(model, sd, x_val, y_val) for sd in state_dicts]
    order = sorted(range(len(state_dicts)), key=lambda i: accs[i], reverse=True)
    first = state_dicts[order[0]]
    total = {k: v.double() for k, v in first.items() if v.is_floating_point()}
    count, best = 1, accs[order[0]]

    def soup(sums, n):
        return {
            k: (sums[k] / n).to(v.dtype) if v.is_floating_point() else v.clone()
            for k, v in first.items()
        }

    for i in order[1:]:
        trial_sum = {k: v + state_dicts[i][k].double() for k, v in total.items()}
        acc = _accuracy(model, soup(trial_sum, count + 1), x_val, y_val)
        if acc >= best:
            total, count, best = trial_sum, count + 1, acc
    return soup(total, count)
