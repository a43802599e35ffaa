"""Submissions as candidates hand them in: BOM, PEP 263 encodings, .PY, notebooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from judge.cli import cli
from judge.submission import BadSubmission, Unreadable, notebook_source, prepared, read_source

FIXTURES = Path(__file__).parent / "fixtures"
SOLUTION = (FIXTURES / "double" / "solution.py").read_text(encoding="utf-8")


def judge(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    run = CliRunner().invoke(cli, ["--problems", str(FIXTURES), *args], env=env)
    return run.exit_code, run.stdout, run.stderr


def notebook(*cells: tuple[str, str]) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
                for kind, source in cells
            ],
        }
    )


def test_utf8_with_a_bom_is_read_as_cpython_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf" + "# é\n".encode() + SOLUTION.encode())
    assert read_source(path).startswith("# é\n")
    with prepared(path) as source:
        assert source != path and source.read_bytes().startswith(b"# \xc3\xa9")


def test_a_pep263_latin1_file_is_decoded_and_rewritten_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\nNAME = '\xe9t\xe9'\n" + SOLUTION.encode())
    assert "NAME = 'été'" in read_source(path)
    with prepared(path) as source:
        text = source.read_text(encoding="utf-8")
        compile(text, "x", "exec")  # a str source: the declaration no longer applies
        assert "été" in text


def test_an_unknown_coding_declaration_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "odd.py"
    path.write_bytes(b"# coding: no-such-codec\nx = 1\n")
    with pytest.raises(Unreadable):
        read_source(path)


def test_plain_utf8_py_is_graded_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "plain.py"
    path.write_text(SOLUTION, encoding="utf-8")
    with prepared(path) as source:
        assert source == path


@pytest.mark.parametrize("name", ["bom.py", "latin.py", "ANSWER.PY", "answer.ipynb"])
def test_the_cli_grades_every_form_accepted(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name == "bom.py":
        path.write_bytes(b"\xef\xbb\xbf" + SOLUTION.encode())
    elif name == "latin.py":
        path.write_bytes(b"# coding: latin-1\n# \xe9\n" + SOLUTION.encode())
    elif name.endswith(".ipynb"):
        path.write_text(
            notebook(("markdown", "# My answer"), ("code", "%matplotlib inline\n" + SOLUTION))
        )
    else:
        path.write_text(SOLUTION)
    code, out, err = judge("grade", "double", str(path), "--json", "--level", "in-process")
    assert code == 0, out + err
    assert json.loads(out)["verdict"] == "accepted"


def test_notebook_keeps_definitions_and_drops_the_rest() -> None:
    text = notebook(
        ("code", "import torch\nLR = 0.5"),
        ("code", "def double(x):\n    return 2 * x\n\ndouble(torch.ones(2))\nprint('hi')"),
        ("markdown", "def not_code(): pass"),
        ("code", "@staticmethod\ndef helper():\n    return LR\nfor i in range(10**9):\n    pass"),
    )
    source = notebook_source(text, ["double"])
    assert "def double" in source and "LR = 0.5" in source and "@staticmethod" in source
    assert "print('hi')" not in source and "range(10**9)" not in source
    assert "not_code" not in source
    compile(source, "nb", "exec")


def test_notebook_without_the_entry_point_says_so(tmp_path: Path) -> None:
    path = tmp_path / "answer.ipynb"
    path.write_text(notebook(("code", "def twice(x):\n    return 2 * x")))
    with pytest.raises(Unreadable, match=r"no code cell defines 'double'"):
        read_source(path, ["double"])
    code, out, _ = judge("grade", "double", str(path), "--json", "--level", "in-process")
    assert code == 1
    result = json.loads(out)
    assert result["verdict"] == "compile_error"
    assert "no code cell defines 'double'" in result["tests"][0]["message"]


def test_a_notebook_cell_with_a_syntax_error_is_kept_for_the_compile_error() -> None:
    source = notebook_source(notebook(("code", "def double(x):\n    return 2 *")), [])
    with pytest.raises(SyntaxError):
        compile(source, "nb", "exec")


@given(st.text(max_size=200))
def test_any_text_as_a_notebook_is_source_or_unreadable(text: str) -> None:
    try:
        source = notebook_source(text, [])
    except Unreadable:
        return
    assert isinstance(source, str)


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(BadSubmission, match="no such file") as caught:
        read_source(tmp_path / "nope.py")
    assert not isinstance(caught.value, Unreadable)
