"""Model fusion: weight averaging, model soups, ensembles, task arithmetic, Fisher merging.

Averaging weights only makes sense for models that share a basin, i.e. were fine-tuned from
one pretrained initialisation (Wortsman et al. 2022, "Model soups"): independently initialised
networks differ by a permutation of their hidden units, and their average is close to chance
(benchmarks/fusion.py measures both). Task vectors are Ilharco et al. 2023 ("Editing Models
with Task Arithmetic"); Fisher merging is Matena & Raffel 2022 ("Merging Models with
Fisher-Weighted Averaging").
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.func import functional_call, grad, vmap

StateDict = dict[str, Tensor]


def _check_compatible(state_dicts: Sequence[StateDict], what: str = "state dicts") -> None:
    if len(state_dicts) == 0:
        raise ValueError(f"need at least one of the {what}")
    first = state_dicts[0]
    for i, sd in enumerate(state_dicts[1:], start=1):
        if set(sd) != set(first):
            raise ValueError(f"{what} 0 and {i} have different keys")
        for k, v in sd.items():
            if v.shape != first[k].shape:
                raise ValueError(f"{k!r}: shape {tuple(v.shape)} != {tuple(first[k].shape)}")


def average_state_dicts(
    state_dicts: Sequence[StateDict], weights: Sequence[float] | None = None
) -> StateDict:
    """Weighted mean of every floating tensor, weights normalised to sum to one.

    ``weights=None`` means uniform. Non-floating tensors (BatchNorm's ``num_batches_tracked``)
    are copied from the first state dict; every tensor keeps its dtype (the sum is taken in
    float64 and cast back).
    """
    _check_compatible(state_dicts)
    if weights is None:
        weights = [1.0] * len(state_dicts)
    if len(weights) != len(state_dicts):
        raise ValueError(f"{len(weights)} weights for {len(state_dicts)} state dicts")
    w = torch.tensor([float(x) for x in weights], dtype=torch.float64)
    if bool((w < 0).any()):
        raise ValueError("weights must be non-negative")
    if float(w.sum()) == 0.0:
        raise ValueError("weights sum to zero")
    w = w / w.sum()
    out: StateDict = {}
    for k, v0 in state_dicts[0].items():
        if not v0.is_floating_point():
            out[k] = v0.clone()
            continue
        pairs = zip(w, state_dicts, strict=True)
        acc = sum(wi * sd[k].detach().to(torch.float64) for wi, sd in pairs)
        out[k] = acc.to(v0.dtype)
    return out


def uniform_soup(state_dicts: Sequence[StateDict]) -> StateDict:
    """The uniform soup: the plain average of every ingredient."""
    return average_state_dicts(state_dicts)


@torch.no_grad()
def _correct(model: nn.Module, state_dict: StateDict, x: Tensor, y: Tensor) -> int:
    """Number of ``x`` classified correctly by ``model`` loaded with ``state_dict``, eval mode."""
    model.load_state_dict(state_dict)
    model.eval()
    return int((model(x).argmax(dim=-1) == y).sum())


def greedy_soup(
    model: nn.Module, state_dicts: Sequence[StateDict], x_val: Tensor, y_val: Tensor
) -> StateDict:
    """Wortsman et al.'s greedy soup, selected on the validation data.

    Ingredients are ranked by their own validation accuracy, best first (a stable sort, so ties
    keep list order); the soup starts as the best one, and each next ingredient stays in if the
    uniform average of the soup plus it is at least as accurate as the soup without it.
    Returns the final uniform average. ``model`` is only used to evaluate; its state and mode
    are restored afterwards.
    """
    _check_compatible(state_dicts)
    saved = copy.deepcopy(model.state_dict())
    was_training = model.training
    try:
        scores = [_correct(model, sd, x_val, y_val) for sd in state_dicts]
        order = sorted(range(len(state_dicts)), key=lambda i: -scores[i])
        soup = [state_dicts[order[0]]]
        best = scores[order[0]]
        for i in order[1:]:
            candidate = average_state_dicts([*soup, state_dicts[i]])
            score = _correct(model, candidate, x_val, y_val)
            if score >= best:
                soup.append(state_dicts[i])
                best = score
        return average_state_dicts(soup)
    finally:
        model.load_state_dict(saved)
        model.train(was_training)


@torch.no_grad()
def logit_ensemble(models: Sequence[nn.Module], x: Tensor) -> Tensor:
    """Mean of the models' logits (eval mode): one forward pass per member at test time."""
    return torch.stack([m.eval()(x) for m in models]).mean(dim=0)


@torch.no_grad()
def probability_ensemble(models: Sequence[nn.Module], x: Tensor) -> Tensor:
    """Mean of the models' softmax probabilities (eval mode)."""
    return torch.stack([F.softmax(m.eval()(x), dim=-1) for m in models]).mean(dim=0)


def task_vector(pretrained: StateDict, finetuned: StateDict) -> StateDict:
    """τ = θ_finetuned − θ_pretrained over the floating tensors only."""
    _check_compatible([pretrained, finetuned])
    return {
        k: finetuned[k].detach() - v.detach()
        for k, v in pretrained.items()
        if v.is_floating_point()
    }


def apply_task_vectors(
    pretrained: StateDict, vectors: Sequence[StateDict], scale: float
) -> StateDict:
    """θ = θ_pretrained + scale·Σ τ_i; non-floating tensors copied from ``pretrained``.

    A negative ``scale`` subtracts the tasks ("forgetting").
    """
    floating = {k for k, v in pretrained.items() if v.is_floating_point()}
    for i, tau in enumerate(vectors):
        if set(tau) != floating:
            raise ValueError(f"task vector {i} does not match the pretrained floating tensors")
    out: StateDict = {}
    for k, v in pretrained.items():
        if k not in floating:
            out[k] = v.clone()
            continue
        total = sum((tau[k].detach() for tau in vectors), torch.zeros_like(v))
        out[k] = (v.detach() + scale * total).to(v.dtype)
    return out


def fisher_merge(
    state_dicts: Sequence[StateDict], fishers: Sequence[StateDict], eps: float = 1e-8
) -> StateDict:
    """Elementwise Σ_i F̃_i ⊙ θ_i / Σ_i F̃_i with F̃_i = F_i + eps.

    ``fishers[i]`` holds a diagonal Fisher for floating tensors of ``state_dicts[i]`` (see
    :func:`diagonal_fisher`); a key it lacks (a BatchNorm running statistic, which has no
    gradient) counts as zero Fisher. The eps makes entries no model is sensitive to fall back
    to the plain average. Non-floating tensors are copied from the first state dict.
    """
    _check_compatible(state_dicts)
    if len(fishers) != len(state_dicts):
        raise ValueError(f"{len(fishers)} Fishers for {len(state_dicts)} state dicts")
    out: StateDict = {}
    for k, v0 in state_dicts[0].items():
        if not v0.is_floating_point():
            out[k] = v0.clone()
            continue
        num = torch.zeros(v0.shape, dtype=torch.float64)
        den = torch.zeros(v0.shape, dtype=torch.float64)
        for sd, fisher in zip(state_dicts, fishers, strict=True):
            if k in fisher and fisher[k].shape != v0.shape:
                raise ValueError(f"Fisher for {k!r} has shape {tuple(fisher[k].shape)}")
            f = (
                fisher[k].detach().to(torch.float64) + eps
                if k in fisher
                else den.new_full(v0.shape, eps)
            )
            num += f * sd[k].detach().to(torch.float64)
            den += f
        out[k] = (num / den).to(v0.dtype)
    return out


def diagonal_fisher(
    model: nn.Module, x: Tensor, y: Tensor | None = None, batch_size: int = 256
) -> StateDict:
    """Diagonal Fisher of a classifier: the mean over examples of (∂ log p(y|x) / ∂θ)².

    With labels ``y`` this is the *empirical* Fisher (the observed label); with ``y=None`` it
    is the model's own Fisher, the expectation over y ~ p(·|x) taken exactly over the classes.
    Per-example gradients come from ``torch.func.vmap``. Keys are ``named_parameters`` names.
    """
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def log_probs(p: StateDict, xi: Tensor) -> Tensor:
        return F.log_softmax(functional_call(model, (p, buffers), (xi[None],))[0], dim=-1)

    def logp_of(p: StateDict, xi: Tensor, yi: Tensor) -> Tensor:
        return torch.gather(log_probs(p, xi), 0, yi[None])[0]

    per_example_grad = vmap(grad(logp_of), in_dims=(None, 0, 0))
    was_training = model.training
    model.eval()
    total = {k: torch.zeros_like(v) for k, v in params.items()}
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb = x[start : start + batch_size]
            if y is not None:
                g = per_example_grad(params, xb, y[start : start + batch_size])
                for k in total:
                    total[k] += (g[k] ** 2).sum(dim=0)
                continue
            probs = vmap(log_probs, in_dims=(None, 0))(params, xb).exp()
            for c in range(probs.shape[1]):
                g = per_example_grad(params, xb, torch.full((len(xb),), c, dtype=torch.long))
                w = probs[:, c]
                for k in total:
                    total[k] += torch.einsum("b,b...->...", w, g[k] ** 2)
    model.train(was_training)
    return {k: v / len(x) for k, v in total.items()}


def _task_vectors(pretrained: StateDict, finetuned: Sequence[StateDict]) -> list[StateDict]:
    """The task vector of every fine-tuned model, validated against ``pretrained``."""
    if len(finetuned) == 0:
        raise ValueError("need at least one fine-tuned model")
    return [task_vector(pretrained, ft) for ft in finetuned]


def _keep_top_magnitudes(tau: Tensor, density: float) -> Tensor:
    """``tau`` with all but its ``round(density * numel)`` largest magnitudes set to zero.

    Among equal magnitudes the lower flat index is kept (a stable sort), so the count kept
    is exact and the choice deterministic.
    """
    k = round(density * tau.numel())
    flat = tau.reshape(-1)
    order = torch.sort(flat.abs(), descending=True, stable=True).indices
    kept = torch.zeros_like(flat)
    kept[order[:k]] = flat[order[:k]]
    return kept.reshape(tau.shape)


def ties_merge(
    pretrained: StateDict, finetuned: Sequence[StateDict], density: float, scale: float
) -> StateDict:
    """TIES-merging (Yadav et al. 2023): trim, elect sign, disjoint mean, then add.

    Per floating tensor: each task vector keeps its ``round(density * numel)`` largest
    magnitudes (ties to the lower index); the elected sign of an entry is the sign of the
    sum of the trimmed vectors (its total mass); the merged entry is the mean of the nonzero
    trimmed entries that have the elected sign (zero where none has, including an exact tie
    of the masses); θ = θ_pre + scale·τ_merged. Non-floating tensors are copied from
    ``pretrained``. Trimming is per tensor, as merging toolkits do (the paper trims the
    whole flattened vector).
    """
    if not 0.0 < density <= 1.0:
        raise ValueError(f"density must be in (0, 1], got {density}")
    taus = _task_vectors(pretrained, finetuned)
    out: StateDict = {}
    for k, v in pretrained.items():
        if not v.is_floating_point():
            out[k] = v.clone()
            continue
        trimmed = torch.stack([_keep_top_magnitudes(tau[k], density) for tau in taus])
        trimmed = trimmed.to(torch.float64)
        elected = trimmed.sum(dim=0).sign()
        agree = (trimmed.sign() == elected) & (trimmed != 0)
        count = agree.sum(dim=0)
        merged = (trimmed * agree).sum(dim=0) / count.clamp(min=1)
        out[k] = (v.detach().to(torch.float64) + scale * merged).to(v.dtype)
    return out


def dare_merge(
    pretrained: StateDict,
    finetuned: Sequence[StateDict],
    drop_rate: float,
    scale: float,
    generator: torch.Generator,
) -> StateDict:
    """DARE (Yu et al. 2024, "Language Models are Super Mario"): drop and rescale, then add.

    Each entry of each task vector is dropped with probability ``drop_rate`` and the
    survivors are multiplied by 1 / (1 − drop_rate), so every entry keeps its expectation;
    θ = θ_pre + scale·Σ_i τ̃_i. The masks come from ``generator`` in a fixed order (model by
    model, then the floating keys in ``pretrained``'s order, one float32 ``torch.rand`` of
    the tensor's shape each; an entry survives when its draw is ≥ ``drop_rate``), so one
    generator state gives one result. Non-floating tensors are copied from ``pretrained``.
    """
    if not 0.0 <= drop_rate < 1.0:
        raise ValueError(f"drop_rate must be in [0, 1), got {drop_rate}")
    taus = _task_vectors(pretrained, finetuned)
    total = {
        k: torch.zeros(v.shape, dtype=torch.float64)
        for k, v in pretrained.items()
        if v.is_floating_point()
    }
    for tau in taus:
        for k in total:
            keep = torch.rand(tau[k].shape, generator=generator) >= drop_rate
            total[k] += torch.where(keep, tau[k].to(torch.float64) / (1.0 - drop_rate), 0.0)
    return {
        k: (v.detach().to(torch.float64) + scale * total[k]).to(v.dtype) if k in total
        else v.clone()
        for k, v in pretrained.items()
    }  # fmt: skip


def _linear_layers(model: nn.Sequential) -> list[tuple[str, nn.Linear]]:
    """The named ``nn.Linear`` children in order; any other module must hold no state."""
    layers = []
    for name, module in model.named_children():
        if isinstance(module, nn.Linear):
            layers.append((name, module))
        elif any(True for _ in module.parameters()) or any(True for _ in module.buffers()):
            raise ValueError(f"module {name!r} ({type(module).__name__}) is not nn.Linear")
    return layers


def align_mlp(model_a: nn.Sequential, model_b: nn.Sequential) -> StateDict:
    """Git Re-Basin weight matching (Ainsworth et al. 2023): ``model_b``'s state dict with its
    hidden units permuted to line up with ``model_a``'s.

    One pass from the first hidden layer to the last: hidden unit i of A is matched to the
    unit π(i) of B that maximises Σ_i S[i, π(i)] (a linear assignment), with
    S = W_a W_bᵀ + b_a b_bᵀ the inner products of the units' incoming weights and biases
    (B's inputs already permuted by the previous step). B's rows, bias and the next layer's
    columns are then reordered by π. Permuting hidden units leaves B's function unchanged; it
    only makes its weights comparable with A's, so that averaging them is meaningful. A
    permuted copy of A is recovered exactly. (The paper's weight matching also scores the
    outgoing weights and sweeps the layers until no permutation changes; in one forward pass
    the outgoing weights of a deeper layer are still unaligned and only add noise.)
    """
    # Imported here: scipy is only needed by this function (and is installed with sklearn).
    from scipy.optimize import linear_sum_assignment

    sd_a, sd_b = model_a.state_dict(), model_b.state_dict()
    _check_compatible([sd_a, sd_b], "models")
    layers = [name for name, _ in _linear_layers(model_b)]
    if [name for name, _ in _linear_layers(model_a)] != layers:
        raise ValueError("the two models have different layers")
    out = {k: v.detach().clone() for k, v in sd_b.items()}
    for here, after in itertools.pairwise(layers):
        wa, wb = sd_a[f"{here}.weight"].double(), out[f"{here}.weight"].double()
        score = wa @ wb.T
        if f"{here}.bias" in out:
            score += torch.outer(sd_a[f"{here}.bias"].double(), out[f"{here}.bias"].double())
        _, perm = linear_sum_assignment(score.numpy(), maximize=True)
        perm = torch.as_tensor(perm, dtype=torch.long)
        out[f"{here}.weight"] = out[f"{here}.weight"][perm]
        if f"{here}.bias" in out:
            out[f"{here}.bias"] = out[f"{here}.bias"][perm]
        out[f"{after}.weight"] = out[f"{after}.weight"][:, perm]
    return out
