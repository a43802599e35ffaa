"""Everything as one flat vector: torch.nn.utils.parameters_to_vector style arithmetic."""

import torch


def _floating(sd):
    return [k for k, v in sd.items() if v.is_floating_point()]


def _flat(sd, keys):
    return torch.cat([sd[k].reshape(-1).double() for k in keys]) if keys else torch.zeros(0)


def task_vector(pretrained, finetuned):
    if set(pretrained) != set(finetuned):
        raise ValueError("key mismatch")
    if any(pretrained[k].shape != finetuned[k].shape for k in pretrained):
        raise ValueError("shape mismatch")
    keys = _floating(pretrained)
    diff = _flat(finetuned, keys) - _flat(pretrained, keys)
    out, start = {}, 0
    for k in keys:
        n = pretrained[k].numel()
        out[k] = diff[start : start + n].reshape(pretrained[k].shape).to(pretrained[k].dtype)
        start += n
    return out


def apply_task_vectors(pretrained, vectors, scale):
    keys = _floating(pretrained)
    for v in vectors:
        if set(v) != set(keys) or any(v[k].shape != pretrained[k].shape for k in keys):
            raise ValueError("task vector does not match the pretrained model")
    flat = _flat(pretrained, keys)
    for v in vectors:
        flat = flat + scale * _flat(v, keys)
    out, start = {}, 0
    for k, p in pretrained.items():
        if k in keys:
            out[k] = flat[start : start + p.numel()].reshape(p.shape).to(p.dtype)
            start += p.numel()
        else:
            out[k] = p.clone()
    return out
