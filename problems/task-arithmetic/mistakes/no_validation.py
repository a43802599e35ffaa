"""Incompatible state dicts are not rejected: different keys or shapes must raise
ValueError instead of silently subtracting whatever matches (or broadcasting).
"""

import torch


def task_vector(pretrained, finetuned):
    return {
        k: finetuned[k] - v
        for k, v in pretrained.items()
        if v.is_floating_point() and k in finetuned
    }


def apply_task_vectors(pretrained, vectors, scale):
    out = {}
    for k, v in pretrained.items():
        if v.is_floating_point():
            out[k] = v + scale * sum((t[k] for t in vectors if k in t), torch.zeros_like(v))
        else:
            out[k] = v.clone()
    return out
