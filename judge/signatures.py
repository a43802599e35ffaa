"""Does a submission's entry point accept every call the contract allows?

The contract is the function as ``starter.py`` declares it. A submission whose function
renames a parameter (a keyword call such as ``steps=2`` would fail), drops one, makes an
optional one required or adds a required one is a ``compile_error`` that names the expected
signature, before any test runs — rather than a confusing ``TypeError`` in the first test.

Signatures are compared as text parsed by :mod:`ast` (never evaluated): the submission's
comes from the child as ``str(inspect.signature(fn))``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Params:
    """The parameters of one function: names in order, which have defaults, and catch-alls."""

    positional: tuple[str, ...]
    optional: frozenset[str]
    keyword_only: tuple[str, ...]
    varargs: bool
    varkw: bool

    @classmethod
    def of(cls, args: ast.arguments) -> Params:
        positional = tuple(a.arg for a in [*args.posonlyargs, *args.args])
        optional = set(positional[len(positional) - len(args.defaults) :])
        optional |= {
            a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
        }
        return cls(
            positional,
            frozenset(optional),
            tuple(a.arg for a in args.kwonlyargs),
            args.vararg is not None,
            args.kwarg is not None,
        )

    @classmethod
    def parse(cls, text: str) -> Params | None:
        """Parameters from ``"(a, b=1, *, c)"`` text; ``None`` if it does not parse."""
        try:
            tree = ast.parse(f"def f{text}: pass")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        fn = tree.body[0]
        return cls.of(fn.args) if isinstance(fn, ast.FunctionDef) else None


def contract(starter: Path, entry: str) -> tuple[str, Params] | None:
    """The starter's signature of ``entry`` as text, without annotations, and its Params."""
    tree = ast.parse(starter.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == entry:
            args = node.args
            for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                a.annotation = None
            for star in (args.vararg, args.kwarg):
                if star is not None:
                    star.annotation = None
            return f"({ast.unparse(args)})", Params.of(args)
    return None


def incompatibility(want: Params, got: Params) -> str | None:
    """Why a function with ``got`` cannot be called as ``want`` allows, or ``None``."""
    for i, name in enumerate(want.positional):
        if i < len(got.positional):
            if got.positional[i] != name and not (got.varargs and got.varkw):
                return f"parameter {i + 1} is {got.positional[i]!r}, expected {name!r}"
        elif not (got.varargs and got.varkw):
            return f"parameter {name!r} is missing"
        if name in want.optional and name in got.positional and name not in got.optional:
            return f"parameter {name!r} must be optional (it has a default in the contract)"
    for name in want.keyword_only:
        if name not in got.positional and name not in got.keyword_only and not got.varkw:
            return f"keyword parameter {name!r} is missing"
    wanted = set(want.positional) | set(want.keyword_only)
    extra = [n for n in (*got.positional, *got.keyword_only) if n not in wanted]
    required = [n for n in extra if n not in got.optional]
    if required:
        return f"parameter {required[0]!r} is not in the contract and has no default"
    return None


def check(starter: Path, signatures: dict[str, str]) -> str | None:
    """The first entry point whose submitted signature breaks the contract, as a message."""
    for entry, text in signatures.items():
        expected = contract(starter, entry)
        if expected is None:
            continue
        want_text, want = expected
        got = Params.parse(text)
        if got is None:
            continue  # a callable whose signature the child could not state: judged by the tests
        reason = incompatibility(want, got)
        if reason:
            return f"{entry}{text} does not match the contract {entry}{want_text}: {reason}"
    return None
