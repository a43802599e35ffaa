"""Hidden tests: BatchNorm models (floating buffers in, counters out), several vectors,
negative and zero scales, dtypes, mismatched inputs, and inputs left untouched.

Inputs come from the per-grade ``seed``; points follow the clause a test checks (the
arithmetic itself weighs most, bookkeeping less)."""

import torch
from torch import nn

from judge.testing import (
    expect,
    expect_close,
    expect_equal,
    expect_inputs_unchanged,
    expect_raises,
    points,
)


def bn_model_state(init_seed: int, seed: int, batches: int, shift: float = 0.0):
    torch.manual_seed(init_seed)  # one shared "pretrained" initialisation per family
    model = nn.Sequential(nn.Linear(5, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(shift * torch.randn_like(p))
        for _ in range(batches):
            model(torch.randn(8, 5) + seed % 5)
    return dict(model.state_dict())


def family(seed: int):
    """A pretrained state and three fine-tuned descendants (different counters too)."""
    pre = bn_model_state(seed, seed, 1)
    fts = [bn_model_state(seed, seed + s, 1 + s, shift=0.05) for s in (1, 2, 3)]
    return pre, fts


def vectors_of(solution, pre, fts):
    return [solution.task_vector(pre, ft) for ft in fts]


def mixed_dtypes(seed: int):
    torch.manual_seed(seed + 4)
    pre = {
        "w": torch.randn(3, 4, dtype=torch.float64),
        "b": torch.randn(4),
        "h": torch.randn(2).half(),
        "step": torch.tensor(5),
    }
    ft = {"w": pre["w"] + 1.0, "b": pre["b"] - 2.0, "h": pre["h"] * 2, "step": torch.tensor(9)}
    return pre, ft


@points(12)
def test_task_vector_of_a_batchnorm_model(candidate, solution, mistakes, seed):
    pre, fts = family(seed)
    got = candidate.task_vector(pre, fts[0])
    expect_close(
        got,
        solution.task_vector(pre, fts[0]),
        name="task vector",
        mistakes=mistakes.on(lambda m: m.task_vector(pre, fts[0])),
    )
    expect("1.num_batches_tracked" not in got, "the counter num_batches_tracked is in the vector")


@points(8)
def test_task_vector_direction(candidate, solution, mistakes, seed):
    pre, fts = family(seed + 1)
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


@points(10)
def test_one_vector_scale_one_restores_finetuned(candidate, solution, mistakes, seed):
    pre, fts = family(seed + 2)
    got = check_apply(
        candidate, solution, mistakes, pre, vectors_of(solution, pre, fts)[:1], 1.0, "merged"
    )
    want = {k: v for k, v in fts[0].items() if v.is_floating_point()}
    expect_close({k: got[k] for k in want}, want, name="pretrained + tau (floating tensors)")


@points(8)
def test_counters_come_from_pretrained(candidate, solution, mistakes, seed):
    pre, fts = family(seed + 3)
    got = check_apply(
        candidate, solution, mistakes, pre, vectors_of(solution, pre, fts), 0.4, "merged"
    )
    expect_equal(
        got["1.num_batches_tracked"], pre["1.num_batches_tracked"], name="1.num_batches_tracked"
    )


@points(12)
def test_three_vectors_are_summed(candidate, solution, mistakes, seed):
    pre, fts = family(seed + 4)
    vectors = vectors_of(solution, pre, fts)
    check_apply(candidate, solution, mistakes, pre, vectors, 0.5, "3 tasks, scale 0.5")


@points(10)
def test_negative_scale_forgets(candidate, solution, mistakes, seed):
    pre, fts = family(seed + 5)
    vecs = vectors_of(solution, pre, fts)[1:]
    got = check_apply(candidate, solution, mistakes, pre, vecs, -0.7, "scale -0.7")
    want = pre["3.weight"] - 0.7 * (vecs[0]["3.weight"] + vecs[1]["3.weight"])
    expect_close(got["3.weight"], want, name="3.weight")


@points(6)
def test_scale_zero_is_pretrained(candidate, solution, mistakes, seed):
    pre, fts = family(seed + 6)
    got = check_apply(
        candidate, solution, mistakes, pre, vectors_of(solution, pre, fts), 0.0, "scale 0"
    )
    expect_close(got, pre, name="pretrained + 0 * tau")


@points(6)
def test_no_vectors_is_a_copy_of_pretrained(candidate, solution, mistakes, seed):
    pre, _ = family(seed + 7)
    got = expect_inputs_unchanged(
        candidate, "apply_task_vectors", pre, [], 1.0, mistakes=mistakes, new_tensors=True
    )
    expect_close(got, pre, name="pretrained with no task vectors")


@points(8)
def test_dtypes_are_kept(candidate, solution, mistakes, seed):
    pre, ft = mixed_dtypes(seed)
    tau = candidate.task_vector(pre, ft)
    expect_close(
        tau,
        solution.task_vector(pre, ft),
        name="task vector (float64, float32, float16)",
        mistakes=mistakes.on(lambda m: m.task_vector(pre, ft)),
    )
    vectors = [solution.task_vector(pre, ft)] * 2
    check_apply(candidate, solution, mistakes, pre, vectors, 0.25, "merged")
    other = [{k: v.double() for k, v in vectors[0].items()}]  # float64 vectors: cast back
    check_apply(candidate, solution, mistakes, pre, other, -0.5, "merged with float64 vectors")


@points(5)
def test_task_vector_rejects_mismatches(candidate, mistakes, seed):
    pre, fts = family(seed + 8)
    hint = mistakes.hint("no_validation")
    missing = {k: v for k, v in fts[0].items() if k != "3.bias"}
    expect_raises(
        ValueError, lambda: candidate.task_vector(pre, missing), name="a missing key", hint=hint
    )
    reshaped = {**fts[0], "3.bias": torch.zeros(1)}
    expect_raises(
        ValueError, lambda: candidate.task_vector(pre, reshaped), name="a shape mismatch", hint=hint
    )


@points(5)
def test_apply_rejects_mismatched_vectors(candidate, mistakes, seed):
    pre, _ = family(seed + 9)
    hint = mistakes.hint("no_validation")
    tau = {k: v for k, v in pre.items() if v.is_floating_point() and k != "0.bias"}
    expect_raises(
        ValueError,
        lambda: candidate.apply_task_vectors(pre, [tau], 1.0),
        name="a task vector without '0.bias'",
        hint=hint,
    )
    floating = {k: v for k, v in pre.items() if v.is_floating_point()}
    broadcastable = {**floating, "0.bias": torch.zeros(1)}
    expect_raises(
        ValueError,
        lambda: candidate.apply_task_vectors(pre, [broadcastable], 1.0),
        name="a task vector whose '0.bias' has shape (1,) (it would broadcast)",
        hint=hint,
    )
    extra = {**floating, "9.weight": torch.ones(1)}
    expect_raises(
        ValueError,
        lambda: candidate.apply_task_vectors(pre, [extra], 1.0),
        name="a task vector with an extra key '9.weight'",
        hint=hint,
    )


@points(5)
def test_apply_does_not_modify_its_inputs(candidate, solution, mistakes, seed):
    pre, fts = family(seed + 10)
    vectors = vectors_of(solution, pre, fts)
    expect_inputs_unchanged(
        candidate,
        "apply_task_vectors",
        pre,
        vectors,
        0.3,
        mistakes=mistakes,
        new_tensors=True,
        reference=solution,
    )


@points(5)
def test_inputs_unchanged_with_mixed_dtypes(candidate, solution, mistakes, seed):
    pre, ft = mixed_dtypes(seed + 11)
    expect_inputs_unchanged(
        candidate,
        "task_vector",
        pre,
        ft,
        mistakes=mistakes,
        new_tensors=True,
        reference=solution,
    )
    vectors = [solution.task_vector(pre, ft)]
    expect_inputs_unchanged(
        candidate,
        "apply_task_vectors",
        pre,
        vectors,
        -1.5,
        mistakes=mistakes,
        new_tensors=True,
        reference=solution,
    )
