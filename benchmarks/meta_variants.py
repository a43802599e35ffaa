"""ANIL vs MAML, and iMAML's implicit meta-gradient vs MAML's unrolled one.

Part 1, ANIL vs MAML (second order, per-task autograd for both, so that the time ratio
compares the algorithms and not two implementations): one model each, meta-trained with the
same tasks, inner steps and Adam settings on

- sinusoid regression (Finn et al.'s 1-40-40-1 regressor, K = 10, 5 inner steps of 0.01),
  scored by the query MSE on held-out tasks after 5 steps (and with none);
- 4-way 5-shot digits (an MLP 64-64-64-4, meta-train digits 0-5, meta-test 6-9, 5 inner
  steps of 0.5), scored by the query accuracy on held-out episodes;

and the CPU time per meta-step of each (one thread, this process; a ratio measured in one
run).

Part 2, iMAML vs MAML on one sinusoid task with a 1-40-40-1 tanh net: the inner problem is
the proximal one, min L_s(φ) + λ/2‖φ − θ‖², solved by T steps of gradient descent. MAML's
meta-gradient differentiates through the T steps; iMAML's solves (I + H/λ) v = ∇L_q(φ_T) by
CG. Agreement is the cosine and the relative error between the two. Memory is the bytes of the
distinct tensors autograd saves for backward (a saved-tensors hook; the dominant cost, not the
process RSS), for a 1-256-256-1 net, as T grows: for MAML the whole unrolled graph, alive at
once until its backward; for iMAML the larger of one inner step's graph (each is freed before
the next) and the CG's. λ = 10 keeps the inner problem strongly convex for this net (the
support Hessian's smallest eigenvalue at φ_T is about −7), as iMAML's derivation assumes.

    python benchmarks/meta_variants.py            # full run, writes benchmarks/results/
    python benchmarks/meta_variants.py --quick    # seconds; writes benchmarks/results/quick/
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import torch
from torch import Tensor, nn
from torch.func import functional_call

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import markdown_table, results_dir, write_results

from reference.maml import adapt
from reference.meta_variants import anil_adapt, imaml_meta_gradient
from reference.models import mlp_classifier, sinusoid_regressor
from reference.tasks import sample_digits_episode, sample_sinusoid_tasks

MSE = nn.MSELoss()
CE = nn.CrossEntropyLoss()
ADAPT = {"MAML": adapt, "ANIL": anil_adapt}


# --------------------------------------------------------------------------- part 1


def sinusoid_tasks(n: int, gen: torch.Generator) -> list[tuple[Tensor, ...]]:
    return sample_sinusoid_tasks(n, 10, 10, gen).tasks()


def digits_tasks(n: int, gen: torch.Generator, split: str = "train") -> list[tuple[Tensor, ...]]:
    seeds = torch.randint(0, 2**31 - 1, (n,), generator=gen).tolist()
    return [sample_digits_episode(split, 4, 5, 10, seed) for seed in seeds]


FAMILIES = {
    "sinusoid": {
        "model": sinusoid_regressor,
        "tasks": sinusoid_tasks,
        "loss": MSE,
        "inner_lr": 0.01,
        "inner_steps": 5,
        "meta_lr": 3e-3,
    },
    "digits 4-way 5-shot": {
        "model": lambda: mlp_classifier(64, 4, hidden=(64, 64)),
        "tasks": digits_tasks,
        "loss": CE,
        "inner_lr": 0.5,
        "inner_steps": 5,
        "meta_lr": 1e-3,
    },
}


def meta_train(method: str, family: str, iterations: int, meta_batch: int, seed: int):
    """Meta-train one model; returns it and the CPU seconds per meta-step."""
    spec = FAMILIES[family]
    torch.manual_seed(seed)
    model = spec["model"]()
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=spec["meta_lr"])
    gen = torch.Generator().manual_seed(seed)
    seconds = 0.0
    for it in range(iterations):
        for group in opt.param_groups:  # cosine decay to zero
            group["lr"] = spec["meta_lr"] * 0.5 * (1 + math.cos(math.pi * it / iterations))
        tasks = spec["tasks"](meta_batch, gen)
        start = time.process_time()
        loss = 0.0
        for x_s, y_s, x_q, y_q in tasks:
            fast = ADAPT[method](
                model, x_s, y_s, spec["loss"], spec["inner_lr"], spec["inner_steps"]
            )
            loss = loss + spec["loss"](functional_call(model, fast, (x_q,)), y_q) / len(tasks)
        grads = torch.autograd.grad(loss, params)
        for p, g in zip(params, grads, strict=True):
            p.grad = g
        opt.step()
        seconds += time.process_time() - start
    return model, seconds / iterations


def evaluate(method: str, family: str, model: nn.Module, n_tasks: int) -> dict[str, float]:
    """Held-out score before and after the training's number of inner steps."""
    spec = FAMILIES[family]
    gen = torch.Generator().manual_seed(10_000)
    if family == "sinusoid":
        tasks = sample_sinusoid_tasks(n_tasks, 10, 100, gen, query_grid=True).tasks()
    else:
        tasks = digits_tasks(n_tasks, gen, split="test")
    scores = {"0": 0.0, str(spec["inner_steps"]): 0.0}
    for x_s, y_s, x_q, y_q in tasks:
        for steps in scores:
            fast = ADAPT[method](model, x_s, y_s, spec["loss"], spec["inner_lr"], int(steps), True)
            with torch.no_grad():
                out = functional_call(model, fast, (x_q,))
            if family == "sinusoid":
                score = float(MSE(out, y_q))
            else:
                score = float((out.argmax(1) == y_q).float().mean())
            scores[steps] += score / len(tasks)
    return scores


