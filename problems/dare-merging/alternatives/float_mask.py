"""DARE with the mask as a float tensor multiplied in, accumulated in the tensor's dtype."""

import torch


def dare_merge(pretrained, finetuned, drop_rate, scale, generator):
    if not (0 <= drop_rate < 1):
        raise ValueError("drop_rate must be in [0, 1)")
    if not finetuned:
        raise ValueError("no fine-tuned models")
    for ft in finetuned:
        if ft.keys() != pretrained.keys():
            raise ValueError("different keys")
        if any(ft[k].shape != v.shape for k, v in pretrained.items()):
            raise ValueError("different shapes")
    floating = [k for k, v in pretrained.items() if v.is_floating_point()]
    merged = {k: v.clone() for k, v in pretrained.items()}
    for ft in finetuned:
        for k in floating:
            tau = ft[k] - pretrained[k]
            mask = (torch.rand(tau.shape, generator=generator) >= drop_rate).to(tau.dtype)
            merged[k] = merged[k] + scale * tau * mask / (1 - drop_rate)
    return merged
