"""Meta-batch trainers for MAML (second or first order), Reptile and Meta-SGD.

The trainers — :func:`train_maml` (second or first order), :func:`train_reptile`,
:func:`train_meta_sgd` — are **batched over the tasks of a meta-batch**: the shared
parameters θ are expanded to one copy per task, ``[tasks, *shape]``, and all tasks run as one
computation (the per-call contracts, one task at a time, are in :mod:`reference.maml`). For a
``nn.Sequential`` of ``nn.Linear`` and elementwise activations (all the models of
:mod:`reference.models`) each layer is one ``torch.baddbmm`` over tasks; any other model goes
through ``torch.vmap`` of ``torch.func.functional_call``. Because tasks are
independent, the gradient of the *sum* of the per-task losses with respect to the expanded
copies is every task's own inner gradient, and ``create_graph=True`` keeps the second-order
terms; the meta-gradient then flows back through the expansion, summed over tasks.

BatchNorm is neither needed nor supported on the batched path: these small MLPs train well
without it, and BatchNorm's running statistics are mutable module state shared by all tasks,
which a stacked or vmapped per-task computation can neither update per task nor keep from
mixing across tasks (``torch.vmap`` refuses the in-place update). :func:`batched_forward`
accepts only stateless models (no buffers).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeGuard

import torch
from torch import Tensor, nn
from torch.func import functional_call

from reference.maml import LossFn, Params

# (x_support, y_support, x_query, y_query), each stacked over tasks: [tasks, n, ...].
TaskBatch = tuple[Tensor, Tensor, Tensor, Tensor]
TaskSampler = Callable[[torch.Generator], TaskBatch]

_ELEMENTWISE = (nn.ReLU, nn.Tanh, nn.Sigmoid, nn.GELU, nn.LeakyReLU, nn.ELU, nn.SiLU, nn.Identity)


# --------------------------------------------------------------------------- the batched path

BatchedForward = Callable[[Params, Tensor], Tensor]


def _is_stacked_mlp(model: nn.Module) -> TypeGuard[nn.Sequential]:
    return isinstance(model, nn.Sequential) and all(
        isinstance(m, (nn.Linear, *_ELEMENTWISE)) for m in model
    )


class _StackedMLP:
    """A Linear/activation ``nn.Sequential`` run for T tasks at once, one ``baddbmm`` a layer."""

    def __init__(self, model: nn.Sequential) -> None:
        self.layers = list(model.named_children())
        # Hand-written backprop needs each activation's derivative from its output: ReLU only.
        self.relu_only = all(
            isinstance(m, nn.Linear | nn.ReLU | nn.Identity) for _, m in self.layers
        )

    def __call__(self, params: Params, x: Tensor, outputs: list[Tensor] | None = None) -> Tensor:
        h = x
        for name, layer in self.layers:
            if isinstance(layer, nn.Linear):
                weight, bias = params[f"{name}.weight"].transpose(1, 2), params.get(f"{name}.bias")
                h = (
                    torch.bmm(h, weight)
                    if bias is None
                    else torch.baddbmm(bias[:, None], h, weight)
                )
            else:
                h = torch.relu(h) if isinstance(layer, nn.ReLU) else layer(h)
            if outputs is not None:
                outputs.append(h)
        return h

    def gradients(self, params: Params, x: Tensor, outputs: list[Tensor], dpred: Tensor) -> Params:
        """Backpropagate ∂loss/∂prediction to every stacked parameter with batched matmuls.

        Built from differentiable ops, so the result carries second-order terms whenever
        ``dpred`` and ``params`` do; ReLU's second derivative is zero, so nothing is lost.
        """
        grads, delta = {}, dpred
        for j in range(len(self.layers) - 1, -1, -1):
            name, layer = self.layers[j]
            if isinstance(layer, nn.Linear):
                inputs = outputs[j - 1] if j > 0 else x
                grads[f"{name}.weight"] = torch.bmm(delta.transpose(1, 2), inputs)
                if layer.bias is not None:
                    grads[f"{name}.bias"] = delta.sum(1)
                if j > 0:
                    delta = torch.bmm(delta, params[f"{name}.weight"])
            elif isinstance(layer, nn.ReLU):
                delta = delta * (outputs[j] > 0)
        return grads


def batched_forward(model: nn.Module, engine: str = "auto") -> BatchedForward:
    """A function ``(stacked params {name: [T, *shape]}, x [T, n, ...]) -> [T, n, ...]``.

    ``engine="bmm"`` runs each ``nn.Linear`` of a Linear/activation ``nn.Sequential`` as one
    ``torch.baddbmm`` over tasks (faster than vmap for the sinusoid MLP); ``"vmap"`` works
    for any stateless module; ``"auto"`` picks bmm where it applies.
    """
    if any(True for _ in model.buffers()):
        raise TypeError("the batched path needs a model without buffers (no BatchNorm)")
    if engine == "auto":
        engine = "bmm" if _is_stacked_mlp(model) else "vmap"
    if engine == "vmap":
        return torch.vmap(lambda params, x: functional_call(model, params, (x,)))
    if engine != "bmm" or not _is_stacked_mlp(model):
        raise ValueError(f"engine {engine!r} does not apply to this model")
    return _StackedMLP(model)


def per_task_loss(loss_fn: LossFn) -> Callable[[Tensor, Tensor], Tensor]:
    """``loss_fn`` applied to each task of ``[T, n, ...]`` predictions and targets -> ``[T]``."""
    if isinstance(loss_fn, nn.MSELoss) and loss_fn.reduction == "mean":
        return lambda pred, y: (pred - y).square().flatten(1).mean(1)  # the common, fast case
    return torch.vmap(loss_fn)


def batched_adapt(
    model: nn.Module,
    x: Tensor,
    y: Tensor,
    loss_fn: LossFn,
    inner_lr: float | Params,
    steps: int = 1,
    first_order: bool = False,
    start: Params | None = None,
    engine: str = "auto",
) -> Params:
    """:func:`adapt` for every task of a stacked batch at once: x, y ``[T, n, ...]``.

    Returns ``{name: [T, *shape]}``. ``inner_lr`` may be a dict of per-entry rates (Meta-SGD).
    ``start`` is stacked per-task parameters to begin from (default: the model's θ, shared).
    """
    forward, task_loss = batched_forward(model, engine), per_task_loss(loss_fn)
    by_hand = forward if isinstance(forward, _StackedMLP) and forward.relu_only else None
    mse = isinstance(loss_fn, nn.MSELoss) and loss_fn.reduction == "mean"
    if start is None:
        # A contiguous copy per task: bmm is markedly slower on stride-0 expanded weights.
        start = {n: p.expand(len(x), *p.shape).contiguous() for n, p in model.named_parameters()}
    fast = dict(start)
    for _ in range(steps):
        # First order: the inner gradient is taken at detached values, so it is a constant.
        src = {n: p.detach() for n, p in fast.items()} if first_order else fast
        # Tasks are independent, so d(sum of task losses)/d(task t's copy) = task t's gradient.
        grads: Sequence[Tensor]
        if by_hand is not None:  # one autograd call for dloss/dpred, then batched-matmul backprop
            outputs: list[Tensor] = []
            pred = by_hand(src, x, outputs)
            if mse:  # d(mean squared error)/d(prediction), written out: saves an autograd call
                dpred = (2.0 / pred[0].numel()) * (pred - y)
            else:
                if first_order:
                    pred = pred.detach().requires_grad_()
                loss = task_loss(pred, y).sum()
                (dpred,) = torch.autograd.grad(loss, pred, create_graph=not first_order)
            by_name = by_hand.gradients(src, x, outputs, dpred)
            grads = [by_name[n] for n in fast]
        else:
            if first_order:
                src = {n: p.requires_grad_() for n, p in src.items()}
            loss = task_loss(forward(src, x), y).sum()
            grads = torch.autograd.grad(loss, list(src.values()), create_graph=not first_order)
        fast = {
            n: p - (inner_lr[n] if isinstance(inner_lr, dict) else inner_lr) * g
            for (n, p), g in zip(fast.items(), grads, strict=True)
        }
    return fast


def batched_meta_loss(
    model: nn.Module,
    batch: TaskBatch,
    loss_fn: LossFn,
    inner_lr: float | Params,
    steps: int = 1,
    first_order: bool = False,
    engine: str = "auto",
) -> Tensor:
    """The MAML meta-loss (mean over tasks of the query loss after adaptation), with its graph."""
    x_s, y_s, x_q, y_q = batch
    fast = batched_adapt(model, x_s, y_s, loss_fn, inner_lr, steps, first_order, engine=engine)
    return per_task_loss(loss_fn)(batched_forward(model, engine)(fast, x_q), y_q).mean()


def batched_meta_gradient(
    model: nn.Module,
    batch: TaskBatch,
    loss_fn: LossFn,
    inner_lr: float,
    steps: int = 1,
    first_order: bool = False,
    engine: str = "auto",
) -> tuple[Tensor, Params]:
    """:func:`maml_meta_gradient` for a stacked batch of equally sized tasks, all at once."""
    named = dict(model.named_parameters())
    meta_loss = batched_meta_loss(model, batch, loss_fn, inner_lr, steps, first_order, engine)
    grads = torch.autograd.grad(meta_loss, list(named.values()))
    return meta_loss.detach(), dict(zip(named, grads, strict=True))


# --------------------------------------------------------------------------- trainers


@dataclass(frozen=True)
class MetaConfig:
    """Settings shared by the meta-trainers (defaults: Finn et al.'s sinusoid experiment)."""

    iterations: int = 10_000
    """Meta-iterations (outer updates)."""
    meta_batch: int = 25
    """Tasks per meta-iteration; the sampler is asked for this many."""
    meta_lr: float = 1e-3
    """Adam's learning rate for MAML and Meta-SGD."""
    inner_lr: float = 0.01
    """Inner-loop SGD step α (Meta-SGD: the initial value of every learned α)."""
    inner_steps: int = 1
    """Inner-loop gradient steps during meta-training."""
    first_order: bool = False
    """MAML only: drop the second-order terms (FOMAML)."""
    outer_lr: float = 0.1
    """Reptile only: the outer step ε in θ ← θ + ε·mean(φ − θ)."""
    cosine_decay: bool = False
    """Anneal the outer learning rate to zero along a cosine over the iterations."""
    seed: int = 0
    """Seeds the task sampler's generator (initialise the model yourself)."""
    engine: str = "auto"
    """Batched path: "bmm" (Linear/activation MLPs), "vmap" (any stateless model) or "auto"."""


def _lr_factor(config: MetaConfig, it: int) -> float:
    if not config.cosine_decay:
        return 1.0
    return 0.5 * (1.0 + math.cos(math.pi * it / config.iterations))


def _set_lr(opt: torch.optim.Optimizer, config: MetaConfig, it: int) -> None:
    for group in opt.param_groups:
        group["lr"] = config.meta_lr * _lr_factor(config, it)


def train_maml(
    model: nn.Module, sample_tasks: TaskSampler, loss_fn: LossFn, config: MetaConfig
) -> list[float]:
    """Meta-train ``model`` in place with (FO)MAML and Adam; returns the meta-loss per iteration.

    ``sample_tasks(generator)`` returns a stacked :data:`TaskBatch` of ``config.meta_batch`` tasks.
    """
    gen = torch.Generator().manual_seed(config.seed)
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=config.meta_lr, fused=True)  # fused: 3x less overhead
    history = []
    for it in range(config.iterations):
        _set_lr(opt, config, it)
        batch = sample_tasks(gen)
        loss = batched_meta_loss(
            model,
            batch,
            loss_fn,
            config.inner_lr,
            config.inner_steps,
            config.first_order,
            config.engine,
        )
        for p, g in zip(params, torch.autograd.grad(loss, params), strict=True):
            p.grad = g
        opt.step()
        history.append(loss.item())
    return history


def train_reptile(
    model: nn.Module, sample_tasks: TaskSampler, loss_fn: LossFn, config: MetaConfig
) -> list[float]:
    """Meta-train ``model`` in place with batched Reptile (Nichol et al. 2018).

    Every task adapts ``config.inner_steps`` full-batch SGD steps on its support and query
    points together; θ ← θ + ε·mean over tasks of (φ − θ). Returns the mean query loss before
    adaptation per iteration.
    """
    gen = torch.Generator().manual_seed(config.seed)
    named: Params = dict(model.named_parameters())
    task_loss, forward = per_task_loss(loss_fn), batched_forward(model, config.engine)
    history = []
    for it in range(config.iterations):
        x_s, y_s, x_q, y_q = sample_tasks(gen)
        x, y = torch.cat([x_s, x_q], 1), torch.cat([y_s, y_q], 1)
        theta = {n: p.detach().expand(len(x), *p.shape) for n, p in named.items()}
        with torch.no_grad():
            history.append(task_loss(forward(theta, x_q), y_q).mean().item())
        phi = batched_adapt(
            model, x, y, loss_fn, config.inner_lr, config.inner_steps, True, theta, config.engine
        )
        step = config.outer_lr * _lr_factor(config, it)
        with torch.no_grad():
            for n, p in named.items():
                p += step * (phi[n].mean(0) - p)
    return history


def train_meta_sgd(
    model: nn.Module, sample_tasks: TaskSampler, loss_fn: LossFn, config: MetaConfig
) -> tuple[list[float], Params]:
    """Meta-train ``model`` in place and learn per-entry inner rates α (Meta-SGD, one step).

    Returns ``(meta-loss per iteration, {name: α})``; use α with :func:`meta_sgd_adapt`.
    """
    gen = torch.Generator().manual_seed(config.seed)
    named = dict(model.named_parameters())
    lrs = {n: torch.full_like(p, config.inner_lr, requires_grad=True) for n, p in named.items()}
    leaves = [*named.values(), *lrs.values()]
    opt = torch.optim.Adam(leaves, lr=config.meta_lr, fused=True)
    history = []
    for it in range(config.iterations):
        _set_lr(opt, config, it)
        loss = batched_meta_loss(model, sample_tasks(gen), loss_fn, lrs, 1, False, config.engine)
        for p, g in zip(leaves, torch.autograd.grad(loss, leaves), strict=True):
            p.grad = g
        opt.step()
        history.append(loss.item())
    return history, {n: a.detach() for n, a in lrs.items()}
