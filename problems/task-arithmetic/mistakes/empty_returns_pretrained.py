"""With no task vectors the function returns `pretrained` itself (or its tensors): the
result then shares memory with the input, and a caller who edits the merged weights edits
the pretrained ones. Return new tensors in every case.
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
    if not vectors:
        return pretrained
    out = {}
    for k, v in pretrained.items():
        if k in floating:
            out[k] = (v + scale * sum(tau[k] for tau in vectors)).to(v.dtype)
        else:
            out[k] = v.clone()
    return out
