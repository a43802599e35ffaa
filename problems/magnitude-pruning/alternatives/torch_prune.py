"""With torch.nn.utils.prune: L1 unstructured pruning, then prune.remove to bake it in."""

from torch import nn
from torch.nn.utils import prune


def magnitude_prune(model, sparsity, scope="global"):
    if not (0 <= sparsity <= 1):
        raise ValueError("sparsity must lie in [0, 1]")
    if scope not in {"global", "layer"}:
        raise ValueError("unknown scope " + repr(scope))
    names = {m: n for n, m in model.named_modules()}
    targets = [(m, "weight") for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    if scope == "global":
        prune.global_unstructured(
            targets, pruning_method=prune.L1Unstructured, amount=float(sparsity)
        )
    else:
        for module, attr in targets:
            prune.l1_unstructured(module, attr, amount=float(sparsity))
    masks = {}
    for module, attr in targets:
        prefix = names[module]
        masks[(prefix + "." if prefix else "") + attr] = module.weight_mask.bool().clone()
        prune.remove(module, attr)
    return masks
