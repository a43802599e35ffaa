"""Hidden tests for maml-sinusoid: the submission meta-trains once (BUDGET_S seconds, in
the sandbox); its state dict is loaded here into the exact architecture and evaluated on
held-out tasks, against a fixed bar and against a jointly pretrained baseline trained here.

Thresholds (see editorial.md, "How the bar was set"): the reference solution's MSE over
several seeds, measured at the full budget and at half of it on a loaded 2-core machine;
the bars leave a margin above its worst half-budget result.
"""

from contextlib import contextmanager
from functools import lru_cache

import torch
from torch import nn

from judge.testing import TestFailed, expect, points

SEED, BUDGET_S = 2024, 60.0
INNER_LR, K_SUPPORT, GRID, N_TASKS, EVAL_SEED = 0.01, 10, 100, 300, 987654
BAR = {1: 1.5, 10: 0.8}  # MSE after 1 and 10 steps the submission must stay below
VS_BASELINE = 0.6  # ... and below this fraction of the pretrained baseline's MSE


def architecture() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU(), nn.Linear(40, 1)
    )


def held_out_tasks(seed=EVAL_SEED, n=N_TASKS):
    """y = A sin(x − φ): K support points at random, the query a grid over [−5, 5]."""
    gen = torch.Generator().manual_seed(seed)
    amp = 0.1 + 4.9 * torch.rand(n, 1, 1, generator=gen)
    phase = torch.pi * torch.rand(n, 1, 1, generator=gen)
    x_s = -5 + 10 * torch.rand(n, K_SUPPORT, 1, generator=gen)
    x_q = torch.linspace(-5, 5, GRID).view(1, GRID, 1).expand(n, GRID, 1)
    return x_s, amp * torch.sin(x_s - phase), x_q, amp * torch.sin(x_q - phase)


