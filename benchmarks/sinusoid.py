"""Reproduce Finn et al. 2017's sinusoid regression: MAML vs a jointly pretrained baseline.

As in the paper (section 5.1), one model per method is trained with K = 10 support points
and one inner SGD step of lr 0.01 (meta-batch 25 tasks, Adam), then evaluated at K = 5 and
K = 10: fine-tuned on 600 held-out tasks (fixed seed) from its K support points with 0..10
full-batch SGD steps of lr 0.01, and scored by the MSE on 100 evenly spaced points over
[-5, 5]. Methods: second-order MAML, first-order MAML, and the same network pretrained on
all tasks jointly (the paper's baseline). Trainings run in parallel processes, one thread
each. Departures from the paper, to fit minutes instead of hours, are settings here and are
recorded in the results: fewer meta-iterations, more query points per task (less noisy
meta-gradients), and a larger meta-learning rate with cosine decay. One extra row, MAML
meta-trained through two inner steps instead of one, shows the trade-off between the error
after one step and the stability of longer fine-tuning (a one-step MAML initialisation is
sharp: with lr 0.01 a few tasks can diverge after several steps).

    python benchmarks/sinusoid.py            # full run, writes benchmarks/results/sinusoid.*
    python benchmarks/sinusoid.py --quick    # seconds; writes benchmarks/results/quick/
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import markdown_table, results_dir, write_results

from reference.meta_train import MetaConfig, batched_adapt, batched_forward, train_maml
from reference.models import sinusoid_regressor
from reference.tasks import sample_sinusoid_tasks

# Finn et al. 2017, Figure 2 / section 5.1 (K = 5): MSE after 1, 5 and 10 gradient steps.
PAPER_K5 = {"MAML": {1: 0.67, 5: 0.38, 10: 0.35}, "pretrained": {1: 2.41, 5: 2.23, 10: 2.19}}
MAML_2_STEPS = "MAML, 2 inner steps"
# Longest trainings first, so that two workers finish together.
METHODS = ("MAML", MAML_2_STEPS, "FOMAML", "pretrained")
REPORT_STEPS = (0, 1, 5, 10)
EVAL_SEED = 20170 + 600  # the held-out tasks; never used in training
INNER_LR = 0.01


def train_one(method: str, k: int, k_query: int, config: MetaConfig) -> tuple[dict, float]:
    """Train one model on K-shot tasks; returns its state_dict and the CPU seconds it took.

    CPU time of this one-thread process, not wall time: the machine may be shared.
    """
    torch.set_num_threads(1)
    torch.manual_seed(config.seed)
    model = sinusoid_regressor()

    def sample(gen: torch.Generator):
        b = sample_sinusoid_tasks(config.meta_batch, k, k_query, gen)
        return b.x_support, b.y_support, b.x_query, b.y_query

    start = time.process_time()
    if method == "pretrained":  # plain regression on every task's points at once
        gen = torch.Generator().manual_seed(config.seed)
        opt = torch.optim.Adam(model.parameters(), lr=config.meta_lr, fused=True)
        for it in range(config.iterations):
            if config.cosine_decay:  # the same schedule as the meta-trainers
                decay = 0.5 * (1.0 + math.cos(math.pi * it / config.iterations))
                opt.param_groups[0]["lr"] = config.meta_lr * decay
            x_s, y_s, x_q, y_q = sample(gen)
            loss = nn.functional.mse_loss(model(torch.cat([x_s, x_q], 1)), torch.cat([y_s, y_q], 1))
            opt.zero_grad()
            loss.backward()
            opt.step()
    else:
        overrides = {
            "first_order": method == "FOMAML",
            "inner_steps": 2 if method == MAML_2_STEPS else config.inner_steps,
        }
        train_maml(model, sample, nn.MSELoss(), MetaConfig(**{**vars(config), **overrides}))
    return model.state_dict(), time.process_time() - start


def fine_tune_curves(model: nn.Module, k: int, n_tasks: int, steps: int = 10) -> torch.Tensor:
    """Query MSE per held-out task after 0..steps SGD steps: a [steps + 1, n_tasks] tensor."""
    b = sample_sinusoid_tasks(n_tasks, k, 100, seed=EVAL_SEED, query_grid=True)
    forward = batched_forward(model)
    fast = {
        n: p.detach().expand(n_tasks, *p.shape).contiguous() for n, p in model.named_parameters()
    }
    mse = []
    for step in range(steps + 1):
        if step:
            fast = batched_adapt(
                model, b.x_support, b.y_support, nn.MSELoss(), INNER_LR, 1, True, fast
            )
        with torch.no_grad():
            mse.append((forward(fast, b.x_query) - b.y_query).square().mean((1, 2)))
    return torch.stack(mse)


def plot(curves: dict, models: dict, n_tasks: int):
    """MSE vs steps for every method and K, and predicted curves on three held-out tasks."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, k in zip(axes, (5, 10), strict=True):
        for method in METHODS:
            c = curves[(method, k)]
            mean, half = c.mean(1), 1.96 * c.std(1) / math.sqrt(n_tasks)
            ax.errorbar(range(len(mean)), mean, yerr=half, label=method, capsize=2)
        if k == 5:
            for name, marker in (("MAML", "k*"), ("pretrained", "kx")):
                pts = PAPER_K5[name]
                ax.plot(list(pts), list(pts.values()), marker, label=f"paper {name}")
        # Fixed limits: a few diverging fine-tunings would otherwise flatten every curve.
        ax.set(title=f"K = {k}", xlabel="SGD steps (lr 0.01)", yscale="log", ylim=(0.05, 10))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"mean query MSE ({n_tasks} held-out tasks)")
    axes[0].legend(fontsize=8)

    curve_fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), sharey=True)
    b = sample_sinusoid_tasks(3, 5, 200, seed=EVAL_SEED + 1, query_grid=True)
    for t, ax in enumerate(axes):
        ax.plot(b.x_query[t, :, 0], b.y_query[t, :, 0], "k-", label="true")
        ax.plot(b.x_support[t, :, 0], b.y_support[t, :, 0], "k^", label="K = 5 points")
        for method, style in (("MAML", "-"), ("pretrained", ":")):
            model = models[method]
            for steps, color in ((0, "C0"), (10, "C3")):
                p = batched_adapt(model, b.x_support, b.y_support, nn.MSELoss(), INNER_LR, steps)
                with torch.no_grad():
                    pred = batched_forward(model)(p, b.x_query)[t, :, 0]
                ax.plot(b.x_query[t, :, 0], pred, style, color=color, label=f"{method}, {steps}")
        ax.set(xlabel="x", title=f"held-out task {t + 1}")
    axes[0].legend(fontsize=7)
    return {"": fig, "curves": curve_fig}


