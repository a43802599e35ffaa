"""The five experiments behind benchmarks/efficiency.py, one function each, on one dense
digits MLP and one seed: structured vs magnitude pruning (with CPU latency ratios), 2:4
sparsity, QAT vs post-training quantization, 4-bit groups, LoRA vs full fine-tuning.

efficiency.py runs them per seed, averages, and writes the tables and findings; each
function here returns plain rows (dicts of numbers) and prints nothing.
"""

from __future__ import annotations

import copy
import statistics
import time

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from reference.compress import finetune_pruned, magnitude_prune
from reference.data import accuracy, make_teacher, train_classifier
from reference.lora import LoRALinear
from reference.quantize import (
    dequantize_int4,
    fake_quantize_ste,
    int4_bits_per_weight,
    quantize_int4,
)
from reference.sparsity import nm_mask, prune_neurons

AMOUNTS = [0.25, 0.5, 0.75]
QAT_BITS = [4, 3, 2]
GROUP_SIZES = [32, 64, 128]
RANKS = [1, 2, 4, 8]
LRS = [1e-3, 3e-3, 1e-2, 3e-2]
OLD_CLASSES, NEW_CLASSES = range(5), range(5, 10)


def linears(model: nn.Module) -> list[nn.Linear]:
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def weight_count(model: nn.Module) -> int:
    """Non-zero entries of every Linear weight and bias (what a dense or sparse format stores)."""
    return sum(int(torch.count_nonzero(p)) for p in model.parameters())


