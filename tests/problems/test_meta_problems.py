"""Checks of the meta-learning problems' own grading code, independent of the judge.

`judge check-problems` proves that each folder's tests accept the solution and the
alternatives and reject every known mistake; these tests prove the graders' helpers
themselves: the sinusoid problem's batched evaluator against a plain per-task loop with
nn.Module and torch.optim.SGD, and the episode sampler's statistical tests against the
samplers they must accept and reject.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
import torch
from torch import nn

PROBLEMS = Path(__file__).resolve().parents[2] / "problems"
META = [
    "maml-adapt",
    "maml-meta-gradient",
    "reptile-step",
    "meta-sgd-adapt",
    "episode-sampler",
    "prototypical-logits",
    "maml-sinusoid",
]


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_meta_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("slug", META)
def test_folder_has_enough_tests_mistakes_and_alternatives(slug: str) -> None:
    folder = PROBLEMS / slug
    hidden = (folder / "hidden_tests.py").read_text(encoding="utf-8")
    assert hidden.count("\ndef test_") >= 8, f"{slug}: fewer than 8 hidden tests"
    assert list((folder / "alternatives").glob("*.py")), f"{slug}: no alternative solution"
    assert len(list((folder / "mistakes").glob("*.py"))) >= 3, f"{slug}: fewer than 3 mistakes"
    for name in ("prompt.zh.md", "editorial.zh.md"):
        text = (folder / name).read_text(encoding="utf-8")
        assert sum("\u4e00" <= ch <= "\u9fff" for ch in text) > 100, f"{slug}/{name}: not Chinese"


def test_sinusoid_evaluator_matches_a_plain_loop() -> None:
    grader = load(PROBLEMS / "maml-sinusoid" / "hidden_tests.py")
    torch.manual_seed(0)
    model = grader.architecture()
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    tasks = grader.held_out_tasks(seed=5, n=4)
    got = grader.adapted_mse(state, steps=(0, 1, 3), tasks=tasks)
    want = {0: 0.0, 1: 0.0, 3: 0.0}
    for x_s, y_s, x_q, y_q in zip(*tasks, strict=True):
        net = grader.architecture()
        net.load_state_dict(state)
        for step in range(4):
            if step in want:
                with torch.no_grad():
                    want[step] += float(nn.functional.mse_loss(net(x_q), y_q)) / 4
            grads = torch.autograd.grad(nn.functional.mse_loss(net(x_s), y_s), net.parameters())
            with torch.no_grad():
                for p, g in zip(net.parameters(), grads, strict=True):
                    p -= grader.INNER_LR * g
    for step in want:
        assert got[step] == pytest.approx(want[step], rel=1e-4)


def test_sinusoid_bar_is_below_the_baseline() -> None:
    grader = load(PROBLEMS / "maml-sinusoid" / "hidden_tests.py")
    assert grader.BAR[1] < grader.BAR[1] / grader.VS_BASELINE  # sanity of the constants
    zero = grader.zero_predictor_mse()
    assert 4.0 < zero < 4.6  # E[A²]/2 with A ~ U[0.1, 5]: about 4.2


def _class_chi2(sample_episode) -> float:
    sizes = {10: 5, 11: 6, 12: 8, 13: 10, 14: 15, 15: 20, 16: 30, 17: 40}
    labels = torch.tensor([c for c, n in sizes.items() for _ in range(n)])
    drawn = Counter()
    for seed in range(120):
        s_idx, *_ = sample_episode(labels, 4, 2, 3, seed)
        drawn.update(set(labels[s_idx].tolist()))
    expected = 120 * 4 / len(sizes)
    return sum((drawn[c] - expected) ** 2 / expected for c in sizes)


def test_episode_chi_square_separates_uniform_from_frequency_weighted() -> None:
    folder = PROBLEMS / "episode-sampler"
    for path in [folder / "solution.py", *sorted((folder / "alternatives").glob("*.py"))]:
        assert _class_chi2(load(path).sample_episode) < 29.88, path.name
    weighted = load(folder / "mistakes" / "frequency_weighted.py").sample_episode
    assert _class_chi2(weighted) > 29.88
