"""Vectors stacked per key and summed with torch.stack(...).sum(0)."""

import torch


def task_vector(pretrained, finetuned):
    if pretrained.keys() != finetuned.keys():
        raise ValueError("different keys")
    out = {}
    for k, p in pretrained.items():
        if p.shape != finetuned[k].shape:
            raise ValueError(f"shape of {k} differs")
        if torch.is_floating_point(p):
            out[k] = finetuned[k] - p
    return out


def apply_task_vectors(pretrained, vectors, scale):
    floating = sorted(k for k, v in pretrained.items() if torch.is_floating_point(v))
    if any(sorted(v) != floating for v in vectors):
        raise ValueError("task vector keys do not match")
    if any(v[k].shape != pretrained[k].shape for v in vectors for k in floating):
        raise ValueError("a task vector's tensor has the wrong shape")
    merged = {}
    for k, p in pretrained.items():
        if k in floating and vectors:
            total = torch.stack([v[k].to(p.dtype) for v in vectors]).sum(0)
            merged[k] = p + scale * total
        else:
            merged[k] = p.clone()
    return merged
