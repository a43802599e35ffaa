"""Merging beyond plain averages on digits: permutation alignment, TIES and DARE.

Same 64-128-128-10 MLP and split as benchmarks/fusion.py.

1. Permutation alignment (Ainsworth et al. 2023, weight matching as in reference.fuse.align_mlp):
   pairs of MLPs trained from different random seeds. Each model, their logit ensemble, the
   plain weight average and the average after aligning B to A (test accuracy); and the test
   loss along the straight line θ(α) = (1 − α)θ_A + αθ_B before and after alignment, with the
   barrier max_α [L(θ(α)) − ((1 − α)L(θ_A) + αL(θ_B))].
2. TIES (Yadav et al. 2023) and DARE (Yu et al. 2024) vs task arithmetic on fusion.py's task
   split (A = digits 0-4, B = 5-9, both fine-tuned from one pretrained model): for each density
   / drop rate the scale λ is chosen on validation accuracy (all digits) from one grid shared
   by every method; DARE is averaged over generator seeds.

    python benchmarks/merging.py            # a few minutes on one thread
    python benchmarks/merging.py --quick    # seconds; writes benchmarks/results/quick/
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import markdown_table, results_dir, write_results
from fusion import HIDDEN, acc, loaded, pretrain, state_of

from reference.data import digits_split, make_mlp, train_classifier
from reference.fuse import (
    align_mlp,
    apply_task_vectors,
    average_state_dicts,
    dare_merge,
    logit_ensemble,
    task_vector,
    ties_merge,
)

SCALES = [0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0]
DENSITIES = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0]
DROP_RATES = [0.0, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99]
ALPHAS = [i / 10 for i in range(11)]


@torch.no_grad()
def loss(state: dict[str, Tensor], x: Tensor, y: Tensor) -> float:
    return float(F.cross_entropy(loaded(state)(x), y))


def interpolate(a: dict[str, Tensor], b: dict[str, Tensor], alpha: float) -> dict[str, Tensor]:
    return average_state_dicts([a, b], [1 - alpha, alpha])


def path(a: dict[str, Tensor], b: dict[str, Tensor], split) -> dict[str, list[float]]:
    """Test loss and accuracy at each α of the straight line from a to b, and the barrier."""
    x, y = split.x_test, split.y_test
    losses = [loss(interpolate(a, b, t), x, y) for t in ALPHAS]
    accs = [acc(interpolate(a, b, t), x, y) for t in ALPHAS]
    chord = [(1 - t) * losses[0] + t * losses[-1] for t in ALPHAS]
    barrier = max(lo - c for lo, c in zip(losses, chord, strict=True))
    return {"loss": losses, "accuracy": accs, "barrier": barrier}


def alignment(split, epochs: int, pairs: int) -> dict:
    """Independently trained pairs: individual, ensemble, plain and aligned averages."""
    per_pair = []
    for p in range(pairs):
        models = []
        for seed in (200 + 2 * p, 201 + 2 * p):
            model = make_mlp(HIDDEN, seed)
            train_classifier(model, split.x_train, split.y_train, epochs=epochs, seed=seed)
            models.append(model)
        a, b = (state_of(m) for m in models)
        b_aligned = align_mlp(models[0], models[1])
        x, y = split.x_test, split.y_test
        ensemble = logit_ensemble([loaded(a), loaded(b)], x).argmax(-1)
        per_pair.append(
            {
                "model A": acc(a, x, y),
                "model B": acc(b, x, y),
                "B aligned to A (same function)": acc(b_aligned, x, y),
                "logit ensemble (2 forward passes)": float((ensemble == y).float().mean()),
                "plain average": acc(average_state_dicts([a, b]), x, y),
                "aligned average": acc(average_state_dicts([a, b_aligned]), x, y),
                "path_plain": path(a, b, split),
                "path_aligned": path(a, b_aligned, split),
            }
        )
    rows = [k for k in per_pair[0] if not k.startswith("path")]
    return {
        "mean": {k: sum(r[k] for r in per_pair) / pairs for k in rows},
        "barrier_plain": sum(r["path_plain"]["barrier"] for r in per_pair) / pairs,
        "barrier_aligned": sum(r["path_aligned"]["barrier"] for r in per_pair) / pairs,
        "loss_plain": [sum(r["path_plain"]["loss"][i] for r in per_pair) / pairs
                       for i in range(len(ALPHAS))],
        "loss_aligned": [sum(r["path_aligned"]["loss"][i] for r in per_pair) / pairs
                         for i in range(len(ALPHAS))],
        "per_pair": per_pair,
    }  # fmt: skip


def task_models(split, epochs: int) -> tuple[dict[str, Tensor], list[dict[str, Tensor]]]:
    """fusion.py's pretrained model (seed 0) and its fine-tunes on digits 0-4 and 5-9."""
    pretrained = pretrain(split, 0)
    fine = []
    for b in (False, True):
        keep = (split.y_train >= 5) if b else (split.y_train < 5)
        model = loaded(pretrained)
        train_classifier(model, split.x_train[keep], split.y_train[keep], epochs=epochs, seed=11)
        fine.append(state_of(model))
    return pretrained, fine


