"""Pruning, int8 quantization and low-rank factorisation of a digits MLP (the project's split).

The model is the standard 64-256-256-10 teacher (about 85k parameters), trained on every
training label, once per seed. Measured on the test split:

- magnitude pruning at 0-98 % sparsity, global vs per-layer, one-shot without fine-tuning and
  iteratively with fine-tuning (Han et al. 2015: prune, fine-tune with the mask fixed, raise the
  sparsity, repeat);
- symmetric int8 quantization of the weights, per output channel vs one scale per tensor: size
  and accuracy change;
- both hidden layers replaced by truncated-SVD factorisations of rank 1-64, before and after
  fine-tuning.

    python benchmarks/compression.py            # about a minute; writes benchmarks/results/
    python benchmarks/compression.py --quick    # seconds; writes benchmarks/results/quick/
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import markdown_table, results_dir, write_results

from reference.compress import (
    dequantize,
    fake_quantize,
    finetune_pruned,
    int8_model_bytes,
    low_rank_linear,
    magnitude_prune,
    model_size,
)
from reference.data import accuracy, digits_split, train_classifier, trained_teacher

SPARSITIES = [0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98]
RANKS = [1, 2, 4, 8, 16, 32, 64]


def per_tensor_fake_quantize(model: nn.Module) -> nn.Module:
    """The contrast case: one int8 scale for the whole weight tensor (max|W| / 127)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Linear):
                scale = m.weight.abs().max() / 127
                q = torch.clamp(torch.round(m.weight / scale), -127, 127).to(torch.int8)
                m.weight.copy_(dequantize(q, scale.expand(m.weight.shape[0])))
    return model


def prune_curves(dense: nn.Module, split, epochs: int, seed: int) -> dict[str, list[float]]:
    """Test accuracy at each sparsity: {global,layer} x {one-shot, iterative fine-tuned}."""
    curves: dict[str, list[float]] = {}
    for scope in ("global", "layer"):
        curves[f"{scope}, no fine-tuning"] = []
        for s in SPARSITIES:
            model = copy.deepcopy(dense)
            magnitude_prune(model, s, scope)
            curves[f"{scope}, no fine-tuning"].append(accuracy(model, split.x_test, split.y_test))
        model = copy.deepcopy(dense)
        curves[f"{scope}, iterative + fine-tuning"] = []
        for i, s in enumerate(SPARSITIES):  # each level starts from the previous fine-tuned one
            masks = magnitude_prune(model, s, scope)
            finetune_pruned(
                model, masks, split.x_train, split.y_train, epochs=epochs, seed=seed * 100 + i
            )
            curves[f"{scope}, iterative + fine-tuning"].append(
                accuracy(model, split.x_test, split.y_test)
            )
    return curves


def global_layer_sparsity(dense: nn.Module, sparsity: float) -> list[float]:
    """The fraction of each layer that global pruning removes at ``sparsity``."""
    masks = magnitude_prune(copy.deepcopy(dense), sparsity, "global")
    return [1 - float(m.float().mean()) for m in masks.values()]


def low_rank_curve(dense: nn.Module, split, epochs: int, seed: int) -> list[dict]:
    """Both hidden layers factorised at each rank; accuracy before and after fine-tuning."""
    rows = []
    for rank in RANKS:
        model = copy.deepcopy(dense)
        for i in (0, 2):
            model[i] = low_rank_linear(model[i], rank)
        params = sum(p.numel() for p in model.parameters())
        before = accuracy(model, split.x_test, split.y_test)
        train_classifier(model, split.x_train, split.y_train, epochs=epochs, seed=seed)
        after = accuracy(model, split.x_test, split.y_test)
        rows.append(
            {"rank": rank, "parameters": params, "no_fine_tuning": before, "fine_tuned": after}
        )
    return rows