# --------------------------------------------------------------------------- part 2


def tanh_net(width: int, seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(1, width), nn.Tanh(), nn.Linear(width, width), nn.Tanh(), nn.Linear(width, 1)
    )


def proximal_inner(model, x_s, y_s, lam, steps, lr, differentiable):
    """φ_T: ``steps`` of gradient descent on L_s(φ) + λ/2‖φ − θ‖² from φ_0 = θ."""
    theta = dict(model.named_parameters())
    phi = {n: p if differentiable else p.detach().requires_grad_() for n, p in theta.items()}
    for _ in range(steps):
        loss = MSE(functional_call(model, phi, (x_s,)), y_s)
        loss = loss + lam / 2 * sum(((phi[n] - theta[n]) ** 2).sum() for n in phi)
        grads = torch.autograd.grad(loss, list(phi.values()), create_graph=differentiable)
        phi = {n: p - lr * g for (n, p), g in zip(phi.items(), grads, strict=True)}
        if not differentiable:
            phi = {n: p.detach().requires_grad_() for n, p in phi.items()}
    return phi


def unrolled_meta_gradient(model, task, lam, steps, lr) -> list[Tensor]:
    x_s, y_s, x_q, y_q = task
    phi = proximal_inner(model, x_s, y_s, lam, steps, lr, differentiable=True)
    query = MSE(functional_call(model, phi, (x_q,)), y_q)
    return list(torch.autograd.grad(query, list(model.parameters())))


def implicit_meta_gradient(model, task, lam, steps, lr, cg_steps) -> list[Tensor]:
    x_s, y_s, x_q, y_q = task
    phi = proximal_inner(model, x_s, y_s, lam, steps, lr, differentiable=False)
    phi = {n: p.detach() for n, p in phi.items()}
    return list(imaml_meta_gradient(model, phi, x_s, y_s, x_q, y_q, MSE, lam, cg_steps).values())