def scores(state: dict[str, Tensor], split) -> dict[str, float]:
    x, y = split.x_test, split.y_test
    return {
        "A (0-4)": acc(state, x[y < 5], y[y < 5]),
        "B (5-9)": acc(state, x[y >= 5], y[y >= 5]),
        "all": acc(state, x, y),
    }


def best_scale(merge, split) -> tuple[float, dict[str, float]]:
    """λ with the best validation accuracy (all digits), and the test scores there."""
    val = {s: acc(merge(s), split.x_val, split.y_val) for s in SCALES}
    lam = max(SCALES, key=lambda s: val[s])
    return lam, {**scores(merge(lam), split), "val": val[lam]}


def interference(split, epochs: int, dare_seeds: int) -> dict:
    """TIES and DARE vs task arithmetic over their density / drop-rate grids."""
    pre, fine = task_models(split, epochs)
    taus = [task_vector(pre, ft) for ft in fine]
    lam, ta = best_scale(lambda s: apply_task_vectors(pre, taus, s), split)
    ties = {}
    for d in DENSITIES:
        chosen, test = best_scale(lambda s, d=d: ties_merge(pre, fine, d, s), split)
        ties[d] = {"scale": chosen, **test}
    dare = {}
    for p in DROP_RATES:
        runs = [
            best_scale(
                lambda s, p=p, g=g: dare_merge(pre, fine, p, s, torch.Generator().manual_seed(g)),
                split,
            )
            for g in range(dare_seeds)
        ]
        dare[p] = {
            "scales": [r[0] for r in runs],
            **{k: sum(r[1][k] for r in runs) / len(runs) for k in runs[0][1]},
            "all_min": min(r[1]["all"] for r in runs),
            "all_max": max(r[1]["all"] for r in runs),
        }
    return {
        "pretrained": scores(pre, split),
        "fine-tuned on A": scores(fine[0], split),
        "fine-tuned on B": scores(fine[1], split),
        "task_arithmetic": {"scale": lam, **ta},
        "ties": ties,
        "dare": dare,
    }


def pct(v: float) -> str:
    return f"{100 * v:.1f}"