def _number(x: torch.Tensor) -> float | None:
    """A JSON-safe rounded float (None when fine-tuning diverged to inf/nan)."""
    return round(x.item(), 4) if math.isfinite(x.item()) else None


def _cell(mse: torch.Tensor) -> str:
    """Mean ± 95% interval over tasks; says so when some tasks' fine-tuning diverged."""
    mean, half = mse.mean().item(), 1.96 * mse.std().item() / math.sqrt(len(mse))
    bad = int((~torch.isfinite(mse) | (mse > 1e3)).sum())
    if bad:
        finite = mse[torch.isfinite(mse) & (mse <= 1e3)]
        return f"{mean:.3g}: diverges on {bad}/{len(mse)} tasks (others {finite.mean():.2f})"
    return f"{mean:.2f} ± {half:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations (CI, make demo)")
    parser.add_argument("--iterations", type=int, help="meta-iterations per model")
    parser.add_argument("--train-k", type=int, default=10, help="support points in training")
    parser.add_argument("--query", type=int, default=20, help="query points per training task")
    parser.add_argument("--meta-lr", type=float, default=3e-3, help="Adam's learning rate")
    parser.add_argument("--constant-lr", action="store_true", help="no cosine decay")
    parser.add_argument("--workers", type=int, help="parallel training processes (default 2)")
    parser.add_argument("--tasks", type=int, help="held-out tasks (default 600; quick 100)")
    parser.add_argument("--out", help="results folder (default benchmarks/results[/quick])")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    iterations = args.iterations or (100 if args.quick else 30_000)
    n_tasks = args.tasks or (100 if args.quick else 600)
    workers = args.workers or (1 if args.quick else 2)
    config = MetaConfig(
        iterations=iterations,
        meta_batch=25,
        meta_lr=args.meta_lr,
        inner_lr=INNER_LR,
        cosine_decay=not args.constant_lr,
        seed=args.seed,
    )
    n = len(METHODS)
    train_args = (METHODS, [args.train_k] * n, [args.query] * n, [config] * n)
    start = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            done = list(pool.map(train_one, *train_args))
    else:
        done = list(map(train_one, *train_args))
    train_wall = time.perf_counter() - start

    models, curves, rows, table = {}, {}, [], []
    cpu = {method: seconds for method, (_, seconds) in zip(METHODS, done, strict=True)}
    for method, (state, seconds) in zip(METHODS, done, strict=True):
        models[method] = model = sinusoid_regressor()
        model.load_state_dict(state)
        for k in (5, 10):
            curves[(method, k)] = c = fine_tune_curves(model, k, n_tasks)
            mean, half = c.mean(1), 1.96 * c.std(1) / math.sqrt(n_tasks)
            diverged = (~torch.isfinite(c) | (c > 1e3)).sum(1)  # fine-tuning blew up
            rows.append(
                {
                    "method": method,
                    "k": k,
                    "train_cpu_seconds": round(seconds, 1),
                    "mse": {s: _number(mean[s]) for s in range(len(mean))},
                    "ci95": {s: _number(half[s]) for s in range(len(mean))},
                    "diverged_tasks": {s: int(diverged[s]) for s in range(len(mean))},
                }
            )
            cells = [_cell(c[s]) for s in REPORT_STEPS]
            table.append([method, k, *cells])
    for name, pts in PAPER_K5.items():
        table.append([f"{name} (Finn et al. 2017)", 5, "", *(f"{pts[s]:.2f}" for s in (1, 5, 10))])
    table.sort(key=lambda row: row[1])
    headers = ["method", "K", *(f"MSE after {s} steps" for s in REPORT_STEPS)]
    md = markdown_table(headers, table)
    schedule = "constant" if args.constant_lr else "cosine-decayed"
    md += (
        f"\nOne model per method, trained with K = {args.train_k} support + {args.query} query "
        f"points per task, meta-batch 25, one inner step of lr {INNER_LR} (two for "
        f"'{MAML_2_STEPS}'), {iterations} "
        f"meta-iterations of Adam ({schedule} lr {args.meta_lr}); Finn et al. trained 70,000 "
        f"iterations with K + K points and a constant lr 0.001. Evaluated on {n_tasks} held-out "
        f"tasks, query = 100 evenly spaced x in [-5, 5], ± is a 95% interval. Training CPU time "
        f"(one thread each): "
        + ", ".join(f"{m} {c:.0f} s" for m, c in cpu.items())
        + f"; {train_wall:.0f} s wall clock with {workers} worker process(es).\n"
    )
    print(md)
    data = {
        "config": {**vars(config), "train_k": args.train_k, "query_points": args.query},
        "quick": args.quick,
        "held_out_tasks": n_tasks,
        "eval_seed": EVAL_SEED,
        "train_wall_seconds": round(train_wall, 1),
        "workers": workers,
        "paper_k5": PAPER_K5,
        "rows": rows,
    }
    figures = plot(curves, models, n_tasks)
    for path in write_results(results_dir(args.out, args.quick), "sinusoid", data, md, figures):
        print("wrote", path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
