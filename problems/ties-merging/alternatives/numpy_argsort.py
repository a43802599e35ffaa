"""TIES in numpy: a stable argsort of -|tau| ranks the entries, masks do the rest."""

import numpy as np
import torch


def ties_merge(pretrained, finetuned, density, scale):
    if not (0 < density <= 1):
        raise ValueError("density must be in (0, 1]")
    if not finetuned:
        raise ValueError("no fine-tuned models")
    for ft in finetuned:
        if ft.keys() != pretrained.keys():
            raise ValueError("different keys")
        if any(ft[k].shape != v.shape for k, v in pretrained.items()):
            raise ValueError("different shapes")
    merged = {}
    for key, pre in pretrained.items():
        if not pre.is_floating_point():
            merged[key] = pre.clone()
            continue
        rows = []
        for ft in finetuned:
            tau = (ft[key] - pre).reshape(-1).numpy().astype(np.float64)
            keep = np.argsort(-np.abs(tau), kind="stable")[: round(density * tau.size)]
            trimmed = np.zeros_like(tau)
            trimmed[keep] = tau[keep]
            rows.append(trimmed)
        stacked = np.stack(rows)
        sign = np.sign(stacked.sum(axis=0))
        agree = (np.sign(stacked) == sign) & (stacked != 0)
        n_agree = agree.sum(axis=0)
        mean = np.where(n_agree > 0, (stacked * agree).sum(axis=0) / np.maximum(n_agree, 1), 0.0)
        delta = torch.from_numpy(mean).reshape(pre.shape)
        merged[key] = (pre.double() + scale * delta).to(pre.dtype)
    return merged