def latency_ratio(fast: nn.Module, slow: nn.Module, reps: int, blocks: int = 5) -> float:
    """Time of ``fast`` over time of ``slow`` on a 512-row batch: calls interleaved so that
    both see the same machine load, a median per block, and the median ratio over blocks
    (a burst of load on a shared machine moves one block, not the answer)."""
    x = torch.rand(512, 64)
    ratios = []
    with torch.no_grad():
        for _ in range(5):
            fast(x), slow(x)
        for _ in range(blocks):
            times: dict[int, list[float]] = {0: [], 1: []}
            for _ in range(max(1, reps // blocks)):
                for i, model in enumerate((fast, slow)):
                    start = time.perf_counter()
                    model(x)
                    times[i].append(time.perf_counter() - start)
            ratios.append(statistics.median(times[0]) / statistics.median(times[1]))
    return statistics.median(ratios)


def structured_rows(dense: nn.Sequential, split, epochs: int, seed: int, reps: int) -> list[dict]:
    """Each amount: the smaller dense model vs magnitude pruning to the same non-zeros."""
    rows = []
    dense_weights = sum(m.weight.numel() for m in linears(dense))
    for amount in AMOUNTS:
        small = prune_neurons(dense, amount)
        kept = sum(m.weight.numel() for m in linears(small))
        before = accuracy(small, split.x_test, split.y_test)
        train_classifier(small, split.x_train, split.y_train, epochs=epochs, seed=seed)
        after = accuracy(small, split.x_test, split.y_test)
        sparse = copy.deepcopy(dense)
        masks = magnitude_prune(sparse, 1 - kept / dense_weights, "global")
        m_before = accuracy(sparse, split.x_test, split.y_test)
        finetune_pruned(sparse, masks, split.x_train, split.y_train, epochs=epochs, seed=seed)
        m_after = accuracy(sparse, split.x_test, split.y_test)
        rows.append(
            {
                "amount": amount,
                "parameters": sum(p.numel() for p in small.parameters()),
                "magnitude_nonzeros": weight_count(sparse),
                "structured": {"no_fine_tuning": before, "fine_tuned": after},
                "magnitude": {"no_fine_tuning": m_before, "fine_tuned": m_after},
                "latency_vs_dense": latency_ratio(small, dense, reps),
                "magnitude_latency_vs_dense": latency_ratio(sparse, dense, reps),
            }
        )
    return rows


def two_four(dense: nn.Sequential, split, epochs: int, seed: int) -> dict[str, float]:
    """Every Linear masked to 2:4, then fine-tuned with the mask fixed; 50% unstructured for
    comparison."""
    model = copy.deepcopy(dense)
    names = {f"{i}.weight": m for i, m in enumerate(model) if isinstance(m, nn.Linear)}
    masks = {name: nm_mask(m.weight, 2, 4) for name, m in names.items()}
    with torch.no_grad():
        for name, m in names.items():
            m.weight.mul_(masks[name])
    masked = accuracy(model, split.x_test, split.y_test)
    finetune_pruned(model, masks, split.x_train, split.y_train, epochs=epochs, seed=seed)
    unstructured = copy.deepcopy(dense)
    magnitude_prune(unstructured, 0.5, "layer")
    return {
        "masked": masked,
        "fine_tuned": accuracy(model, split.x_test, split.y_test),
        "unstructured_50_layer": accuracy(unstructured, split.x_test, split.y_test),
    }


def symmetric_scale(weight: Tensor, bits: int) -> Tensor:
    """Per-output-channel max|w| / (2^(bits-1) - 1), shaped (out, 1)."""
    return weight.detach().abs().amax(dim=1, keepdim=True).clamp(min=1e-8) / (2 ** (bits - 1) - 1)


def quantized_forward(model: nn.Sequential, scales: list[Tensor], bits: int, x: Tensor) -> Tensor:
    """The MLP with every weight fake-quantized (signed, per channel, zero point 0)."""
    qmin, qmax = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    for layer in model:
        if isinstance(layer, nn.Linear):
            i = linears(model).index(layer)
            w = fake_quantize_ste(layer.weight, scales[i], 0, qmin, qmax)
            x = F.linear(x, w, layer.bias)
        else:
            x = layer(x)
    return x


def qat_vs_ptq(dense: nn.Sequential, split, epochs: int, seed: int) -> list[dict]:
    """PTQ: round the trained weights once. QAT: fine-tune through the fake quantizer from
    the same start, with LSQ-learnt scales; both evaluated with the quantized weights."""
    rows = []
    for bits in QAT_BITS:
        scales = [symmetric_scale(m.weight, bits) for m in linears(dense)]
        with torch.no_grad():
            logits = quantized_forward(dense, scales, bits, split.x_test)
        ptq = (logits.argmax(1) == split.y_test).float().mean().item()
        model = copy.deepcopy(dense)
        scales = [s.clone().requires_grad_(True) for s in scales]
        opt = torch.optim.Adam(
            [{"params": model.parameters(), "lr": 1e-3}, {"params": scales, "lr": 1e-4}]
        )
        g = torch.Generator().manual_seed(seed)
        x, y = split.x_train, split.y_train
        for _ in range(epochs):
            order = torch.randperm(len(x), generator=g)
            for start in range(0, len(x), 64):
                idx = order[start : start + 64]
                loss = F.cross_entropy(quantized_forward(model, scales, bits, x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                with torch.no_grad():
                    for s in scales:
                        s.clamp_(min=1e-6)
        with torch.no_grad():
            logits = quantized_forward(model, scales, bits, split.x_test)
        qat = (logits.argmax(1) == split.y_test).float().mean().item()
        rows.append({"bits": bits, "ptq": ptq, "qat": qat})
    return rows


def int4_groups(dense: nn.Sequential, split) -> list[dict]:
    """Every Linear weight in the 4-bit group format (a layer narrower than the group uses one
    group per row); relative reconstruction error, accuracy, bits per weight."""
    rows = []
    for group in [*GROUP_SIZES, None]:
        model = copy.deepcopy(dense)
        err_num = err_den = bits = n = 0.0
        with torch.no_grad():
            for m in linears(model):
                g = m.in_features if group is None else min(group, m.in_features)
                w_hat = dequantize_int4(*quantize_int4(m.weight, g))
                err_num += float(((w_hat - m.weight) ** 2).sum())
                err_den += float((m.weight**2).sum())
                bits += int4_bits_per_weight(g) * m.weight.numel()
                n += m.weight.numel()
                m.weight.copy_(w_hat)
        rows.append(
            {
                "group_size": "row" if group is None else group,
                "relative_error": (err_num / err_den) ** 0.5,
                "accuracy": accuracy(model, split.x_test, split.y_test),
                "bits_per_weight": bits / n,
            }
        )
    return rows


def class_subset(x: Tensor, y: Tensor, classes: range) -> tuple[Tensor, Tensor]:
    keep = (y >= classes.start) & (y < classes.stop)
    return x[keep], y[keep]


def with_lora(model: nn.Sequential, r: int) -> nn.Sequential:
    """A copy with every Linear wrapped in a rank-r adapter (alpha = 2r)."""
    adapted = copy.deepcopy(model)
    for i, layer in enumerate(adapted):
        if isinstance(layer, nn.Linear):
            adapted[i] = LoRALinear(layer, r, 2.0 * r)
    return adapted


def trainable(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def lora_rows(split, pretrain_epochs: int, epochs: int, seed: int, lrs: list[float]) -> list[dict]:
    """Pretrain on digits 0-4; adapt to 5-9 with each method at each learning rate; report
    the test accuracy at the learning rate with the best validation accuracy."""
    base = make_teacher(seed)
    train_classifier(base, *class_subset(split.x_train, split.y_train, OLD_CLASSES),
                     epochs=pretrain_epochs, seed=seed)  # fmt: skip
    new_train = class_subset(split.x_train, split.y_train, NEW_CLASSES)
    new_val = class_subset(split.x_val, split.y_val, NEW_CLASSES)
    new_test = class_subset(split.x_test, split.y_test, NEW_CLASSES)
    rows = [
        {
            "method": "pretrained, no fine-tuning",
            "trainable": 0,
            "lr": None,
            "accuracy": accuracy(base, *new_test),
        }
    ]
    methods = [("full fine-tuning", None)] + [(f"LoRA r={r}", r) for r in RANKS]
    for name, r in methods:
        best = None
        for lr in lrs:
            torch.manual_seed(seed)  # the adapters' A
            model = copy.deepcopy(base) if r is None else with_lora(base, r)
            train_classifier(model, *new_train, epochs=epochs, lr=lr, seed=seed)
            val = accuracy(model, *new_val)
            if best is None or val > best[0]:
                best = (val, lr, accuracy(model, *new_test), trainable(model))
        rows.append({"method": name, "trainable": best[3], "lr": best[1], "accuracy": best[2]})
    return rows
