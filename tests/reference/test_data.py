"""The one digits split: sizes, ranges, stratification, determinism, and the few-label split."""

import torch

from reference.data import (
    N_CLASSES,
    digits_split,
    few_labels_split,
    make_student,
    make_teacher,
)


def test_split_sizes_ranges_and_stratification():
    s = digits_split()
    sizes = [len(s.x_train), len(s.x_val), len(s.x_test)]
    assert sum(sizes) == 1797
    assert sizes == [len(s.y_train), len(s.y_val), len(s.y_test)]
    assert 1070 <= sizes[0] <= 1090 and 350 <= sizes[1] <= 370 and 350 <= sizes[2] <= 370
    for x, y in [(s.x_train, s.y_train), (s.x_val, s.y_val), (s.x_test, s.y_test)]:
        assert x.dtype == torch.float32 and x.shape[1] == 64 and y.dtype == torch.int64
        assert float(x.min()) >= 0.0 and float(x.max()) <= 1.0
        counts = torch.bincount(y, minlength=N_CLASSES).float()
        assert float(counts.min()) >= 0.9 * float(counts.mean())  # every digit well represented


def test_split_is_fixed():
    a, b = digits_split(), digits_split()
    assert torch.equal(a.x_test, b.x_test) and torch.equal(a.y_train, b.y_train)
    a.x_train.zero_()  # callers get their own copies
    assert digits_split().x_train.abs().sum() > 0


def test_few_labels_split():
    s = digits_split()
    x_l, y_l, x_u, y_u = few_labels_split(s.x_train, s.y_train, per_class=5, seed=1)
    assert torch.equal(torch.bincount(y_l), torch.full((N_CLASSES,), 5))
    assert len(x_l) + len(x_u) == len(s.x_train) and len(y_u) == len(x_u)
    again = few_labels_split(s.x_train, s.y_train, per_class=5, seed=1)
    assert torch.equal(again[0], x_l)
    other = few_labels_split(s.x_train, s.y_train, per_class=5, seed=2)
    assert not torch.equal(other[0], x_l)


def test_standard_models():
    assert [tuple(p.shape) for p in make_student().parameters()] == [
        (32, 64),
        (32,),
        (10, 32),
        (10,),
    ]
    assert sum(p.numel() for p in make_teacher().parameters()) == 64 * 256 + 256 * 256 + 2570 + 512
