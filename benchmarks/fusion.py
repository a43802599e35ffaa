"""Model fusion on digits (the project's split): soups, ensembles, task arithmetic, Fisher merging.

A 64-128-128-10 MLP is "pretrained" briefly on the training split (a weak generalist). Then:

1. Soups (Wortsman et al. 2022): 8 fine-tunes from that one initialisation with different
   learning rates, weight decay, input noise and batch orders. Best individual (chosen on
   validation) vs uniform soup vs greedy soup (selected on validation) vs logit ensemble, on
   test, averaged over 3 pretrained seeds. Against them: the uniform average of 5
   independently initialised models.
2. Task arithmetic (Ilharco et al. 2023): fine-tune on digits 0-4 only (task A) and on 5-9 only
   (task B); θ_pre + λ(τ_A + τ_B) with λ chosen on validation, and negation θ_pre − λτ_A.
3. Fisher merging (Matena & Raffel 2022) of the two task models, and of the soup ingredients,
   vs the plain average.

    python benchmarks/fusion.py            # about a minute; writes benchmarks/results/
    python benchmarks/fusion.py --quick    # seconds; writes benchmarks/results/quick/
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
from torch import Tensor, nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import markdown_table, results_dir, write_results

from reference.data import accuracy, digits_split, make_mlp, train_classifier
from reference.fuse import (
    apply_task_vectors,
    average_state_dicts,
    diagonal_fisher,
    fisher_merge,
    greedy_soup,
    logit_ensemble,
    task_vector,
)

HIDDEN = (128, 128)
# (learning rate, weight decay, input noise, batch-order seed) of each soup ingredient. A first
# grid that also held lr 1e-2 and 3e-4 fine-tunes gave a greedy soup below the best individual
# (95.5% vs 96.7% on one seed): ingredients that leave the shared basin or barely move from the
# pretrained weights spoil the average, as Wortsman et al. note for large learning rates.
RECIPES = [
    (1e-3, 0.0, 0.0, 1),
    (1e-3, 0.0, 0.0, 2),
    (1e-3, 1e-4, 0.1, 3),
    (1e-3, 0.0, 0.05, 4),
    (3e-3, 0.0, 0.0, 5),
    (3e-3, 1e-4, 0.1, 6),
    (1e-3, 0.0, 0.2, 7),
    (3e-3, 0.0, 0.05, 8),
]
LAMBDAS = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5]


def loaded(state: dict[str, Tensor]) -> nn.Module:
    """A fresh model of the benchmark's shape holding ``state``."""
    model = make_mlp(HIDDEN, 0)
    model.load_state_dict(state)
    return model.eval()


def acc(state: dict[str, Tensor], x: Tensor, y: Tensor) -> float:
    return accuracy(loaded(state), x, y)


