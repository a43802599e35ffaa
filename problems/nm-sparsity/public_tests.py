"""Public tests: the two examples of the prompt, and one test per clause of the prompt on
small fixed weights (the hidden tests draw other weights)."""

import torch

from judge.testing import expect_equal, expect_inputs_unchanged, expect_raises


def test_two_groups(candidate, mistakes):
    w = torch.tensor([[0.1, -0.9, 0.5, 0.2, 3.0, -3.0, 1.0, 0.0]])
    want = torch.tensor([[False, True, True, False, True, True, False, False]])
    expect_equal(
        candidate.nm_mask(w), want, name="2:4 mask", mistakes=mistakes.on(lambda m: m.nm_mask(w))
    )


def test_ties_and_a_partial_group(candidate, mistakes):
    w = torch.tensor([[1.0, -1.0, 1.0, -1.0, 5.0, 0.5]])
    want = torch.tensor([[True, True, False, False, True, True]])
    expect_equal(
        candidate.nm_mask(w, 2, 4),
        want,
        name="2:4 mask with ties",
        mistakes=mistakes.on(lambda m: m.nm_mask(w, 2, 4)),
    )


def test_a_partial_group_of_three_keeps_two(candidate, mistakes):
    """Example. Seven entries at 2:4: a whole group [4, 3, 2, 1] keeps 4 and 3, and the
    trailing group of three [0.5, -2, 1], as if padded with a zero, keeps its two largest,
    -2 and 1; it is not kept whole.

    中文：7 个元素、2:4：完整的一组 [4, 3, 2, 1] 保留 4 和 3；末尾三个元素的一组
    [0.5, -2, 1] 视同补了一个 0，保留其中最大的两个 -2 和 1，而不是整组都保留。
    """
    w = torch.tensor([[4.0, 3.0, 2.0, 1.0, 0.5, -2.0, 1.0]])
    expect_equal(
        candidate.nm_mask(w, 2, 4),
        torch.tensor([[True, True, False, False, False, True, True]]),
        name="2:4 mask with a trailing group of 3",
        mistakes=mistakes.on(lambda m: m.nm_mask(w, 2, 4)),
    )


def test_one_of_two_along_the_last_dimension_of_a_3d_weight(candidate, mistakes):
    """Example. 1:2 on a (2, 1, 4) weight: the groups are pairs along the last dimension,
    [1, -3], [2, 0.5] and [-1, 1], [0, 0.25]; each keeps its larger |w| (the first of a tie).

    中文：在形状 (2, 1, 4) 的权重上做 1:2：沿最后一维每两个元素一组，[1, -3]、[2, 0.5] 和
    [-1, 1]、[0, 0.25]；每组保留 |w| 较大的那个（相等时保留靠前的）。
    """
    w = torch.tensor([[[1.0, -3.0, 2.0, 0.5]], [[-1.0, 1.0, 0.0, 0.25]]])
    expect_equal(
        candidate.nm_mask(w, 1, 2),
        torch.tensor([[[False, True, True, False]], [[True, False, False, True]]]),
        name="1:2 mask of a 3-D weight",
        mistakes=mistakes.on(lambda m: m.nm_mask(w, 1, 2)),
    )


def test_invalid_arguments_raise(candidate, mistakes):
    """n outside [1, m], or a weight with no dimension, raises ValueError."""
    hint = mistakes.hint("no_validation")
    w = torch.ones(2, 6)
    for n, m in ((-1, 4), (4, 3)):
        expect_raises(
            ValueError, lambda n=n, m=m: candidate.nm_mask(w, n, m), name=f"{n}:{m}", hint=hint
        )
    expect_raises(
        ValueError, lambda: candidate.nm_mask(torch.tensor(-0.5)), name="a scalar", hint=hint
    )


def test_weight_is_not_modified(candidate, mistakes):
    """nm_mask only computes the mask: the weight keeps all its values."""
    w = torch.tensor([[0.3, -0.1, 0.7, 0.2], [1.0, 2.0, -3.0, 0.5]])
    expect_inputs_unchanged(candidate, "nm_mask", w, 2, 4, mistakes=mistakes)
