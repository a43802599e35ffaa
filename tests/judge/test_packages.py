"""A problem's ``packages``: the isolated child's root holds torch, numpy and only what the
problem declares (permutation-alignment declares scipy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from judge.problems import find_problem
from judge.runner.limits import Limits
from judge.runner.sandbox import Sandbox, isolation_available
from judge.verdicts import SubmissionFailed

pytestmark = pytest.mark.skipif(
    not isolation_available()[0], reason="the isolated level is not available here"
)
SOURCE = "def version():\n    import scipy\n    return scipy.__version__\n"


def call_version(tmp_path: Path, packages: tuple[str, ...]) -> str:
    path = tmp_path / "sub.py"
    path.write_text(SOURCE, encoding="utf-8")
    with Sandbox(path, ["version"], Limits(time_s=60), level="isolated", packages=packages) as box:
        return box.call("version", (), {}).value


def test_an_undeclared_package_is_not_in_the_root(tmp_path: Path) -> None:
    with pytest.raises(SubmissionFailed, match="scipy"):
        call_version(tmp_path, ())


def test_a_declared_package_is(tmp_path: Path) -> None:
    import scipy

    assert call_version(tmp_path, ("scipy",)) == scipy.__version__


def test_the_problem_declares_what_its_solution_imports() -> None:
    assert find_problem("permutation-alignment").packages == ("scipy",)
