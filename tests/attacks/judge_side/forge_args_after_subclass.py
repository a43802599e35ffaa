"""ties-merging correct in value but changing the caller's fine-tuned state dicts (each entry
replaced by its task vector), forging what the harness reads back as "the arguments after the
call" without touching the harness: the new entries are a tensor subclass whose ``detach``
shows the old tensor. The child's account then says nothing changed; the second call on the
same objects (``expect_inputs_unchanged(..., reference=solution)``) sees task vectors where
the fine-tuned weights were and merges them into another answer.

Must not be accepted.
"""

import torch

PROBLEM = "ties-merging"


class _Shown(torch.Tensor):
    def detach(self):
        shown = self.__dict__.get("shown")
        return super().detach() if shown is None else shown.detach()


def _trim(tau, density):
    flat = tau.reshape(-1)
    k = round(density * flat.numel())
    order = torch.sort(flat.abs(), descending=True, stable=True).indices[:k]
    out = torch.zeros_like(flat)
    out[order] = flat[order]
    return out.reshape(tau.shape)


def ties_merge(pretrained, finetuned, density, scale):
    if not finetuned or not 0 < density <= 1:
        raise ValueError("invalid")
    for ft in finetuned:
        if set(ft) != set(pretrained) or any(ft[k].shape != v.shape for k, v in pretrained.items()):
            raise ValueError("incompatible")
    out = {}
    for k, v in pretrained.items():
        if not v.is_floating_point():
            out[k] = v.clone()
            continue
        taus = []
        for ft in finetuned:
            tau = torch.Tensor(ft[k] - v)  # a plain tensor, whatever the entry is
            forged = tau.clone().as_subclass(_Shown)
            forged.shown = ft[k].detach().clone()
            ft[k] = forged  # the caller's dict now holds the task vector
            taus.append(_trim(tau, density).double())
        t = torch.stack(taus)
        sign = t.sum(0).sign()
        agree = (t.sign() == sign) & (t != 0)
        merged = (t * agree).sum(0) / agree.sum(0).clamp(min=1)
        out[k] = torch.Tensor((v.double() + scale * merged).to(v.dtype))
    return out
