"""A submitted entry point must accept every call its contract (the starter) allows."""

from pathlib import Path

import pytest

from judge.signatures import Params, check, contract, incompatibility

STARTER = '''
import torch

def adapt(model: torch.nn.Module, x, y, loss_fn, inner_lr: float, steps: int = 1,
          first_order: bool = False) -> dict:
    """Docstring."""
    raise NotImplementedError
'''
WANT = "(model, x, y, loss_fn, inner_lr, steps=1, first_order=False)"


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    path = tmp_path / "starter.py"
    path.write_text(STARTER)
    return path


def test_contract_is_the_starters_signature_without_annotations(starter: Path) -> None:
    text, params = contract(starter, "adapt")
    assert text == WANT
    assert params.positional[-2:] == ("steps", "first_order")
    assert params.optional == {"steps", "first_order"}
    assert contract(starter, "missing") is None


@pytest.mark.parametrize(
    "got",
    [
        WANT,
        "(model, x, y, loss_fn, inner_lr, steps=3, first_order=True, extra=None)",
        "(*args, **kwargs)",
        "(model: 'nn.Module', x, y, loss_fn, inner_lr: float = 0.1, steps=1, first_order=0)",
    ],
)
def test_compatible_signatures_pass(starter: Path, got: str) -> None:
    assert check(starter, {"adapt": got}) is None


@pytest.mark.parametrize(
    ("got", "reason"),
    [
        ("(model, x, y, loss_fn, lr, steps=1, first_order=False)", "parameter 5 is 'lr'"),
        ("(model, x, y, loss_fn, inner_lr, steps=1)", "'first_order' is missing"),
        ("(model, x, y, loss_fn, inner_lr, steps, first_order=False)", "'steps' must be optional"),
        ("(model, x, y, loss_fn, inner_lr, steps=1, first_order=False, *, seed)", "'seed'"),
        ("(model, x, y, loss_fn, *args)", "'inner_lr' is missing"),
    ],
)
def test_incompatible_signatures_name_the_contract(starter: Path, got: str, reason: str) -> None:
    message = check(starter, {"adapt": got})
    assert message is not None
    assert reason in message and f"contract adapt{WANT}" in message


def test_keyword_only_contract_parameters() -> None:
    want = Params.parse("(a, *, scope='global')")
    assert incompatibility(want, Params.parse("(a, *, scope='global')")) is None
    assert incompatibility(want, Params.parse("(a, scope='global')")) is None
    assert "keyword parameter 'scope'" in incompatibility(want, Params.parse("(a)"))


def test_unparsable_submitted_text_is_left_to_the_tests(starter: Path) -> None:
    assert Params.parse("(...)") is None
    assert check(starter, {"adapt": "(...)"}) is None
