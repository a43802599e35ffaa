"""torch.nn.utils.prune leaves a reparametrisation behind (weight_orig, weight_mask and a
forward pre-hook): call prune.remove(module, "weight") afterwards so that the model is left
with plain weight tensors.
"""

from torch import nn
from torch.nn.utils import prune


def _weights(model):
    return {
        (name + "." if name else "") + "weight": m.weight
        for name, m in model.named_modules()
        if isinstance(m, (nn.Linear, nn.Conv2d))
    }


def _check(sparsity, scope):
    if not 0 <= sparsity <= 1 or scope not in ("global", "layer"):
        raise ValueError("bad arguments")


def magnitude_prune(model, sparsity, scope="global"):
    _check(sparsity, scope)
    targets = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    names = {m: n for n, m in model.named_modules()}
    if scope == "global":
        prune.global_unstructured(
            [(m, "weight") for m in targets], prune.L1Unstructured, amount=sparsity
        )
    else:
        for m in targets:
            prune.l1_unstructured(m, "weight", amount=sparsity)
    return {(names[m] + "." if names[m] else "") + "weight": m.weight_mask.bool() for m in targets}
