"""The scale multiplies the pretrained weights too, (theta_pre + sum tau) * scale: only the
task vectors are scaled, theta = theta_pre + scale * sum(tau_i).
"""

import torch


def _check(a, b):
    if set(a) != set(b) or any(a[k].shape != b[k].shape for k in a):
        raise ValueError("incompatible")


def _check_vectors(pretrained, vectors):
    floating = {k for k, v in pretrained.items() if v.is_floating_point()}
    if any(set(v) != floating for v in vectors) or any(
        v[k].shape != pretrained[k].shape for v in vectors for k in floating
    ):
        raise ValueError("incompatible")


def task_vector(pretrained, finetuned):
    _check(pretrained, finetuned)
    return {k: finetuned[k] - v for k, v in pretrained.items() if v.is_floating_point()}


def apply_task_vectors(pretrained, vectors, scale):
    _check_vectors(pretrained, vectors)
    out = {}
    for k, v in pretrained.items():
        if v.is_floating_point():
            out[k] = scale * (v + sum((t[k] for t in vectors), torch.zeros_like(v)))
        else:
            out[k] = v.clone()
    return out
