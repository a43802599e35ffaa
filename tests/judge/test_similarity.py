"""Similarity: renaming and reordering do not hide a copy; independent code is not flagged."""

from __future__ import annotations

import keyword
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from judge.batch import similarity
from judge.batch.similarity import compare, find_similar, fingerprint

ORIGINAL = '''"""Weight averaging, written by candidate A."""
import torch


def normalise(weights):
    total = sum(weights)
    if total <= 0:
        raise ValueError("weights must sum to a positive number")
    return [w / total for w in weights]


def average(state_dicts, weights=None):
    # uniform unless told otherwise
    if not state_dicts:
        raise ValueError("nothing to average")
    weights = normalise(weights or [1.0] * len(state_dicts))
    out = {}
    for key, first in state_dicts[0].items():
        if not first.is_floating_point():
            out[key] = first.clone()
            continue
        acc = torch.zeros_like(first)
        for sd, w in zip(state_dicts, weights):
            acc += w * sd[key]
        out[key] = acc
    return out
'''
# The same code: names changed, functions swapped, docstring and comments rewritten.
DISGUISED = '''import torch


def average(models, coefs=None):
    """Average some models."""
    if not models:
        raise ValueError("nothing to average")
    coefs = scale(coefs or [1.0] * len(models))
    result = {}
    for name, head in models[0].items():
        if not head.is_floating_point():  # copy integer buffers
            result[name] = head.clone()
            continue
        total_ = torch.zeros_like(head)
        for m, c in zip(models, coefs):
            total_ += c * m[name]
        result[name] = total_
    return result


def scale(cs):
    s = sum(cs)
    if s <= 0:
        raise ValueError("weights must sum to a positive number")
    return [c / s for c in cs]
'''
# The same task solved differently.
INDEPENDENT = """import torch


def average(state_dicts, weights=None):
    n = len(state_dicts)
    if n == 0:
        raise ValueError("empty")
    w = torch.tensor(weights if weights is not None else [1.0] * n, dtype=torch.float64)
    w = w / w.sum()
    keys = list(state_dicts[0])
    stacked = {k: torch.stack([sd[k].double() for sd in state_dicts]) for k in keys}
    merged = {}
    for k, t in stacked.items():
        shape = (-1,) + (1,) * (t.dim() - 1)
        if state_dicts[0][k].is_floating_point():
            merged[k] = (t * w.view(shape)).sum(0).to(state_dicts[0][k].dtype)
        else:
            merged[k] = state_dicts[0][k].clone()
    return merged
"""


def score(a: str, b: str) -> float:
    return compare(fingerprint(a), fingerprint(b))[0]


def test_renamed_and_reordered_copy_scores_one() -> None:
    assert score(ORIGINAL, DISGUISED) == 1.0


def test_independent_solution_scores_low() -> None:
    assert score(ORIGINAL, INDEPENDENT) < 0.3


identifiers = st.from_regex(r"[a-z][a-z0-9]{2,8}", fullmatch=True).filter(
    lambda s: not keyword.iskeyword(s) and s not in dir(__builtins__)
)


@settings(max_examples=25, deadline=None)
@given(st.lists(identifiers, min_size=6, max_size=6, unique=True))
def test_any_consistent_renaming_is_caught(names: list[str]) -> None:
    renamed = ORIGINAL
    for old, new in zip(
        ["state_dicts", "weights", "total", "acc", "first", "out"], names, strict=True
    ):
        renamed = renamed.replace(old, new)
    assert score(ORIGINAL, renamed) == 1.0


def test_matching_regions_name_lines_of_both_files() -> None:
    partial = INDEPENDENT + "\n\n" + ORIGINAL.split("def average")[0].split("import torch")[1]
    _, containment, regions = compare(fingerprint(ORIGINAL), fingerprint(partial))
    assert containment > 0
    for region in regions:
        first, last = region.a
        assert 1 <= first <= last <= len(ORIGINAL.splitlines())
        assert region.a_text and region.b_text


def test_unparsable_and_tiny_files_are_not_compared() -> None:
    assert fingerprint("def f(:\n") is None
    assert compare(fingerprint("x = 1\n"), fingerprint("y = 1\n"))[0] == 0.0


def test_find_similar_pairs_references_and_threshold(tmp_path: Path) -> None:
    files = {}
    for name, text in (("ann", ORIGINAL), ("ben", DISGUISED), ("cat", INDEPENDENT)):
        files[name] = tmp_path / f"{name}.py"
        files[name].write_text(text)
    pairs = find_similar(
        {"weight-averaging": files},
        references={"weight-averaging": [("reference:solution.py", INDEPENDENT)]},
        threshold=0.8,
    )
    got = {(p.a, p.b) for p in pairs}
    assert got == {("ann", "ben"), ("cat", "reference:solution.py")}
    assert all(p.score >= 0.8 and p.regions for p in pairs)
    # the starter's code is boilerplate: a file that is only the starter matches nothing
    base = find_similar(
        {"weight-averaging": {"ann": files["ann"], "ben": files["ben"]}},
        boilerplate={"weight-averaging": ORIGINAL},
        threshold=0.1,
    )
    assert base == []


def test_reference_source_follows_thin_imports(tmp_path: Path) -> None:
    solution = tmp_path / "solution.py"
    solution.write_text("from reference.fuse import average_state_dicts\n")
    text = similarity.reference_source(solution)
    assert "def average_state_dicts" in text
    assert fingerprint(text) is not None
    solution.write_text("from reference.fuse import no_such_name\n")
    assert similarity.reference_source(solution) == solution.read_text()


def test_a_file_built_to_blow_up_fingerprinting_is_skipped(tmp_path: Path) -> None:
    # megabytes of source, or a short file of very many tokens: not fingerprinted (None)
    assert similarity.fingerprint("x = 1\n" * 100_000) is None
    assert similarity.fingerprint("x = [" + "1, " * 80_000 + "]\n") is None
    big = tmp_path / "big.py"
    big.write_text("x = [" + "1, " * 80_000 + "]\n")
    small = tmp_path / "small.py"
    small.write_text("def solve(x):\n    return x * 2\n")
    assert similarity.find_similar({"p": {"a": big, "b": small}}, threshold=0.0) == []