def mean(xs: list[float]) -> float:
    return statistics.fmean(xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed, short fine-tuning (CI)")
    parser.add_argument("--seeds", type=int, help="dense models (default 3; quick 1)")
    parser.add_argument("--out", help="results folder (default benchmarks/results[/quick])")
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds = list(range(args.seeds or (1 if args.quick else 3)))
    epochs = 2 if args.quick else 10
    split = digits_split()
    start = time.perf_counter()

    dense_acc, curves, quant, low_rank, layer_sparsity = [], [], [], [], []
    for seed in seeds:
        dense = trained_teacher(seed)
        dense_acc.append(accuracy(dense, split.x_test, split.y_test))
        curves.append(prune_curves(dense, split, epochs, seed))
        layer_sparsity.append(global_layer_sparsity(dense, 0.9))
        q_channel = accuracy(fake_quantize(copy.deepcopy(dense)), split.x_test, split.y_test)
        q_tensor = accuracy(
            per_tensor_fake_quantize(copy.deepcopy(dense)), split.x_test, split.y_test
        )
        quant.append({"per_channel": q_channel, "per_tensor": q_tensor})
        low_rank.append(low_rank_curve(dense, split, epochs, seed))
        print(f"seed {seed}: dense {dense_acc[-1]:.3f}, int8 per-channel {q_channel:.3f}")

    dense_mean = 100 * mean(dense_acc)
    names = list(curves[0])
    curve_mean = {
        n: [100 * mean([c[n][i] for c in curves]) for i in range(len(SPARSITIES))] for n in names
    }
    prune_table = markdown_table(
        ["sparsity", *names],
        [
            [f"{100 * s:g}%"] + [f"{curve_mean[n][i]:.1f}" for n in names]
            for i, s in enumerate(SPARSITIES)
        ],
    )
    dense_model = trained_teacher(seeds[0])
    fp32_bytes = model_size(dense_model).dense_bytes
    int8_bytes = int8_model_bytes(dense_model)
    layers = [m for m in dense_model.modules() if isinstance(m, nn.Linear)]
    per_tensor_bytes = int8_bytes - 4 * sum(m.out_features - 1 for m in layers)
    sparse90 = copy.deepcopy(dense_model)
    magnitude_prune(sparse90, 0.9)
    size90 = model_size(sparse90, bits=32)
    q_channel = 100 * mean([q["per_channel"] for q in quant])
    q_tensor = 100 * mean([q["per_tensor"] for q in quant])
    size_table = markdown_table(
        ["model", "bytes", "smaller by", "test accuracy %"],
        [
            ["float32 dense", fp32_bytes, "1.0×", f"{dense_mean:.1f}"],
            [
                "int8 weights, per-channel scales",
                int8_bytes,
                f"{fp32_bytes / int8_bytes:.2f}×",
                f"{q_channel:.1f}",
            ],
            [
                "int8 weights, one scale per tensor",
                per_tensor_bytes,
                f"{fp32_bytes / per_tensor_bytes:.2f}×",
                f"{q_tensor:.1f}",
            ],
            [
                "90% pruned, float32 values + int32 indices (COO)",
                size90.sparse_bytes,
                f"{fp32_bytes / size90.sparse_bytes:.2f}×",
                f"{curve_mean['global, iterative + fine-tuning'][SPARSITIES.index(0.9)]:.1f}",
            ],
        ],
    )
    rank_rows = [
        {
            "rank": r["rank"],
            "parameters": r["parameters"],
            "no_fine_tuning": 100 * mean([lr[i]["no_fine_tuning"] for lr in low_rank]),
            "fine_tuned": 100 * mean([lr[i]["fine_tuned"] for lr in low_rank]),
        }
        for i, r in enumerate(low_rank[0])
    ]
    rank_table = markdown_table(
        ["rank", "parameters", "no fine-tuning %", "fine-tuned %"],
        [
            [r["rank"], r["parameters"], f"{r['no_fine_tuning']:.1f}", f"{r['fine_tuned']:.1f}"]
            for r in rank_rows
        ],
    )

    ft = curve_mean["global, iterative + fine-tuning"]
    within = [s for s, a in zip(SPARSITIES, ft, strict=True) if a >= dense_mean - 1.0]
    at90 = ft[SPARSITIES.index(0.9)]
    hi = SPARSITIES.index(0.95)
    g_vs_l = curve_mean["global, no fine-tuning"][hi] - curve_mean["layer, no fine-tuning"][hi]
    findings = [
        f"{'HELD' if at90 >= dense_mean - 1.0 else 'DID NOT HOLD'} (Han et al. 2015): 90% of the "
        f"weights removed within 1 point of the dense accuracy after fine-tuning "
        f"({at90:.1f}% vs dense {dense_mean:.1f}%; the largest sparsity within 1 point is "
        f"{100 * max(within):g}%).",
        f"{'HELD' if g_vs_l >= 0 else 'DID NOT HOLD'}: global pruning beats per-layer pruning "
        f"at 95% without fine-tuning ({g_vs_l:+.1f} points); at 90% global pruning removes "
        + ", ".join(f"{100 * f:.0f}%" for f in layer_sparsity[0])
        + " of the three layers.",
        f"{'HELD' if 3.5 <= fp32_bytes / int8_bytes <= 4 else 'DID NOT HOLD'}: int8 "
        f"per-channel weights are ≈ 4× smaller ({fp32_bytes / int8_bytes:.2f}×) and change test "
        f"accuracy by {q_channel - dense_mean:+.1f} points (one scale per tensor: "
        f"{q_tensor - dense_mean:+.1f}).",
    ]
    md = (
        f"# Compression of the 64-256-256-10 digits MLP ({len(seeds)} seeds, mean test "
        f"accuracy %; dense {dense_mean:.1f}%)\n\n## Magnitude pruning\n\n{prune_table}\n"
        f"## Size\n\n{size_table}\n## Low rank (both hidden layers at the given rank)\n\n"
        f"{rank_table}\n" + "".join(f"- {f}\n" for f in findings)
    )
    print()
    print(md)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    for n in names:
        ax1.plot([100 * s for s in SPARSITIES], curve_mean[n], marker="o", label=n)
    ax1.axhline(dense_mean, color="grey", linestyle="--", label="dense")
    ax1.axhline(dense_mean - 1, color="grey", linestyle=":", label="dense − 1 point")
    ax1.set_xlabel("weights removed (%)")
    ax1.set_ylabel("test accuracy (%)")
    ax1.set_title("magnitude pruning")
    ax1.legend(fontsize=8)
    for key, label in (("no_fine_tuning", "truncated SVD"), ("fine_tuned", "+ fine-tuning")):
        ax2.plot(
            [r["rank"] for r in rank_rows], [r[key] for r in rank_rows], marker="o", label=label
        )
    ax2.axhline(dense_mean, color="grey", linestyle="--", label="dense")
    ax2.set_xscale("log", base=2)
    ax2.set_xlabel("rank of both hidden layers")
    ax2.set_title("low-rank factorisation")
    ax2.legend(fontsize=8)

    data = {
        "config": {
            "seeds": seeds,
            "sparsities": SPARSITIES,
            "ranks": RANKS,
            "fine_tune_epochs": epochs,
            "quick": args.quick,
        },
        "dense_test_accuracy": dense_acc,
        "pruning_percent": curve_mean,
        "pruning_per_seed": curves,
        "global_layer_sparsity_at_90": layer_sparsity,
        "bytes": {
            "float32": fp32_bytes,
            "int8_per_channel": int8_bytes,
            "pruned_90_coo": size90.sparse_bytes,
        },
        "quantization_per_seed": quant,
        "low_rank_percent": rank_rows,
        "findings": findings,
        "seconds": time.perf_counter() - start,
    }
    for path in write_results(
        results_dir(args.out, args.quick), "compression", data, md, {"": fig}
    ):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
