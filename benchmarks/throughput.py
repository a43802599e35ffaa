"""Meta-step throughput: the batched reference MAML trainer vs the usual per-task loop.

One meta-iteration = 25 sinusoid tasks, K = 10 support + 10 query points, one inner SGD step
(lr 0.01), second order, MSE, an Adam step on the 1-40-40-1 ReLU regressor. Compared, in one
run, from the same initial weights on the same pre-sampled task batches (sampling is not
timed), one thread each:

- ``reference (bmm)``: :func:`reference.meta_train.train_maml`, tasks stacked into batched matmuls;
- ``reference (vmap)``: the same trainer through ``torch.vmap`` + ``functional_call``;
- ``per-task loop``: ``autograd.grad(create_graph=True)`` task by task, the computation of
  learn2learn's ``MAML.clone()/adapt()``;
- ``higher``'s ``innerloop_ctx`` if that package is importable (it is not installed here).

The meta-losses of every implementation are checked equal over the same steps. Speeds are
measured in CPU time of this single-threaded process (``time.process_time``), so that other
load on a shared machine does not distort the ratio.

    python benchmarks/throughput.py [--quick]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn
from torch.func import functional_call

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import markdown_table, results_dir, write_results

from reference.meta_train import MetaConfig, TaskBatch, train_maml
from reference.models import sinusoid_regressor
from reference.tasks import sample_sinusoid_tasks

META_BATCH, K, INNER_LR, META_LR = 25, 10, 0.01, 1e-3
Trainer = Callable[[nn.Module, list[TaskBatch]], list[float]]


def reference_trainer(engine: str) -> Trainer:
    def run(model: nn.Module, batches: list[TaskBatch]) -> list[float]:
        feed = iter(batches)
        config = MetaConfig(
            iterations=len(batches), meta_batch=META_BATCH, meta_lr=META_LR, inner_lr=INNER_LR
        )
        config = MetaConfig(**{**vars(config), "engine": engine})
        return train_maml(model, lambda _gen: next(feed), nn.MSELoss(), config)

    return run


def per_task_loop(model: nn.Module, batches: list[TaskBatch]) -> list[float]:
    """The textbook loop (what learn2learn's clone()/adapt() computes), one task at a time."""
    opt = torch.optim.Adam(model.parameters(), lr=META_LR, fused=True)  # as train_maml
    names, params = zip(*model.named_parameters(), strict=True)
    history = []
    for x_s, y_s, x_q, y_q in batches:
        meta_loss = 0.0
        for t in range(META_BATCH):
            loss = nn.functional.mse_loss(model(x_s[t]), y_s[t])
            grads = torch.autograd.grad(loss, params, create_graph=True)
            fast = {n: p - INNER_LR * g for n, p, g in zip(names, params, grads, strict=True)}
            meta_loss = meta_loss + nn.functional.mse_loss(
                functional_call(model, fast, (x_q[t],)), y_q[t]
            )
        meta_loss = meta_loss / META_BATCH
        opt.zero_grad()
        meta_loss.backward()
        opt.step()
        history.append(meta_loss.item())
    return history


def higher_trainer() -> Trainer | None:
    try:
        import higher  # type: ignore[import-not-found]
    except ImportError:
        return None

    def run(model: nn.Module, batches: list[TaskBatch]) -> list[float]:
        meta_opt = torch.optim.Adam(model.parameters(), lr=META_LR, fused=True)  # as train_maml
        inner_opt = torch.optim.SGD(model.parameters(), lr=INNER_LR)
        history = []
        for x_s, y_s, x_q, y_q in batches:
            meta_opt.zero_grad()
            total = 0.0
            for t in range(META_BATCH):
                with higher.innerloop_ctx(model, inner_opt, copy_initial_weights=False) as (f, o):
                    o.step(nn.functional.mse_loss(f(x_s[t]), y_s[t]))
                    loss = nn.functional.mse_loss(f(x_q[t]), y_q[t]) / META_BATCH
                    loss.backward()
                    total += loss.item()
            meta_opt.step()
            history.append(total)
        return history

    return run


def batches(n: int, seed: int) -> list[TaskBatch]:
    gen = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        b = sample_sinusoid_tasks(META_BATCH, K, K, gen)
        out.append((b.x_support, b.y_support, b.x_query, b.y_query))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations (CI)")
    parser.add_argument("--rounds", type=int, help="timed rounds per implementation (median)")
    parser.add_argument("--out", help="results folder (default benchmarks/results[/quick])")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    rounds = args.rounds or (1 if args.quick else 3)
    fast_iters, slow_iters = (10, 2) if args.quick else (400, 40)
    torch.manual_seed(0)
    init = sinusoid_regressor()
    impls: dict[str, tuple[Trainer, int]] = {
        "reference (bmm)": (reference_trainer("bmm"), fast_iters),
        "reference (vmap)": (reference_trainer("vmap"), fast_iters),
        "per-task loop": (per_task_loop, slow_iters),
    }
    if (h := higher_trainer()) is not None:
        impls["higher innerloop_ctx"] = (h, slow_iters)

    # Equal losses: every implementation from the same weights on the same batches.
    check = batches(slow_iters, seed=1)
    losses = {name: run(copy.deepcopy(init), check) for name, (run, _) in impls.items()}
    want = torch.tensor(losses["per-task loop"])
    rel_diff = {
        name: ((torch.tensor(got) - want).abs() / want.abs()).max().item()
        for name, got in losses.items()
    }
    # Throughput: rounds interleaved across implementations, median it/s.
    speeds: dict[str, list[float]] = {name: [] for name in impls}
    timed = batches(fast_iters, seed=2)
    for _ in range(rounds):
        for name, (run, iters) in impls.items():
            model = copy.deepcopy(init)
            start = time.process_time()
            run(model, timed[:iters])
            speeds[name].append(iters / (time.process_time() - start))
    loop = statistics.median(speeds["per-task loop"])
    rows, table = [], []
    for name in impls:
        its = statistics.median(speeds[name])
        rows.append(
            {
                "implementation": name,
                "iterations_per_s": round(its, 1),
                "all_rounds": [round(s, 1) for s in speeds[name]],
                "speedup_vs_loop": round(its / loop, 2),
                "max_rel_loss_diff_vs_loop": rel_diff[name],
            }
        )
        table.append([name, f"{its:.1f}", f"{its / loop:.1f}×", f"{rel_diff[name]:.1e}"])
    if "higher innerloop_ctx" not in impls:
        table.append(["higher innerloop_ctx", "not installed", "", ""])
    headers = ["implementation", "meta-iterations/s", "vs per-task loop", "max rel. loss diff"]
    md = markdown_table(headers, table) + (
        f"\nMeta-batch {META_BATCH}, K = {K} + {K}, one inner step, second order, 1-40-40-1 MLP, "
        f"Adam; one thread, CPU time; median of {rounds} round(s) of {fast_iters} (batched) / "
        f"{slow_iters} (loop) iterations; losses compared over the same {slow_iters} steps.\n"
    )
    print(md)
    ratio = statistics.median(speeds["reference (bmm)"]) / loop
    print(f"reference trainer / per-task loop = {ratio:.1f}x")
    data = {"quick": args.quick, "rounds": rounds, "rows": rows, "speedup": round(ratio, 2)}
    for path in write_results(results_dir(args.out, args.quick), "throughput", data, md):
        print("wrote", path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
