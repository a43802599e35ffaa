"""The pretrained tensors are changed in place: `out = dict(pretrained)` copies the dict, not
its tensors, so `out[k] += ...` writes into the caller's `pretrained` (and into a live
model's weights when the dict came from `model.state_dict()`). Build new tensors:
`out[k] = pretrained[k] + scale * total`.
"""


def task_vector(pretrained, finetuned):
    if set(pretrained) != set(finetuned):
        raise ValueError("different keys")
    for k, v in pretrained.items():
        if v.shape != finetuned[k].shape:
            raise ValueError(f"{k}: shapes differ")
    return {k: finetuned[k] - v for k, v in pretrained.items() if v.is_floating_point()}


def apply_task_vectors(pretrained, vectors, scale):
    floating = {k for k, v in pretrained.items() if v.is_floating_point()}
    for tau in vectors:
        if set(tau) != floating or any(tau[k].shape != pretrained[k].shape for k in floating):
            raise ValueError("a task vector does not match the pretrained floating tensors")
    out = dict(pretrained)
    for tau in vectors:
        for k in floating:
            out[k] += scale * tau[k].to(out[k].dtype)
    if not vectors:
        out = {k: v.clone() for k, v in out.items()}
    return out
