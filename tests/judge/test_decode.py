"""judge.runner.decode: honest replies decode as torch.load + to_data would; hostile ones are
refused quickly, before anything big is materialised."""

from __future__ import annotations

import io
import pickle
import zipfile

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from judge.runner.decode import BadReply, decode
from judge.runner.harness import convert

CAP = 1 << 20


def encode(message: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(message, buffer)
    return buffer.getvalue()


def same(a: object, b: object) -> bool:
    if isinstance(a, torch.Tensor):
        return (
            type(b) is torch.Tensor
            and a.dtype == b.dtype
            and a.shape == b.shape
            and b.is_contiguous()
            and torch.equal(a, b)
        )
    if type(a) is not type(b):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b or (a != a and b != b)


DTYPES = [torch.float32, torch.float64, torch.bfloat16, torch.int64, torch.uint8, torch.bool]
tensors = st.builds(
    lambda shape, dtype, seed: (
        torch.rand(shape, generator=torch.Generator().manual_seed(seed)) * 10
    ).to(dtype),
    st.lists(st.integers(0, 4), max_size=3),
    st.sampled_from(DTYPES),
    st.integers(0, 1000),
)
# printable text: what is cleaned (controls, surrogates) is tested on its own below
text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)
scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats() | text
data = st.recursive(
    scalars | tensors,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(text, inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(data)
def test_honest_replies_decode_like_torch_load(value: object) -> None:
    message = {"kind": "reply", "value": convert.to_data(value)}
    want = convert.to_data(torch.load(io.BytesIO(encode(message)), weights_only=True))
    assert same(want, decode(encode(message), CAP))


def test_views_and_offsets_are_copied_out_exactly() -> None:
    base = torch.arange(24.0).reshape(4, 6)
    for view in (base.t(), base[1:, 2:5], base[::2, ::3], base[2], base.expand(2, 4, 6)):
        assert same(view.contiguous(), decode(encode({"kind": "reply", "v": view}), CAP)["v"])


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (torch.zeros(1).expand(1 << 40), "tensors add up"),
        ([torch.zeros(25_000)] * 100, "tensors add up"),
        ({f"k{i}": i for i in range(300_000)}, "more than|pickle is over"),
        (1 << 80, "64 bits"),
    ],
)
def test_bounds(value: object, why: str) -> None:
    with pytest.raises(BadReply, match=why):
        decode(encode({"kind": "reply", "value": value}), CAP * 8)


def test_a_dag_of_shared_lists_is_refused_by_its_paths_not_its_objects() -> None:
    node: list = [1.0]
    for _ in range(25):
        node = [node, node]
    with pytest.raises(BadReply, match="more than"):
        decode(encode({"kind": "reply", "value": node}), CAP)


def rewrite(message: object, pickled: bytes) -> bytes:
    """``torch.save(message)`` with its data.pkl replaced by ``pickled``."""
    source = zipfile.ZipFile(io.BytesIO(encode(message)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            body = pickled if info.filename.endswith("data.pkl") else source.read(info)
            target.writestr(info.filename, body)
    return out.getvalue()


class Payload:
    def __reduce__(self) -> tuple:
        return (print, ("pwned",))


@pytest.mark.parametrize(
    "pickled",
    [
        pickle.dumps({"kind": "reply", "value": Payload()}, protocol=2),
        pickle.dumps({"kind": "reply", "value": {1, 2}}, protocol=2),
        b"\x80\x02" + b"(" * 100_000 + b".",
        pickle.dumps({"kind": "reply", "value": bytearray(10)}, protocol=2),
    ],
)
def test_globals_outside_the_allowlist_and_garbage_are_refused(pickled: bytes) -> None:
    with pytest.raises(BadReply):
        decode(rewrite({"kind": "reply"}, pickled), CAP)


def test_strings_are_cleaned_where_they_enter() -> None:
    got = decode(encode({"kind": "failed", "message": "a\x1b[2Jb\ud800\x07c\n"}), CAP)
    assert got["message"] == "ab\ufffdc\n"


def test_an_opcode_flood_is_bounded_by_the_pickle_cap() -> None:
    flood = b"\x80\x02" + b"(1" * (3 << 20) + pickle.dumps({"kind": "reply"}, protocol=2)[2:]
    with pytest.raises(BadReply, match="pickle is over"):
        decode(rewrite({"kind": "reply"}, flood), 64 << 20)
