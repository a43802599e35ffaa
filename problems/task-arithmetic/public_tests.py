"""Public tests: one per clause of the prompt, on small fixed state dicts with the numbers in
view (the hidden tests draw BatchNorm models from a per-grade seed)."""

import torch

from judge.testing import expect_close, expect_inputs_unchanged, expect_raises

T = torch.tensor


def test_example_from_the_prompt(candidate, mistakes):
    """Example. tau = finetuned - pretrained; adding two copies of tau at scale 0.5 moves
    the pretrained weights by one tau: pretrained {"w": [1, 1]}, finetuned {"w": [2, 0]}
    give tau {"w": [1, -1]} and apply_task_vectors(pretrained, [tau, tau], 0.5) {"w": [2, 0]}.

    中文：tau = finetuned - pretrained；以 scale 0.5 加上两份 tau，相当于把预训练权重移动一个
    tau：pretrained {"w": [1, 1]}、finetuned {"w": [2, 0]} 给出 tau {"w": [1,
    -1]}，`apply_task_vectors(pretrained, [tau, tau], 0.5)` 给出 {"w": [2, 0]}。"""
    pre, ft = {"w": T([1.0, 1.0])}, {"w": T([2.0, 0.0])}
    tau = candidate.task_vector(pre, ft)
    expect_close(
        tau,
        {"w": T([1.0, -1.0])},
        name="task vector",
        mistakes=mistakes.on(lambda m: m.task_vector(pre, ft)),
    )
    want_tau = {"w": T([1.0, -1.0])}
    expect_close(
        candidate.apply_task_vectors(pre, [want_tau, want_tau], 0.5),
        {"w": T([2.0, 0.0])},
        name="apply_task_vectors(pretrained, [tau, tau], 0.5)",
        mistakes=mistakes.on(lambda m: m.apply_task_vectors(pre, [want_tau, want_tau], 0.5)),
    )


def test_vectors_are_summed_and_only_they_are_scaled(candidate, mistakes):
    """Example. Two different task vectors at scale 2: w = [10, 20] + 2 * ([1, 0] + [0, 3])
    = [12, 26]; the pretrained weights themselves are not scaled.

    中文：两个不同的任务向量，scale 为 2：w = [10, 20] + 2 * ([1, 0] + [0, 3]) = [12,
    26]；预训练权重本身不被缩放。"""
    pre = {"w": T([10.0, 20.0])}
    vectors = [{"w": T([1.0, 0.0])}, {"w": T([0.0, 3.0])}]
    expect_close(
        candidate.apply_task_vectors(pre, vectors, 2.0),
        {"w": T([12.0, 26.0])},
        name="two vectors at scale 2",
        mistakes=mistakes.on(lambda m: m.apply_task_vectors(pre, vectors, 2.0)),
    )


def test_batchnorm_counter(candidate, mistakes):
    """The integer counter num_batches_tracked is not part of tau, and the merged state dict
    copies it from pretrained (floating buffers such as running_mean are ordinary tensors)."""
    pre = {"w": T([1.0]), "bn.running_mean": T([0.5]), "bn.num_batches_tracked": T(3)}
    ft = {"w": T([3.0]), "bn.running_mean": T([1.5]), "bn.num_batches_tracked": T(10)}
    expect_close(
        candidate.task_vector(pre, ft),
        {"w": T([2.0]), "bn.running_mean": T([1.0])},
        name="task vector",
        mistakes=mistakes.on(lambda m: m.task_vector(pre, ft)),
    )
    tau = {"w": T([2.0]), "bn.running_mean": T([1.0])}
    expect_close(
        candidate.apply_task_vectors(pre, [tau], -1.0),
        {"w": T([-1.0]), "bn.running_mean": T([-0.5]), "bn.num_batches_tracked": T(3)},
        name="apply_task_vectors(pretrained, [tau], -1.0)",
        mistakes=mistakes.on(lambda m: m.apply_task_vectors(pre, [tau], -1.0)),
    )


def test_mismatched_inputs_raise(candidate, mistakes):
    """Different keys or shapes raise ValueError, in both functions."""
    hint = mistakes.hint("no_validation")
    pre = {"w": T([1.0, 2.0])}
    expect_raises(
        ValueError,
        lambda: candidate.task_vector(pre, {"v": T([1.0, 2.0])}),
        name="task_vector with another key",
        hint=hint,
    )
    expect_raises(
        ValueError,
        lambda: candidate.apply_task_vectors(pre, [{"w": T([1.0])}], 1.0),
        name="a vector of shape (1,) for a (2,) tensor",
        hint=hint,
    )


def test_inputs_are_not_modified_and_results_are_new(candidate, mistakes):
    """Neither function changes its inputs, and the result is made of new tensors, even
    with no vectors at all (writing into it must not change pretrained)."""
    pre = {"w": T([1.0, 2.0]), "n": T(4)}
    vectors = [{"w": T([0.5, 0.5])}]
    expect_inputs_unchanged(
        candidate, "apply_task_vectors", pre, vectors, 1.0, mistakes=mistakes, new_tensors=True
    )
    expect_inputs_unchanged(
        candidate, "apply_task_vectors", pre, [], 1.0, mistakes=mistakes, new_tensors=True
    )
