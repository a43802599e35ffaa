"""Model fusion: averaging properties and errors, greedy soup on a hand-built case, task
arithmetic round trip, Fisher merging, and the Fisher estimator against a plain loop."""

import copy

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from reference.fuse import (
    apply_task_vectors,
    average_state_dicts,
    diagonal_fisher,
    fisher_merge,
    greedy_soup,
    logit_ensemble,
    probability_ensemble,
    task_vector,
    uniform_soup,
)

torch.set_num_threads(1)


def net_state(seed: int, dtype=torch.float32) -> dict:
    """A state dict with BatchNorm buffers, so num_batches_tracked (int64) is present."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2)).to(dtype)
    model(torch.randn(5, 3, dtype=dtype))  # moves the running stats and the batch counter
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


@settings(max_examples=25, deadline=None)
@given(
    k=st.integers(1, 5),
    seed=st.integers(0, 1000),
    dtype=st.sampled_from([torch.float32, torch.float64, torch.float16]),
)
def test_average_of_copies_is_the_original(k, seed, dtype):
    sd = net_state(seed, dtype)
    avg = average_state_dicts([copy.deepcopy(sd) for _ in range(k)])
    assert set(avg) == set(sd)
    for key, v in sd.items():
        assert avg[key].dtype == v.dtype
        if v.dtype == torch.float64:  # the float64 sum itself rounds
            torch.testing.assert_close(avg[key], v, rtol=1e-15, atol=1e-15)
        else:  # summed in float64, so exact after casting back
            assert torch.equal(avg[key], v)


@settings(max_examples=25, deadline=None)
@given(seeds=st.lists(st.integers(0, 1000), min_size=2, max_size=5), data=st.data())
def test_average_is_invariant_to_order(seeds, data):
    sds = [net_state(s) for s in seeds]
    weights = [data.draw(st.floats(0.1, 5.0)) for _ in sds]
    perm = data.draw(st.permutations(range(len(sds))))
    a = average_state_dicts(sds, weights)
    b = average_state_dicts([sds[i] for i in perm], [weights[i] for i in perm])
    for key in a:
        if key.endswith("num_batches_tracked"):
            assert a[key].dtype == torch.int64
        else:
            torch.testing.assert_close(a[key], b[key])


def test_weighted_average_by_hand():
    a = {"w": torch.tensor([0.0, 4.0]), "n": torch.tensor(7)}
    b = {"w": torch.tensor([2.0, 8.0]), "n": torch.tensor(9)}
    avg = average_state_dicts([a, b], weights=[3, 1])
    torch.testing.assert_close(avg["w"], torch.tensor([0.5, 5.0]))
    assert avg["n"].dtype == torch.int64 and int(avg["n"]) == 7
    torch.testing.assert_close(uniform_soup([a, b])["w"], torch.tensor([1.0, 6.0]))


@pytest.mark.parametrize(
    "state_dicts, weights",
    [
        ([], None),
        ([{"w": torch.zeros(2)}, {"v": torch.zeros(2)}], None),
        ([{"w": torch.zeros(2)}, {"w": torch.zeros(3)}], None),
        ([{"w": torch.zeros(2)}, {"w": torch.zeros(2)}], [1.0]),
        ([{"w": torch.zeros(2)}, {"w": torch.zeros(2)}], [1.0, -0.5]),
        ([{"w": torch.zeros(2)}, {"w": torch.zeros(2)}], [0.0, 0.0]),
    ],
    ids=["empty", "keys", "shapes", "n-weights", "negative", "zero-sum"],
)
def test_average_rejects_bad_input(state_dicts, weights):
    with pytest.raises(ValueError):
        average_state_dicts(state_dicts, weights)


def test_greedy_soup_on_a_hand_built_case():
    """Label = argmax(x). W = I and 2I classify perfectly, -3I perfectly wrongly; averaging all
    three gives W = 0, whose argmax is always class 0. Greedy keeps I and 2I only."""
    model = nn.Linear(2, 2, bias=False)
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [0.5, 3.0]])
    y = x.argmax(dim=1)
    eye = torch.eye(2)
    ingredients = [{"weight": -3 * eye}, {"weight": eye}, {"weight": 2 * eye}]
    before = copy.deepcopy(model.state_dict())
    model.train()
    soup = greedy_soup(model, ingredients, x, y)
    torch.testing.assert_close(soup["weight"], 1.5 * eye)
    torch.testing.assert_close(uniform_soup(ingredients)["weight"], torch.zeros(2, 2))
    assert torch.equal(model.weight, before["weight"]) and model.training


def test_greedy_soup_ties_keep_list_order_and_equal_scores_join():
    """a and b each get 2 of 3 points right, their average only 1: whichever is listed first
    seeds the soup and the other stays out. c = 2a scores as a does, and so does the average
    of a and c, which therefore joins (the rule is "at least as accurate")."""
    model = nn.Linear(2, 2, bias=False)
    x = torch.tensor([[1.0, 1.0], [1.0, -3.0], [-3.0, 1.0]])
    y = torch.tensor([0, 0, 0])
    a = {"weight": torch.tensor([[1.0, 0.0], [0.0, 0.0]])}
    b = {"weight": torch.tensor([[0.0, 1.0], [0.0, 0.0]])}
    c = {"weight": 2 * a["weight"]}
    assert torch.equal(greedy_soup(model, [a, b], x, y)["weight"], a["weight"])
    assert torch.equal(greedy_soup(model, [b, a], x, y)["weight"], b["weight"])
    torch.testing.assert_close(greedy_soup(model, [a, b, c], x, y)["weight"], 1.5 * a["weight"])


def test_ensembles():
    torch.manual_seed(0)
    models = [nn.Linear(3, 4) for _ in range(3)]
    x = torch.randn(6, 3)
    with torch.no_grad():
        logits = torch.stack([m(x) for m in models])
    torch.testing.assert_close(logit_ensemble(models, x), logits.mean(0))
    torch.testing.assert_close(probability_ensemble(models, x), logits.softmax(-1).mean(0))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), scale=st.floats(-2.0, 2.0))
def test_task_vector_round_trip(seed, scale):
    pre, ft = net_state(seed), net_state(seed + 1)
    tau = task_vector(pre, ft)
    assert "1.num_batches_tracked" not in tau
    back = apply_task_vectors(pre, [tau], 1.0)
    for k, v in ft.items():
        if v.is_floating_point():
            torch.testing.assert_close(back[k], v)
        else:
            assert torch.equal(back[k], pre[k])
    scaled = apply_task_vectors(pre, [tau, tau], scale)
    torch.testing.assert_close(scaled["0.weight"], pre["0.weight"] + 2 * scale * tau["0.weight"])


def test_apply_task_vectors_rejects_mismatched_vector():
    pre = net_state(0)
    with pytest.raises(ValueError):
        apply_task_vectors(pre, [{"0.weight": torch.zeros(4, 3)}], 1.0)


@settings(max_examples=20, deadline=None)
@given(seeds=st.lists(st.integers(0, 1000), min_size=1, max_size=4), c=st.floats(1e-3, 1e3))
def test_fisher_merge_with_equal_fishers_is_plain_average(seeds, c):
    sds = [net_state(s) for s in seeds]
    fisher = {k: torch.full_like(v, c) for k, v in sds[0].items() if v.is_floating_point()}
    merged = fisher_merge(sds, [fisher] * len(sds))
    plain = average_state_dicts(sds)
    for k in plain:
        assert merged[k].dtype == plain[k].dtype
        torch.testing.assert_close(merged[k], plain[k])


def test_fisher_merge_follows_the_confident_model():
    a, b = {"w": torch.tensor([1.0, 1.0, 1.0])}, {"w": torch.tensor([3.0, 3.0, 3.0])}
    fa, fb = {"w": torch.tensor([1.0, 0.0, 0.0])}, {"w": torch.tensor([3.0, 5.0, 0.0])}
    merged = fisher_merge([a, b], [fa, fb])
    torch.testing.assert_close(merged["w"], torch.tensor([2.5, 3.0, 2.0]))
    with pytest.raises(ValueError):
        fisher_merge([a, b], [fa])
    with pytest.raises(ValueError):
        fisher_merge([], [])


@pytest.mark.parametrize("labelled", [True, False])
def test_diagonal_fisher_matches_a_loop(labelled):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3)).double()
    x = torch.randn(7, 4, dtype=torch.float64)
    y = torch.randint(3, (7,))
    got = diagonal_fisher(model, x, y if labelled else None, batch_size=3)
    want = {k: torch.zeros_like(v) for k, v in model.named_parameters()}
    for i in range(len(x)):
        log_p = F.log_softmax(model(x[i : i + 1])[0], dim=-1)
        classes = [int(y[i])] if labelled else range(3)
        for c in classes:
            weight = 1.0 if labelled else float(log_p[c].detach().exp())
            grads = torch.autograd.grad(log_p[c], list(model.parameters()), retain_graph=True)
            for (k, _), g in zip(model.named_parameters(), grads, strict=True):
                want[k] += weight * g**2 / len(x)
    for k in want:
        torch.testing.assert_close(got[k], want[k])


def test_fisher_merge_treats_missing_keys_as_zero_fisher():
    """diagonal_fisher covers parameters only: BatchNorm running statistics average plainly."""
    sds = [net_state(0), net_state(1)]
    fishers = [{"0.weight": torch.ones(4, 3)}, {"0.weight": 3 * torch.ones(4, 3)}]
    merged = fisher_merge(sds, fishers)
    plain = average_state_dicts(sds)
    torch.testing.assert_close(merged["1.running_mean"], plain["1.running_mean"])
    torch.testing.assert_close(
        merged["0.weight"], 0.25 * sds[0]["0.weight"] + 0.75 * sds[1]["0.weight"]
    )
    with pytest.raises(ValueError):
        fisher_merge(sds, [{"0.weight": torch.ones(3)}, {}])
