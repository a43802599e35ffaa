"""Hidden tests for prototypical-logits: values (against the reference and an explicit
float64 loop), support order, unequal shots, shape, dtype, strides, and gradients."""

import torch

from judge.testing import Probe, expect, expect_close, points

RTOL, ATOL = 1e-4, 1e-4  # the ‖q‖² − 2q·c + ‖c‖² expansion is a correct implementation too


def episode(seed, n_way, shots, n_query, dim, shuffle=True, dtype=torch.float32):
    """Clustered embeddings; ``shots`` is an int or a list of per-class counts."""
    gen = torch.Generator().manual_seed(seed)
    counts = shots if isinstance(shots, list) else [shots] * n_way
    means = 3 * torch.randn(n_way, dim, generator=gen)
    support_y = torch.cat([torch.full((c,), k, dtype=torch.int64) for k, c in enumerate(counts)])
    support = means[support_y] + torch.randn(len(support_y), dim, generator=gen)
    if shuffle:
        perm = torch.randperm(len(support_y), generator=gen)
        support, support_y = support[perm], support_y[perm]
    query_y = torch.randint(0, n_way, (n_query,), generator=gen)
    query = means[query_y] + torch.randn(n_query, dim, generator=gen)
    return support.to(dtype), support_y, query.to(dtype), n_way


def check(candidate, solution, mistakes, args, name, rtol=RTOL, atol=ATOL):
    got = candidate.prototypical_logits(*args)
    want = solution.prototypical_logits(*args)
    expect_close(
        got, want, name=name, rtol=rtol, atol=atol,
        mistakes=mistakes.on(lambda m: m.prototypical_logits(*args)),
    )  # fmt: skip
    return got


@points(10)
def test_class_major_support(candidate, solution, mistakes, seed):
    args = episode(seed + 0, n_way=5, shots=3, n_query=10, dim=8, shuffle=False)
    check(candidate, solution, mistakes, args, "logits, 5-way 3-shot (support sorted by class)")


@points(12)
def test_shuffled_support(candidate, solution, mistakes, seed):
    args = episode(seed + 1, n_way=5, shots=4, n_query=7, dim=6)
    check(candidate, solution, mistakes, args, "logits with the support in shuffled order")


@points(10)
def test_unequal_shots(candidate, solution, mistakes, seed):
    args = episode(seed + 2, n_way=4, shots=[1, 5, 2, 3], n_query=6, dim=5)
    check(candidate, solution, mistakes, args, "logits with 1, 5, 2 and 3 shots per class")


@points(12)
def test_against_explicit_loop_float64(candidate, solution, mistakes, seed):
    """Independent of the reference: prototypes and distances by explicit loops, float64."""
    support, support_y, query, n_way = episode(seed + 3, 3, 4, 5, 4, dtype=torch.float64)
    want = torch.empty(len(query), n_way, dtype=torch.float64)
    for k in range(n_way):
        members = [support[i] for i in range(len(support)) if int(support_y[i]) == k]
        proto = sum(members) / len(members)
        for q in range(len(query)):
            want[q, k] = -float(((query[q] - proto) ** 2).sum())
    args = (support, support_y, query, n_way)
    got = candidate.prototypical_logits(*args)
    expect_close(
        got, want, name="logits (float64)", rtol=1e-9, atol=1e-9,
        mistakes=mistakes.on(lambda m: m.prototypical_logits(*args)),
    )  # fmt: skip


@points(10)
def test_shape_query_count_differs_from_n_way(candidate, solution, mistakes, seed):
    args = episode(seed + 4, n_way=3, shots=2, n_query=11, dim=4)
    got = check(candidate, solution, mistakes, args, "logits [Q=11, n_way=3]")
    expect(got.dtype == torch.float32, f"logits must be float32 here, got {got.dtype}")


@points(8)
def test_query_on_a_prototype(candidate, solution, mistakes, seed):
    support, support_y, _, n_way = episode(seed + 5, n_way=4, shots=3, n_query=1, dim=5)
    protos = torch.stack([support[support_y == k].mean(0) for k in range(n_way)])
    args = (support, support_y, protos.flip(0).contiguous(), n_way)
    got = check(candidate, solution, mistakes, args, "logits of queries placed on the prototypes")
    best = got.argmax(1)
    expect(
        bool((best == torch.arange(n_way).flip(0)).all()),
        f"a query equal to prototype k must score highest on class k; argmax gave {best.tolist()}",
    )


@points(10)
def test_many_classes_high_dimension(candidate, solution, mistakes, seed):
    args = episode(seed + 6, n_way=20, shots=5, n_query=60, dim=64)
    check(candidate, solution, mistakes, args, "logits, 20-way 5-shot, D=64")


@points(6)
def test_one_way(candidate, solution, mistakes, seed):
    args = episode(seed + 7, n_way=1, shots=3, n_query=4, dim=3)
    check(candidate, solution, mistakes, args, "logits with n_way=1")


@points(6)
def test_float64_and_strided_inputs(candidate, solution, mistakes, seed):
    support, support_y, query, n_way = episode(seed + 8, 4, 3, 5, 6, dtype=torch.float64)
    args = (support.t().contiguous().t(), support_y, query.t().contiguous().t(), n_way)
    expect(not args[0].is_contiguous(), "test set-up: support should be strided")
    got = check(candidate, solution, mistakes, args, "logits (float64, strided)", 1e-9, 1e-9)
    expect(got.dtype == torch.float64, f"logits must keep the inputs' dtype, got {got.dtype}")


@points(12)
def test_gradients_reach_support_and_query(candidate, solution, mistakes, seed):
    args = episode(seed + 9, n_way=3, shots=[2, 3, 4], n_query=5, dim=4)
    probe = Probe("arg_grads", 0, 2)
    got = candidate.run("prototypical_logits", *args, probe=probe).probe
    want = solution.run("prototypical_logits", *args, probe=probe).probe
    expect_close(
        got["grads"], want["grads"], name="d sum(logits) / d (support, query)",
        rtol=RTOL, atol=ATOL,
        mistakes=mistakes.on(
            lambda m: m.run("prototypical_logits", *args, probe=probe).probe["grads"]
        ),
    )  # fmt: skip


@points(4)
def test_support_and_query_of_different_dtypes(candidate, solution, mistakes, seed):
    """float32 support with a float64 query, and the other way round: the wider dtype."""
    support, support_y, query, n_way = episode(seed + 20, 3, 2, 4, 5)
    for s, q in ((support, query.double()), (support.double(), query)):
        got = check(candidate, solution, mistakes, (s, support_y, q, n_way), "logits")
        expect(got.dtype == torch.float64, f"logits are {got.dtype}; want float64 (the wider)")
