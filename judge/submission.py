"""What a candidate hands in, made into the UTF-8 Python source the sandbox runs.

A code submission is a ``.py`` file (any case of the suffix) in the encoding CPython would
read it in: UTF-8, with or without a byte-order mark, or whatever a PEP 263 coding
declaration names; or a Jupyter notebook (``.ipynb``), whose code cells' definitions
(imports, functions, classes, assignments) are kept and everything else dropped, since a
notebook's other cells train, plot and print. Both are rewritten here, on the trusted side,
as plain UTF-8 source in a temporary file, so the sandbox's child reads one kind of file.

:class:`BadSubmission` is a file that cannot be graded at all (missing, a directory): a usage
error. :class:`Unreadable` is a file whose content cannot be graded (empty, not text in any
declared encoding, a broken notebook, a notebook without the entry point): the candidate's
failure, reported as ``compile_error`` with the reason.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import shutil
import tempfile
import tokenize
from collections.abc import Iterator, Sequence
from pathlib import Path

from judge.files import NotRegular, read_regular
from judge.text import MESSAGE_CHARS, clean

__all__ = [
    "MAX_BYTES",
    "NOTEBOOK_SUFFIX",
    "BadSubmission",
    "Refused",
    "Unreadable",
    "notebook_source",
    "prepared",
    "read_source",
]

NOTEBOOK_SUFFIX = ".ipynb"
MAX_BYTES = 8 * 1024 * 1024
"""A submission larger than this is refused before it is decoded (notebooks carry outputs)."""

_KEPT = (
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Assign,
    ast.AnnAssign,
)


class BadSubmission(ValueError):
    """The submission file cannot be graded at all (missing, a directory, not a regular
    file): a usage error (exit 2), not a verdict."""


class Unreadable(BadSubmission):
    """The file is there but its content cannot be graded (empty, undecodable, a notebook
    without the entry point): the candidate's failure, a ``compile_error`` with this text."""


class Refused(Unreadable):
    """The file is a symbolic link, a hard link, a FIFO or a device, or not owned by its
    folder's owner (:mod:`judge.files`): never followed, graded ``compile_error``."""


def _check_file(path: Path) -> bytes:
    """The file's bytes, read on its own descriptor and never through a link
    (:mod:`judge.files`): a link, a hard link or a special file is :class:`Refused`."""
    if not path.exists() and not path.is_symlink():
        raise BadSubmission(f"{path}: no such file")
    if path.is_dir() and not path.is_symlink():
        raise BadSubmission(f"{path}: is a directory, not a file")
    try:
        data = read_regular(path)
    except NotRegular as exc:
        raise Refused(f"the submission was not graded: {clean(exc, MESSAGE_CHARS)}") from None
    if len(data) > MAX_BYTES:
        raise Unreadable(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MiB")
    return data


def _decode_python(path: Path, data: bytes) -> str:
    """Source text as CPython reads it: BOM, PEP 263 declaration, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except SyntaxError as exc:  # an unknown or contradictory coding declaration
        raise Unreadable(f"{path}: {exc.msg if hasattr(exc, 'msg') else exc}") from exc
    except (UnicodeDecodeError, LookupError) as exc:
        where = f" (byte {exc.start})" if isinstance(exc, UnicodeDecodeError) else ""
        raise Unreadable(f"{path}: not text in its declared encoding{where}: {exc}") from exc
    return text.removeprefix("\ufeff")


def notebook_source(text: str, entry_points: Sequence[str], name: str = "notebook") -> str:
    """The definitions in a notebook's code cells, in order, as one Python source.

    Cells that do not parse are kept whole (so the candidate sees the syntax error); IPython
    magics (``%``, ``!``) are dropped. :class:`Unreadable` if the JSON is not a notebook or
    no cell defines one of ``entry_points``.
    """
    try:
        notebook = json.loads(text)
    except ValueError as exc:
        raise Unreadable(f"{name}: not a notebook (invalid JSON: {exc})") from exc
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise Unreadable(f"{name}: not a notebook (no list of cells)")
    parts: list[str] = []
    defined: set[str] = set()
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            continue
        lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        code = "\n".join(lines)
        try:
            tree = ast.parse(code)
        except SyntaxError:
            parts.append(f"# cell {number}\n{code}")
            continue
        kept = []
        for node in tree.body:
            if not isinstance(node, _KEPT):
                continue
            decorators = getattr(node, "decorator_list", [])
            start = min([node.lineno, *(d.lineno for d in decorators)])
            kept.append("\n".join(lines[start - 1 : node.end_lineno]))
            defined |= _names(node)
        if kept:
            parts.append(f"# cell {number}\n" + "\n".join(kept))
    missing = [e for e in entry_points if e not in defined]
    if missing:
        raise Unreadable(
            f"{name}: no code cell defines {', '.join(repr(m) for m in missing)} "
            f"(the entry point{'s' if len(entry_points) > 1 else ''}: "
            f"{', '.join(entry_points)})"
        )
    return "\n\n".join(parts) + "\n"


def _names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign):
        targets = [node.target]
    else:  # not one of _KEPT: defines nothing the notebook keeps
        return set()
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def read_source(path: str | Path, entry_points: Sequence[str] = ()) -> str:
    """The Python source of a submission file (see the module's docstring for the rules)."""
    path = Path(path)
    data = _check_file(path)
    if path.suffix.lower() == NOTEBOOK_SUFFIX:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Unreadable(f"{path}: not UTF-8 JSON (byte {exc.start})") from exc
        source = notebook_source(text, entry_points, path.name)
    else:
        source = _decode_python(path, data)
    if not source.strip():
        raise Unreadable(f"{path}: the file is empty")
    return source


@contextlib.contextmanager
def prepared(path: str | Path, entry_points: Sequence[str] = ()) -> Iterator[Path]:
    """The submission as a UTF-8 ``.py`` file: ``path`` itself when it already is one,
    else a temporary rewrite named after it (``answer.ipynb`` -> ``answer.py``)."""
    path = Path(path)
    source = read_source(path, entry_points)
    if path.suffix == ".py" and source.encode("utf-8") == _check_file(path):
        yield path
        return
    folder = Path(tempfile.mkdtemp(prefix="judge-submission-"))
    try:
        target = folder / f"{path.stem or 'submission'}.py"
        target.write_text(source, encoding="utf-8")
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)