def findings_of(al: dict, inter: dict, pairs: int) -> list[str]:
    m = al["mean"]
    ta = inter["task_arithmetic"]["all"]
    # the density and the drop rate are chosen on validation, like λ
    best_d = max(inter["ties"], key=lambda d: inter["ties"][d]["val"])
    best_ties = inter["ties"][best_d]["all"]
    p90 = inter["dare"].get(0.9, inter["dare"][max(inter["dare"])])["all"]
    best_p = max((p for p in inter["dare"] if p > 0), key=lambda p: inter["dare"][p]["val"])
    worse = min(m["model A"], m["model B"])
    held = lambda ok: "HELD" if ok else "DID NOT HOLD"  # noqa: E731
    return [
        f"{held(m['aligned average'] > m['plain average'] + 0.1)} (Ainsworth et al.): aligning "
        f"before averaging rescues the average of independently trained models "
        f"({pct(m['aligned average'])}% vs {pct(m['plain average'])}% plain, mean of {pairs} "
        f"pairs).",
        f"{held(m['aligned average'] >= worse)}: the aligned average is at least as accurate as "
        f"the weaker of the two models ({pct(m['aligned average'])}% vs {pct(m['model A'])}% and "
        f"{pct(m['model B'])}%; their ensemble {pct(m['logit ensemble (2 forward passes)'])}%).",
        f"{held(al['barrier_aligned'] < 0.5 * al['barrier_plain'])}: alignment at least halves "
        f"the loss barrier on the straight line between the two models "
        f"({al['barrier_plain']:.3f} → {al['barrier_aligned']:.3f} nats).",
        f"{held(al['barrier_aligned'] < 0.05)}: after alignment the two models are linearly mode "
        f"connected (barrier below 0.05 nats; measured {al['barrier_aligned']:.3f}).",
        f"{held(best_ties >= ta)} (Yadav et al.): TIES, with its density ({best_d:g}) and λ "
        f"chosen on validation, is at least as accurate on all digits as task arithmetic "
        f"({pct(best_ties)}% vs {pct(ta)}%).",
        f"{held(p90 >= ta - 0.01)} (Yu et al.): DARE dropping 90% of each task vector stays "
        f"within 1 point of task arithmetic ({pct(p90)}% vs {pct(ta)}%).",
        f"{held(inter['dare'][best_p]['all'] > ta)}: DARE with its drop rate (> 0) chosen on "
        f"validation beats task arithmetic (p = {best_p:g}: {pct(inter['dare'][best_p]['all'])}% "
        f"vs {pct(ta)}%).",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs (CI)")
    parser.add_argument("--out", help="results folder (default benchmarks/results[/quick])")
    args = parser.parse_args()
    torch.set_num_threads(1)
    epochs = 3 if args.quick else 20
    pairs = 1 if args.quick else 3
    dare_seeds = 1 if args.quick else 3
    split = digits_split()
    start = time.perf_counter()
    al = alignment(split, epochs, pairs)
    inter = interference(split, epochs, dare_seeds)
    findings = findings_of(al, inter, pairs)

    align_table = markdown_table(
        [f"model (test accuracy %, mean of {pairs} pairs of seeds)", "accuracy"],
        [[k, pct(v)] for k, v in al["mean"].items()]
        + [["loss barrier on the line A → B (nats): plain", f"{al['barrier_plain']:.3f}"],
           ["loss barrier on the line A → B (nats): aligned", f"{al['barrier_aligned']:.3f}"]],
    )  # fmt: skip
    fixed = ("pretrained", "fine-tuned on A", "fine-tuned on B")
    cols = ("A (0-4)", "B (5-9)", "all")
    ta = inter["task_arithmetic"]
    rows = [[k, "", "", *(pct(inter[k][c]) for c in cols)] for k in fixed]
    rows.append(["task arithmetic", f"{ta['scale']:g}", pct(ta["val"]),
                 *(pct(ta[c]) for c in cols)])  # fmt: skip
    for d, r in inter["ties"].items():
        rows.append([f"TIES, density {d:g}", f"{r['scale']:g}", pct(r["val"]),
                     *(pct(r[c]) for c in cols)])  # fmt: skip
    for p, r in inter["dare"].items():
        spread = f" ({pct(r['all_min'])}–{pct(r['all_max'])})" if dare_seeds > 1 else ""
        rows.append([f"DARE, drop rate {p:g}", "/".join(f"{s:g}" for s in r["scales"]),
                     pct(r["val"]), pct(r["A (0-4)"]), pct(r["B (5-9)"]),
                     pct(r["all"]) + spread])  # fmt: skip
    merge_table = markdown_table(
        ["model", "λ", "val. acc. %", "test acc. on 0-4 %", "on 5-9 %", "on all %"], rows
    )
    md = (
        "# Merging on digits (64-128-128-10 MLP): alignment, TIES, DARE\n\n"
        f"## Permutation alignment of independently trained models\n\n{align_table}\n"
        "## TIES and DARE vs task arithmetic (task A = digits 0-4, B = 5-9)\n\n"
        f"DARE: mean over {dare_seeds} generator seeds (range of the all-digits accuracy in "
        f"brackets). λ is chosen on validation accuracy (all digits) from {SCALES} for every "
        f"method and setting; the validation accuracy at that λ is shown.\n\n{merge_table}\n"
        + "".join(f"- {f}\n" for f in findings)
    )
    print(md)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    ax1.plot(ALPHAS, al["loss_plain"], marker="o", label="plain (B as trained)")
    ax1.plot(ALPHAS, al["loss_aligned"], marker="o", label="B aligned to A")
    ax1.set_xlabel("α in (1 − α)·θ_A + α·θ_B")
    ax1.set_ylabel("test cross-entropy (nats)")
    ax1.set_yscale("log")
    ax1.set_title(f"loss along the linear path (mean of {pairs} pairs)")
    ax1.legend(fontsize=8)
    ax2.plot(list(inter["ties"]), [100 * r["all"] for r in inter["ties"].values()],
             marker="o", label="TIES: density")  # fmt: skip
    ax2.plot([1 - p for p in inter["dare"]], [100 * r["all"] for r in inter["dare"].values()],
             marker="s", label="DARE: 1 − drop rate")  # fmt: skip
    ax2.axhline(100 * ta["all"], color="gray", linestyle="--", label="task arithmetic")
    ax2.set_xscale("log")
    ax2.set_xlabel("fraction of each task vector kept")
    ax2.set_ylabel("test accuracy on all digits (%)")
    ax2.set_title("merging the 0-4 and 5-9 fine-tunes")
    ax2.legend(fontsize=8)

    data = {
        "config": {
            "hidden": HIDDEN, "epochs": epochs, "pairs": pairs, "dare_seeds": dare_seeds,
            "scales": SCALES, "densities": DENSITIES, "drop_rates": DROP_RATES,
            "alphas": ALPHAS, "quick": args.quick,
        },
        "alignment": al,
        "interference": {**inter, "ties": {str(k): v for k, v in inter["ties"].items()},
                         "dare": {str(k): v for k, v in inter["dare"].items()}},
        "findings": findings,
        "seconds": time.perf_counter() - start,
    }  # fmt: skip
    for path_ in write_results(results_dir(args.out, args.quick), "merging", data, md, {"": fig}):
        print(f"wrote {path_}")


if __name__ == "__main__":
    main()
