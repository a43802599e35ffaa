"""Public tests: the two examples of the prompt."""

import torch

from judge.testing import expect_equal


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
