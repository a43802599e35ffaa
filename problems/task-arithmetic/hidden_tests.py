"""Hidden tests: BatchNorm models (floating buffers in, counters out), several vectors,
negative and zero scales, dtypes, and mismatched inputs."""

import torch
from torch import nn

from judge.testing import expect, expect_close, expect_equal, expect_raises


def bn_model_state(seed: int, batches: int, shift: float = 0.0) -> dict[str, torch.Tensor]:
    torch.manual_seed(0)  # one shared "pretrained" initialisation
    model = nn.Sequential(nn.Linear(5, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(shift * torch.randn_like(p))
        for _ in range(batches):
            model(torch.randn(8, 5) + seed)
    return dict(model.state_dict())


def family():
    """A pretrained state and three fine-tuned descendants (different counters too)."""
    pre = bn_model_state(0, 1)
    fts = [bn_model_state(s, 1 + s, shift=0.05) for s in (1, 2, 3)]
    return pre, fts


def vectors_of(solution, pre, fts):
    return [solution.task_vector(pre, ft) for ft in fts]


def test_task_vector_of_a_batchnorm_model(candidate, solution, mistakes):
    pre, fts = family()
    got = candidate.task_vector(pre, fts[0])
    expect_close(
        got,
        solution.task_vector(pre, fts[0]),
        name="task vector",
        mistakes=mistakes.on(lambda m: m.task_vector(pre, fts[0])),
    )
    expect("1.num_batches_tracked" not in got, "the counter num_batches_tracked is in the vector")


def test_task_vector_direction(candidate, solution, mistakes):
    pre, fts = family()
    got = candidate.task_vector(pre, fts[1])
    expect_close(
        got["0.weight"],
        fts[1]["0.weight"] - pre["0.weight"],
        name="task vector['0.weight']",
        mistakes=mistakes.on(lambda m: m.task_vector(pre, fts[1])["0.weight"]),
    )


def check_apply(candidate, solution, mistakes, pre, vectors, scale, name):
    got = candidate.apply_task_vectors(pre, vectors, scale)
    expect_close(
        got,
        solution.apply_task_vectors(pre, vectors, scale),
        name=name,
        mistakes=mistakes.on(lambda m: m.apply_task_vectors(pre, vectors, scale)),
    )
    return got


def test_one_vector_scale_one_restores_finetuned(candidate, solution, mistakes):
    pre, fts = family()
    got = check_apply(
        candidate, solution, mistakes, pre, vectors_of(solution, pre, fts)[:1], 1.0, "merged"
    )
    want = {k: v for k, v in fts[0].items() if v.is_floating_point()}
    expect_close({k: got[k] for k in want}, want, name="pretrained + tau (floating tensors)")


def test_counters_come_from_pretrained(candidate, solution, mistakes):
    pre, fts = family()
    got = check_apply(
        candidate, solution, mistakes, pre, vectors_of(solution, pre, fts), 0.4, "merged"
    )
    expect_equal(
        got["1.num_batches_tracked"], pre["1.num_batches_tracked"], name="1.num_batches_tracked"
    )


def test_three_vectors_are_summed(candidate, solution, mistakes):
    pre, fts = family()
    check_apply(
        candidate,
        solution,
        mistakes,
        pre,
        vectors_of(solution, pre, fts),
        0.5,
        "3 tasks, scale 0.5",
    )


def test_negative_scale_forgets(candidate, solution, mistakes):
    pre, fts = family()
    vecs = vectors_of(solution, pre, fts)[1:2]
    got = check_apply(candidate, solution, mistakes, pre, vecs, -0.7, "scale -0.7")
    expect_close(got["3.weight"], pre["3.weight"] - 0.7 * vecs[0]["3.weight"], name="3.weight")


def test_scale_zero_is_pretrained(candidate, solution, mistakes):
    pre, fts = family()
    got = check_apply(
        candidate, solution, mistakes, pre, vectors_of(solution, pre, fts), 0.0, "scale 0"
    )
    expect_close(got, pre, name="pretrained + 0 * tau")


def test_no_vectors_is_pretrained(candidate, solution, mistakes):
    pre, _ = family()
    got = check_apply(candidate, solution, mistakes, pre, [], 1.0, "no task vectors")
    expect_close(got, pre, name="pretrained with no task vectors")


def test_dtypes_are_kept(candidate, solution, mistakes):
    torch.manual_seed(4)
    pre = {
        "w": torch.randn(3, 4, dtype=torch.float64),
        "b": torch.randn(4),
        "step": torch.tensor(5),
    }
    ft = {"w": pre["w"] + 1.0, "b": pre["b"] - 2.0, "step": torch.tensor(9)}
    tau = candidate.task_vector(pre, ft)
    expect_close(tau, solution.task_vector(pre, ft), name="task vector (float64 and float32)")
    check_apply(
        candidate, solution, mistakes, pre, [solution.task_vector(pre, ft)] * 2, 0.25, "merged"
    )


def test_mismatched_inputs_raise(candidate, mistakes):
    pre, fts = family()
    hint = mistakes.hint("no_validation")
    missing = {k: v for k, v in fts[0].items() if k != "3.bias"}
    expect_raises(
        ValueError, lambda: candidate.task_vector(pre, missing), name="a missing key", hint=hint
    )
    reshaped = {**fts[0], "3.bias": torch.zeros(1)}
    expect_raises(
        ValueError, lambda: candidate.task_vector(pre, reshaped), name="a shape mismatch", hint=hint
    )
    tau = {k: v for k, v in pre.items() if v.is_floating_point() and k != "0.bias"}
    expect_raises(
        ValueError,
        lambda: candidate.apply_task_vectors(pre, [tau], 1.0),
        name="a task vector without '0.bias'",
        hint=hint,
    )