def state_of(model: nn.Module) -> dict[str, Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def pretrain(split, seed: int) -> dict[str, Tensor]:
    """The shared initialisation: two epochs on the training split, a weak generalist."""
    base = make_mlp(HIDDEN, seed)
    train_classifier(base, split.x_train, split.y_train, epochs=2, lr=1e-3, seed=seed)
    return state_of(base)


def soups(split, pretrained: dict[str, Tensor], epochs: int, quick: bool, offset: int = 0):
    """Fine-tune the ingredients and score every way of combining them (test accuracy)."""
    recipes = RECIPES[:4] if quick else RECIPES
    ingredients = []
    for lr, wd, noise, seed in recipes:
        model = loaded(pretrained)
        train_classifier(
            model,
            split.x_train,
            split.y_train,
            epochs=epochs,
            lr=lr,
            weight_decay=wd,
            input_noise=noise,
            seed=seed + offset,
        )
        ingredients.append(state_of(model))
    val = [acc(s, split.x_val, split.y_val) for s in ingredients]
    test = [acc(s, split.x_test, split.y_test) for s in ingredients]
    best = max(range(len(val)), key=lambda i: val[i])
    greedy = greedy_soup(loaded(pretrained), ingredients, split.x_val, split.y_val)
    models = [loaded(s) for s in ingredients]
    ens = logit_ensemble(models, split.x_test).argmax(-1)
    fishers = [diagonal_fisher(m, split.x_train, split.y_train) for m in models]
    rows = {
        "pretrained (shared initialisation)": acc(pretrained, split.x_test, split.y_test),
        "best individual (chosen on validation)": test[best],
        "best individual (oracle, on test)": max(test),
        "uniform soup": acc(average_state_dicts(ingredients), split.x_test, split.y_test),
        "greedy soup": acc(greedy, split.x_test, split.y_test),
        "Fisher-merged soup (empirical Fisher)": acc(
            fisher_merge(ingredients, fishers), split.x_test, split.y_test
        ),
        f"logit ensemble ({len(models)} forward passes)": float(
            (ens == split.y_test).float().mean()
        ),
    }
    detail = {"recipes": recipes, "val": val, "test": test}
    return rows, detail


def independent_average(split, epochs: int, n: int) -> dict:
    """Models trained from different random initialisations, then weight-averaged."""
    states = []
    for seed in range(n):
        model = make_mlp(HIDDEN, 100 + seed)
        train_classifier(model, split.x_train, split.y_train, epochs=epochs, seed=100 + seed)
        states.append(state_of(model))
    individual = [acc(s, split.x_test, split.y_test) for s in states]
    ens = logit_ensemble([loaded(s) for s in states], split.x_test).argmax(-1)
    return {
        "individual_mean": sum(individual) / n,
        "weight_average": acc(average_state_dicts(states), split.x_test, split.y_test),
        "logit_ensemble": float((ens == split.y_test).float().mean()),
    }


def task_arithmetic(split, pretrained: dict[str, Tensor], epochs: int) -> dict:
    """Task A = digits 0-4, task B = 5-9: fine-tune on each, add, negate, Fisher-merge."""

    def task(x: Tensor, y: Tensor, b: bool) -> tuple[Tensor, Tensor]:
        keep = (y >= 5) if b else (y < 5)
        return x[keep], y[keep]

    fine = {}
    for name, b in (("A", False), ("B", True)):
        model = loaded(pretrained)
        train_classifier(model, *task(split.x_train, split.y_train, b), epochs=epochs, seed=11)
        fine[name] = state_of(model)
    tau = {k: task_vector(pretrained, s) for k, s in fine.items()}

    def scores(state: dict[str, Tensor], x: Tensor, y: Tensor) -> dict[str, float]:
        return {
            "A (0-4)": acc(state, *task(x, y, False)),
            "B (5-9)": acc(state, *task(x, y, True)),
            "all": acc(state, x, y),
        }

    lam = max(
        LAMBDAS,
        key=lambda s: acc(
            apply_task_vectors(pretrained, list(tau.values()), s), split.x_val, split.y_val
        ),
    )
    neg = max(
        LAMBDAS,
        key=lambda s: (
            acc(
                apply_task_vectors(pretrained, [tau["A"]], -s),
                *task(split.x_val, split.y_val, True),
            )
            - acc(
                apply_task_vectors(pretrained, [tau["A"]], -s),
                *task(split.x_val, split.y_val, False),
            )
        ),
    )
    pairs = (("A", False), ("B", True))
    empirical = [
        diagonal_fisher(loaded(fine[k]), *task(split.x_train, split.y_train, b)) for k, b in pairs
    ]
    expected = [
        diagonal_fisher(loaded(fine[k]), task(split.x_train, split.y_train, b)[0]) for k, b in pairs
    ]
    x, y = split.x_test, split.y_test
    rows = {
        "pretrained": scores(pretrained, x, y),
        "fine-tuned on A": scores(fine["A"], x, y),
        "fine-tuned on B": scores(fine["B"], x, y),
        f"pre + {lam:g}·(τ_A + τ_B)": scores(
            apply_task_vectors(pretrained, list(tau.values()), lam), x, y
        ),
        "plain average of the two (= pre + 0.5·(τ_A + τ_B))": scores(
            average_state_dicts(list(fine.values())), x, y
        ),
        "Fisher merge of the two (empirical Fisher)": scores(
            fisher_merge(list(fine.values()), empirical), x, y
        ),
        "Fisher merge of the two (model's Fisher, y drawn from the model)": scores(
            fisher_merge(list(fine.values()), expected), x, y
        ),
        f"negation: pre − {neg:g}·τ_A": scores(
            apply_task_vectors(pretrained, [tau["A"]], -neg), x, y
        ),
    }
    return {
        "lambda": lam,
        "negation_lambda": neg,
        "rows": rows,
        "lambda_curve": {
            s: scores(apply_task_vectors(pretrained, list(tau.values()), s), x, y)
            for s in [0.0, *LAMBDAS]
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter fine-tunes (CI)")
    parser.add_argument("--out", help="results folder (default benchmarks/results[/quick])")
    args = parser.parse_args()
    torch.set_num_threads(1)
    epochs = 3 if args.quick else 20
    split = digits_split()
    start = time.perf_counter()

    pretrained = pretrain(split, 0)
    per_seed = []
    for seed in range(1 if args.quick else 3):  # one pretrained model per seed
        rows, detail = soups(split, pretrain(split, seed), epochs, args.quick, offset=100 * seed)
        per_seed.append({"rows": rows, "ingredients": detail})
    soup_rows = {
        k: sum(p["rows"][k] for p in per_seed) / len(per_seed) for k in per_seed[0]["rows"]
    }
    greedy_wins = sum(
        p["rows"]["greedy soup"] >= p["rows"]["best individual (chosen on validation)"]
        for p in per_seed
    )
    independent = independent_average(split, epochs, 3 if args.quick else 5)
    ta = task_arithmetic(split, pretrained, epochs)

    soup_table = markdown_table(
        [f"method (test accuracy %, mean of {len(per_seed)} pretrained seeds)", "accuracy"],
        [[k, f"{100 * v:.1f}"] for k, v in soup_rows.items()]
        + [
            ["independent inits: mean individual", f"{100 * independent['individual_mean']:.1f}"],
            ["independent inits: weight average", f"{100 * independent['weight_average']:.1f}"],
            ["independent inits: logit ensemble", f"{100 * independent['logit_ensemble']:.1f}"],
        ],
    )
    ta_table = markdown_table(
        ["model", "test acc. on 0-4 %", "on 5-9 %", "on all %"],
        [[k, *(f"{100 * v:.1f}" for v in r.values())] for k, r in ta["rows"].items()],
    )
    best_ind = soup_rows["best individual (chosen on validation)"]
    greedy = soup_rows["greedy soup"]
    uniform_avg = independent["weight_average"]
    rows = list(ta["rows"].values())
    added, plain, fisher, fisher_model = (rows[i]["all"] for i in (3, 4, 5, 6))
    pre_all = rows[0]["all"]
    findings = [
        f"{'HELD' if greedy >= best_ind else 'DID NOT HOLD'} (Wortsman et al.): the greedy soup "
        f"is at least as accurate as the best individual on held-out data "
        f"({100 * greedy:.1f}% vs {100 * best_ind:.1f}% on average; greedy ≥ best on "
        f"{greedy_wins} of {len(per_seed)} seeds).",
        f"{'HELD' if uniform_avg < 0.5 else 'DID NOT HOLD'}: averaging independently initialised "
        f"models collapses toward chance ({100 * uniform_avg:.1f}%, chance 10%, while each scores "
        f"{100 * independent['individual_mean']:.1f}% on average).",
        f"{'HELD' if added > max(pre_all, rows[1]['all'], rows[2]['all']) else 'DID NOT HOLD'}: "
        f"adding the two task vectors gives one model better on all digits than the pretrained "
        f"model and either task model ({100 * added:.1f}% vs {100 * pre_all:.1f}%, "
        f"{100 * rows[1]['all']:.1f}%, {100 * rows[2]['all']:.1f}%).",
        f"{'HELD' if rows[7]['A (0-4)'] < rows[0]['A (0-4)'] else 'DID NOT HOLD'}: negating τ_A "
        f"lowers accuracy on 0-4 ({100 * rows[0]['A (0-4)']:.1f}% → "
        f"{100 * rows[7]['A (0-4)']:.1f}%) while 5-9 goes {100 * rows[0]['B (5-9)']:.1f}% → "
        f"{100 * rows[7]['B (5-9)']:.1f}%.",
        f"{'HELD' if max(fisher, fisher_model) >= plain else 'DID NOT HOLD'}: Fisher merging of "
        f"the two task models is at least as accurate as the plain average (empirical Fisher "
        f"{100 * fisher:.1f}%, model's Fisher {100 * fisher_model:.1f}%, plain average "
        f"{100 * plain:.1f}%).",
    ]
    md = (
        f"# Model fusion on digits (64-128-128-10 MLP)\n\n## Soups and ensembles\n\n{soup_table}"
        f"\n## Task arithmetic and Fisher merging (task A = digits 0-4, B = 5-9)\n\n{ta_table}\n"
        + "".join(f"- {f}\n" for f in findings)
    )
    print(md)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    labels = [*list(soup_rows), "independent inits: weight average"]
    values = [100 * v for v in soup_rows.values()] + [100 * uniform_avg]
    ax1.barh(range(len(values)), values, color=["C0"] * len(soup_rows) + ["C3"])
    ax1.set_yticks(range(len(values)), labels, fontsize=8)
    ax1.invert_yaxis()
    ax1.set_xlabel("test accuracy (%)")
    ax1.set_title("soups and ensembles")
    lams = list(ta["lambda_curve"])
    for key in ("A (0-4)", "B (5-9)", "all"):
        ax2.plot(lams, [100 * ta["lambda_curve"][s][key] for s in lams], marker="o", label=key)
    ax2.set_xlabel("λ in θ_pre + λ(τ_A + τ_B)")
    ax2.set_ylabel("test accuracy (%)")
    ax2.set_title("task arithmetic")
    ax2.legend(fontsize=8)

    data = {
        "config": {"hidden": HIDDEN, "epochs": epochs, "quick": args.quick},
        "soups": soup_rows,
        "soups_per_seed": per_seed,
        "independent_inits": independent,
        "task_arithmetic": ta,
        "findings": findings,
        "seconds": time.perf_counter() - start,
    }
    for path in write_results(results_dir(args.out, args.quick), "fusion", data, md, {"": fig}):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
