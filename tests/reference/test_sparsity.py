"""N:M masks against a plain loop over groups (ties by index, partial groups as padded), and
the counts they promise; structured pruning is tested in test_structured.py."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.sparsity import nm_mask

torch.set_num_threads(1)


def loop_mask(w: torch.Tensor, n: int, m: int) -> torch.Tensor:
    rows = w.reshape(-1, w.shape[-1]).abs().tolist()
    keep = [[False] * len(r) for r in rows]
    for r, row in enumerate(rows):
        for start in range(0, len(row), m):
            group = range(start, min(start + m, len(row)))
            for j in sorted(group, key=lambda j: (-row[j], j))[:n]:
                keep[r][j] = True
    return torch.tensor(keep, dtype=torch.bool).reshape(w.shape)


nm = st.integers(1, 8).flatmap(lambda m: st.tuples(st.integers(1, m), st.just(m)))


@settings(max_examples=60, deadline=None)
@given(
    nm=nm,
    rows=st.integers(1, 5),
    cols=st.integers(1, 19),
    levels=st.sampled_from([3, 1000]),  # 3: many ties; 1000: few
    seed=st.integers(0, 10_000),
)
def test_matches_a_loop_over_groups(nm, rows, cols, levels, seed):
    n, m = nm
    g = torch.Generator().manual_seed(seed)
    w = torch.randint(-levels, levels + 1, (rows, cols), generator=g).float()
    before = w.clone()
    mask = nm_mask(w, n, m)
    assert mask.dtype == torch.bool and mask.shape == w.shape
    assert torch.equal(mask, loop_mask(w, n, m))
    assert torch.equal(w, before)
    full = cols - cols % m
    assert bool((mask[:, :full].reshape(rows, -1, m).sum(-1) == n).all())
    assert bool((mask[:, full:].sum(-1) == min(n, cols % m)).all())


def test_sign_does_not_matter_and_higher_dims_group_the_last_axis():
    w = torch.randn(3, 2, 8, generator=torch.Generator().manual_seed(0))
    assert torch.equal(nm_mask(w), nm_mask(-w))
    assert torch.equal(nm_mask(w), nm_mask(w.reshape(6, 8)).reshape(3, 2, 8))


@pytest.mark.parametrize(("n", "m"), [(0, 4), (5, 4)])
def test_invalid_n_raises(n, m):
    with pytest.raises(ValueError):
        nm_mask(torch.ones(2, 8), n, m)
