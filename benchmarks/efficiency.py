"""Compression as it ships, on the digits MLP: structured pruning, 2:4 sparsity, QAT, 4-bit
groups and LoRA (the project's split; the 64-256-256-10 teacher of benchmarks/compression.py).

- Structured pruning (Li et al. 2017) removes 25/50/75 % of the hidden units: a smaller dense
  model, compared with magnitude pruning at the same number of non-zero weights (same shape,
  no speed-up); accuracy with and without fine-tuning, parameters, and CPU latency as a
  ratio to the dense model, measured interleaved in one run.
- 2:4 sparsity on every layer: accuracy after masking and after fine-tuning with the mask fixed.
- Weight-only QAT (fake quantization, STE, LSQ-learnt per-channel scales) against
  post-training quantization at the same bits (4, 3, 2), same symmetric per-channel grid.
- 4-bit groups (GPTQ/AWQ format): reconstruction error, accuracy and bits per weight for
  group sizes 32, 64, 128 and one group per row.
- LoRA: a model pretrained on digits 0-4 is fine-tuned to the held-out digits 5-9, with
  r = 1, 2, 4, 8 adapters on every layer against full fine-tuning: trainable parameters and
  accuracy on the test digits 5-9 (learning rate chosen on the validation split per method).

    python benchmarks/efficiency.py            # a few minutes; writes benchmarks/results/
    python benchmarks/efficiency.py --quick    # seconds; writes benchmarks/results/quick/

The experiments themselves are in benchmarks/_efficiency.py; this script runs them per seed,
averages, and writes the tables and the findings.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import markdown_table, results_dir, write_results
from _efficiency import (
    AMOUNTS,
    GROUP_SIZES,
    LRS,
    QAT_BITS,
    RANKS,
    int4_groups,
    lora_rows,
    qat_vs_ptq,
    structured_rows,
    two_four,
)

from reference.data import accuracy, digits_split, make_teacher, train_classifier, trained_teacher


def mean(xs: list[float]) -> float:
    return statistics.fmean(xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed, short training (CI)")
    parser.add_argument("--seeds", type=int, help="dense models (default 3; quick 1)")
    parser.add_argument("--out", help="results folder (default benchmarks/results[/quick])")
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds = list(range(args.seeds or (1 if args.quick else 3)))
    epochs = 1 if args.quick else 10
    lora_epochs, pretrain_epochs = (2, 2) if args.quick else (30, 60)
    reps = 5 if args.quick else 250
    lrs = LRS[2:3] if args.quick else LRS
    split = digits_split()
    start = time.perf_counter()

    dense_acc, structured, nm, qat, groups, lora = [], [], [], [], [], []
    for seed in seeds:
        dense = trained_teacher(seed) if not args.quick else make_teacher(seed)
        if args.quick:
            train_classifier(dense, split.x_train, split.y_train, epochs=2, seed=seed)
        dense_acc.append(accuracy(dense, split.x_test, split.y_test))
        structured.append(structured_rows(dense, split, epochs, seed, reps))
        nm.append(two_four(dense, split, epochs, seed))
        qat.append(qat_vs_ptq(dense, split, epochs, seed))
        groups.append(int4_groups(dense, split))
        lora.append(lora_rows(split, pretrain_epochs, lora_epochs, seed, lrs))
        print(f"seed {seed}: dense {dense_acc[-1]:.3f}, {time.perf_counter() - start:.0f} s")

    def avg(per_seed: list[list[dict]], i: int, *path: str) -> float:
        values = []
        for rows in per_seed:
            value = rows[i]
            for key in path:
                value = value[key]
            values.append(value)
        return mean(values)

    dense_mean = 100 * mean(dense_acc)
    dense_params = sum(p.numel() for p in trained_teacher(0).parameters())
    s_rows = [
        {
            "amount": r["amount"],
            "parameters": r["parameters"],
            "structured_no_ft": 100 * avg(structured, i, "structured", "no_fine_tuning"),
            "structured_ft": 100 * avg(structured, i, "structured", "fine_tuned"),
            "magnitude_no_ft": 100 * avg(structured, i, "magnitude", "no_fine_tuning"),
            "magnitude_ft": 100 * avg(structured, i, "magnitude", "fine_tuned"),
            "latency": avg(structured, i, "latency_vs_dense"),
            "magnitude_latency": avg(structured, i, "magnitude_latency_vs_dense"),
        }
        for i, r in enumerate(structured[0])
    ]
    s_table = markdown_table(
        ["hidden units removed", "parameters", "structured, no FT %", "structured, FT %",
         "magnitude (same non-zeros), no FT %", "magnitude, FT %", "latency structured / dense",
         "latency magnitude / dense"],
        [[f"{100 * r['amount']:g}%", f"{r['parameters']} of {dense_params}",
          f"{r['structured_no_ft']:.1f}", f"{r['structured_ft']:.1f}",
          f"{r['magnitude_no_ft']:.1f}", f"{r['magnitude_ft']:.1f}",
          f"{r['latency']:.2f}", f"{r['magnitude_latency']:.2f}"] for r in s_rows],
    )  # fmt: skip
    nm_mean = {k: 100 * mean([n[k] for n in nm]) for k in nm[0]}
    nm_table = markdown_table(
        ["model", "test accuracy %"],
        [
            ["dense", f"{dense_mean:.1f}"],
            ["2:4 mask, no fine-tuning", f"{nm_mean['masked']:.1f}"],
            ["2:4 mask, fine-tuned with the mask fixed", f"{nm_mean['fine_tuned']:.1f}"],
            ["50% unstructured per layer, no fine-tuning",
             f"{nm_mean['unstructured_50_layer']:.1f}"],
        ],
    )  # fmt: skip
    q_rows = [
        {"bits": r["bits"], "ptq": 100 * avg(qat, i, "ptq"), "qat": 100 * avg(qat, i, "qat")}
        for i, r in enumerate(qat[0])
    ]
    q_table = markdown_table(
        ["weight bits", "post-training %", "QAT (STE + LSQ scales) %"],
        [[r["bits"], f"{r['ptq']:.1f}", f"{r['qat']:.1f}"] for r in q_rows],
    )
    g_rows = [
        {
            "group_size": r["group_size"],
            "relative_error": avg(groups, i, "relative_error"),
            "accuracy": 100 * avg(groups, i, "accuracy"),
            "bits_per_weight": r["bits_per_weight"],
        }
        for i, r in enumerate(groups[0])
    ]
    g_table = markdown_table(
        ["group size", "bits per weight", "relative error ‖W − Ŵ‖/‖W‖", "test accuracy %"],
        [[r["group_size"], f"{r['bits_per_weight']:.2f}", f"{r['relative_error']:.4f}",
          f"{r['accuracy']:.1f}"] for r in g_rows],
    )  # fmt: skip
    l_rows = [
        {
            "method": r["method"],
            "trainable": r["trainable"],
            "accuracy": 100 * avg(lora, i, "accuracy"),
            "lr": [rows[i]["lr"] for rows in lora],
        }
        for i, r in enumerate(lora[0])
    ]
    l_table = markdown_table(
        ["method", "trainable parameters", "test accuracy on digits 5-9 %", "chosen lr per seed"],
        [[r["method"], r["trainable"], f"{r['accuracy']:.1f}",
          ", ".join("-" if lr is None else f"{lr:g}" for lr in r["lr"])] for r in l_rows],
    )  # fmt: skip

    half = s_rows[AMOUNTS.index(0.5)]
    full_ft = next(r for r in l_rows if r["method"] == "full fine-tuning")
    lora8 = next(r for r in l_rows if r["method"] == "LoRA r=8")
    g32, g128 = g_rows[0], g_rows[2]
    q4, q2 = q_rows[0], q_rows[-1]

    def verdict(ok: bool) -> str:
        return "HELD" if ok else "DID NOT HOLD"

    findings = [
        f"{verdict(half['latency'] < 0.8 and half['magnitude_latency'] > 0.8)}: removing half "
        f"the hidden units gives a smaller dense model that runs faster "
        f"({half['latency']:.2f}× the dense latency), while magnitude pruning to the same "
        f"non-zeros keeps the dense shape ({half['magnitude_latency']:.2f}×).",
        f"{verdict(half['structured_ft'] >= dense_mean - 1.0)}: after fine-tuning, the "
        f"half-width model is within 1 point of dense ({half['structured_ft']:.1f}% vs "
        f"{dense_mean:.1f}%).",
        f"{verdict(half['structured_no_ft'] <= half['magnitude_no_ft'])}: before fine-tuning, "
        f"structured pruning loses more than magnitude pruning at equal non-zeros "
        f"({half['structured_no_ft']:.1f}% vs {half['magnitude_no_ft']:.1f}% at 50% of units).",
        f"{verdict(nm_mean['fine_tuned'] >= dense_mean - 1.0)}: 2:4 sparsity with fine-tuning "
        f"(mask fixed) is within 1 point of dense ({nm_mean['fine_tuned']:.1f}%; "
        f"{nm_mean['masked']:.1f}% right after masking).",
        f"{verdict(q2['qat'] > q2['ptq'] and q4['qat'] >= q4['ptq'] - 0.5)}: QAT beats "
        f"post-training quantization at 2 bits ({q2['qat']:.1f}% vs {q2['ptq']:.1f}%) and does "
        f"not lose at 4 bits ({q4['qat']:.1f}% vs {q4['ptq']:.1f}%).",
        f"{verdict(g32['relative_error'] < g128['relative_error'])}: smaller groups reconstruct "
        f"the weights better (relative error {g32['relative_error']:.4f} at 32 vs "
        f"{g128['relative_error']:.4f} at 128) for more bits per weight "
        f"({g32['bits_per_weight']:.2f} vs {g128['bits_per_weight']:.2f}); test accuracy "
        f"{g32['accuracy']:.1f}% vs {g128['accuracy']:.1f}% (dense {dense_mean:.1f}%).",
        f"{verdict(lora8['accuracy'] >= full_ft['accuracy'] - 2.0)}: LoRA r=8 on every layer "
        f"comes within 2 points of full fine-tuning on the held-out digits "
        f"({lora8['accuracy']:.1f}% vs {full_ft['accuracy']:.1f}%) training "
        f"{lora8['trainable']} parameters instead of {full_ft['trainable']} "
        f"({100 * lora8['trainable'] / full_ft['trainable']:.1f}%).",
    ]
    md = (
        f"# Compression as it ships: structured pruning, 2:4, QAT, 4-bit groups, LoRA "
        f"({len(seeds)} seeds, mean test accuracy %; dense {dense_mean:.1f}%)\n\n"
        f"## Structured pruning vs magnitude pruning at equal non-zeros\n\n{s_table}\n"
        f"## 2:4 semi-structured sparsity\n\n{nm_table}\n"
        f"## QAT vs post-training quantization (weights, symmetric per channel)\n\n{q_table}\n"
        f"## 4-bit groups (asymmetric, float32 scale + 4-bit zero per group)\n\n{g_table}\n"
        f"## LoRA: pretrained on digits 0-4, fine-tuned to 5-9\n\n{l_table}\n"
        + "".join(f"- {f}\n" for f in findings)
    )
    print()
    print(md)

    data = {
        "config": {
            "seeds": seeds,
            "amounts": AMOUNTS,
            "qat_bits": QAT_BITS,
            "group_sizes": GROUP_SIZES,
            "ranks": RANKS,
            "learning_rates": lrs,
            "fine_tune_epochs": epochs,
            "lora_epochs": lora_epochs,
            "latency_reps": reps,
            "quick": args.quick,
        },
        "dense_test_accuracy": dense_acc,
        "structured_pruning": s_rows,
        "two_four_percent": nm_mean,
        "qat_percent": q_rows,
        "int4_groups": g_rows,
        "lora_percent": l_rows,
        "per_seed": {"structured": structured, "two_four": nm, "qat": qat, "lora": lora},
        "findings": findings,
        "seconds": time.perf_counter() - start,
    }
    for path in write_results(results_dir(args.out, args.quick), "efficiency", data, md):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