@contextmanager
def one_thread():
    """Evaluate on one thread: on a busy 2-core machine two OpenMP threads run 10x slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _forward(w, x):
    """The 1-40-40-1 ReLU MLP with per-task weights w[i]: [T, out, in], b[i]: [T, out]."""
    h = x
    for i, (weight, bias) in enumerate(w):
        h = torch.baddbmm(bias.unsqueeze(1), h, weight.transpose(1, 2))
        if i < len(w) - 1:
            h = torch.relu(h)
    return h


def adapted_mse(state: dict, steps=(0, 1, 10), tasks=None) -> dict[int, float]:
    """Mean query MSE over the held-out tasks after 0, 1 and 10 SGD steps of lr 0.01."""
    with one_thread():
        return _adapted_mse(state, steps, tasks)


def _adapted_mse(state, steps, tasks):
    x_s, y_s, x_q, y_q = tasks or held_out_tasks()
    n = len(x_s)
    w = [
        (state[f"{i}.weight"].expand(n, -1, -1).clone().requires_grad_(),
         state[f"{i}.bias"].expand(n, -1).clone().requires_grad_())
        for i in (0, 2, 4)
    ]  # fmt: skip
    out = {}
    for step in range(max(steps) + 1):
        if step in steps:
            with torch.no_grad():
                out[step] = float((_forward(w, x_q) - y_q).square().mean())
        if step == max(steps):
            break
        loss = (_forward(w, x_s) - y_s).square().mean((1, 2)).sum()  # per-task MSE, summed
        flat = [t for pair in w for t in pair]
        grads = iter(torch.autograd.grad(loss, flat))
        with torch.no_grad():
            w = [tuple((t - INNER_LR * next(grads)).requires_grad_() for t in pair) for pair in w]
    return out


@lru_cache(maxsize=1)
def baseline_mse() -> dict[int, float]:
    """The same network trained jointly on all tasks (no meta-learning), then adapted alike."""
    with one_thread():
        return adapted_mse(_pretrained_baseline())


def _pretrained_baseline() -> dict:
    torch.manual_seed(0)
    model = architecture()
    gen = torch.Generator().manual_seed(1)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(600):  # converged: more steps change its adapted MSE by < 0.1
        amp = 0.1 + 4.9 * torch.rand(50, 1, generator=gen)
        phase = torch.pi * torch.rand(50, 1, generator=gen)
        x = -5 + 10 * torch.rand(50, 10, generator=gen)
        pred = model(x.unsqueeze(-1)).squeeze(-1)
        loss = (pred - amp * torch.sin(x - phase)).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return {k: v.detach() for k, v in model.state_dict().items()}


def trained(candidate, mistakes) -> dict[str, float]:
    """Meta-train once per graded submission; check the architecture; evaluate."""
    cached = getattr(candidate, "_sinusoid_eval", None)
    if cached is not None:
        return cached
    state = candidate.meta_train(SEED, BUDGET_S)
    model = architecture()
    try:
        expect(isinstance(state, dict), "meta_train must return the nn.Module")
        model.load_state_dict(state, strict=True)
    except (RuntimeError, TypeError, KeyError) as exc:
        raise TestFailed(
            f"the returned model is not nn.Sequential(Linear(1, 40), ReLU(), Linear(40, 40), "
            f"ReLU(), Linear(40, 1)): {exc}",
            mistakes.hint("wrong_architecture"),
        ) from None
    state = {k: v.detach().float() for k, v in model.state_dict().items()}
    expect(all(torch.isfinite(v).all() for v in state.values()), "the weights hold NaN or inf")
    result = adapted_mse(state)
    candidate._sinusoid_eval = result
    return result


@lru_cache(maxsize=1)
def zero_predictor_mse() -> float:
    zeros = {k: torch.zeros_like(v) for k, v in architecture().state_dict().items()}
    return adapted_mse(zeros, steps=(0,))[0]


def below_bar(candidate, mistakes, steps: int) -> None:
    mse = trained(candidate, mistakes)
    if mse[steps] < BAR[steps]:
        return
    untrained = mse[0] > 0.9 * zero_predictor_mse()
    raise TestFailed(
        f"query MSE after {steps} step(s) is {mse[steps]:.3f}; the bar is {BAR[steps]} "
        f"(before adaptation: {mse[0]:.3f})",
        mistakes.hint("untrained" if untrained else "joint_pretraining"),
    )


def beats_baseline(candidate, mistakes, steps: int) -> None:
    mse, base = trained(candidate, mistakes), baseline_mse()
    expect(
        mse[steps] < VS_BASELINE * base[steps],
        f"query MSE after {steps} step(s) is {mse[steps]:.3f}; the jointly pretrained baseline "
        f"gets {base[steps]:.3f}, and the bar is {VS_BASELINE} × that = "
        f"{VS_BASELINE * base[steps]:.3f}",
        mistakes.hint("joint_pretraining"),
    )


@points(5)
def test_architecture(candidate, mistakes):
    trained(candidate, mistakes)


@points(5)
def test_adapted_predictions_are_finite(candidate, mistakes):
    mse = trained(candidate, mistakes)
    bad = {k: v for k, v in mse.items() if not v < float("inf")}
    expect(not bad, f"the query MSE is not finite after {sorted(bad)} step(s): {bad}")


@points(25)
def test_one_step_below_the_bar(candidate, mistakes):
    below_bar(candidate, mistakes, 1)


@points(20)
def test_ten_steps_below_the_bar(candidate, mistakes):
    below_bar(candidate, mistakes, 10)


@points(20)
def test_one_step_beats_pretrained_baseline(candidate, mistakes):
    beats_baseline(candidate, mistakes, 1)


@points(15)
def test_ten_steps_beat_pretrained_baseline(candidate, mistakes):
    beats_baseline(candidate, mistakes, 10)


@points(5)
def test_more_steps_do_not_hurt(candidate, mistakes):
    mse = trained(candidate, mistakes)
    expect(
        mse[10] <= mse[1] * 1.05,
        f"ten steps should not do worse than one: {mse[1]:.3f} after one, {mse[10]:.3f} after ten",
        mistakes.hint("untrained" if mse[0] > 0.9 * zero_predictor_mse() else "joint_pretraining"),
    )


@points(5)
def test_adaptation_helps(candidate, mistakes):
    mse = trained(candidate, mistakes)
    expect(
        mse[10] < 0.5 * mse[0],
        f"ten steps of adaptation should at least halve the query MSE: {mse[0]:.3f} before, "
        f"{mse[10]:.3f} after",
        mistakes.hint("untrained" if mse[0] > 0.9 * zero_predictor_mse() else "joint_pretraining"),
    )