def saved_bytes(fn) -> int:
    """Bytes of the distinct storages autograd saves for backward while ``fn`` runs."""
    seen: dict[int, int] = {}

    def pack(t: Tensor) -> Tensor:
        storage = t.untyped_storage()
        seen[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn()
    return sum(seen.values())


def flat(grads: list[Tensor]) -> Tensor:
    return torch.cat([g.reshape(-1) for g in grads])


def agreement(steps_grid, cg_grid, lam, lr) -> list[dict]:
    model = tanh_net(40, 0)
    task = sample_sinusoid_tasks(1, 10, 20, 1).tasks()[0]
    rows = []
    for steps in steps_grid:
        exact = flat(unrolled_meta_gradient(model, task, lam, steps, lr))
        for cg in cg_grid:
            got = flat(implicit_meta_gradient(model, task, lam, steps, lr, cg))
            rows.append({
                "inner_steps": steps,
                "cg_steps": cg,
                "cosine": float(torch.nn.functional.cosine_similarity(got, exact, dim=0)),
                "rel_error": float((got - exact).norm() / exact.norm()),
            })  # fmt: skip
    return rows


def memory(steps_grid, lam, lr, cg_steps, width) -> list[dict]:
    model = tanh_net(width, 1)
    task = sample_sinusoid_tasks(1, 10, 20, 2).tasks()[0]
    rows = []
    for steps in steps_grid:
        t0 = time.process_time()
        unrolled = saved_bytes(lambda s=steps: unrolled_meta_gradient(model, task, lam, s, lr))
        t1 = time.process_time()
        # iMAML's inner loop frees each step's graph before the next: its peak is one step's
        # graph, or the CG's (the support gradient's graph), whichever is larger.
        phi = proximal_inner(model, task[0], task[1], lam, steps, lr, differentiable=False)
        phi = {n: p.detach() for n, p in phi.items()}
        implicit = max(
            saved_bytes(lambda: proximal_inner(model, task[0], task[1], lam, 1, lr, False)),
            saved_bytes(lambda p=phi: imaml_meta_gradient(model, p, *task, MSE, lam, cg_steps)),
        )
        t2 = time.process_time()
        rows.append({
            "inner_steps": steps,
            "maml_saved_mb": unrolled / 2**20,
            "imaml_saved_mb": implicit / 2**20,
            "maml_cpu_s": t1 - t0,
            "imaml_cpu_s": t2 - t1,
        })  # fmt: skip
    return rows


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations (CI)")
    parser.add_argument("--iterations", type=int, help="meta-iterations (default 500; quick 5)")
    parser.add_argument("--meta-batch", type=int, default=8, help="tasks per meta-iteration")
    parser.add_argument("--tasks", type=int, help="held-out tasks (default 200; quick 10)")
    parser.add_argument("--out", help="results folder (default benchmarks/results[/quick])")
    args = parser.parse_args()
    torch.set_num_threads(1)
    iterations = args.iterations or (5 if args.quick else 500)
    n_eval = args.tasks or (10 if args.quick else 200)

    anil_rows = []
    for family, spec in FAMILIES.items():
        for method in ("MAML", "ANIL"):
            model, step_s = meta_train(method, family, iterations, args.meta_batch, seed=0)
            scores = evaluate(method, family, model, n_eval)
            anil_rows.append({
                "family": family, "method": method, "before": scores["0"],
                "after": scores[str(spec["inner_steps"])], "meta_step_ms": 1000 * step_s,
            })  # fmt: skip
    step_ms = {(r["family"], r["method"]): r["meta_step_ms"] for r in anil_rows}
    ratios = {f: step_ms[f, "MAML"] / step_ms[f, "ANIL"] for f in FAMILIES}

    lam, lr = 10.0, 0.02
    steps_grid = (5, 50, 200) if args.quick else (5, 20, 50, 100, 200, 400)
    cg_grid = (1, 5, 20) if args.quick else (1, 2, 5, 10, 20)
    agree_rows = agreement(steps_grid, cg_grid, lam, lr)
    memory_grid = (1, 5, 10) if args.quick else (1, 5, 10, 25, 50, 100)
    memory_rows = memory(memory_grid, lam, lr, cg_steps=10, width=64 if args.quick else 256)

    metric = {"sinusoid": "query MSE", "digits 4-way 5-shot": "query accuracy %"}
    table1 = markdown_table(
        ["family", "method", "score, no adaptation", "score after 5 steps", "CPU ms / meta-step"],
        [
            [
                f"{r['family']} ({metric[r['family']]})",
                r["method"],
                f"{r['before'] * (100 if 'digits' in r['family'] else 1):.3g}",
                f"{r['after'] * (100 if 'digits' in r['family'] else 1):.3g}",
                f"{r['meta_step_ms']:.1f}",
            ]
            for r in anil_rows
        ],
    )
    table2 = markdown_table(
        ["inner steps T", "CG steps", "cosine(iMAML, MAML)", "relative error"],
        [
            [r["inner_steps"], r["cg_steps"], f"{r['cosine']:.4f}", f"{r['rel_error']:.2e}"]
            for r in agree_rows
        ],
    )
    table3 = markdown_table(
        ["inner steps T", "MAML saved MB", "iMAML saved MB", "MAML CPU s", "iMAML CPU s"],
        [
            [
                r["inner_steps"],
                f"{r['maml_saved_mb']:.2f}",
                f"{r['imaml_saved_mb']:.2f}",
                f"{r['maml_cpu_s']:.3f}",
                f"{r['imaml_cpu_s']:.3f}",
            ]
            for r in memory_rows
        ],
    )
    ratio_line = ", ".join(f"{f}: {v:.2f}x" for f, v in ratios.items())
    markdown = (
        f"### ANIL vs MAML ({iterations} meta-iterations of {args.meta_batch} tasks, "
        f"{n_eval} held-out tasks)\n\n{table1}\nMAML / ANIL CPU time per meta-step: "
        f"{ratio_line}.\n\n### iMAML vs MAML meta-gradient (λ = {lam}, inner lr {lr})\n\n"
        f"{table2}\n### Memory autograd saves for one meta-gradient (CG steps 10)\n\n{table3}"
    )
    print(markdown)
    out = results_dir(args.out, quick=args.quick)
    config = {
        "iterations": iterations,
        "meta_batch": args.meta_batch,
        "eval_tasks": n_eval,
        "lam": lam,
        "inner_lr_proximal": lr,
        "families": {f: {k: v for k, v in s.items() if k in ("inner_lr", "inner_steps", "meta_lr")}
                     for f, s in FAMILIES.items()},
    }  # fmt: skip
    data = {
        "quick": args.quick,
        "config": config,
        "anil": anil_rows,
        "time_ratio_maml_over_anil": ratios,
        "agreement": agree_rows,
        "memory": memory_rows,
    }
    write_results(out, "meta_variants", data, markdown)


if __name__ == "__main__":
    main()
