"""Flag suspiciously similar submissions: AST normalisation + k-gram winnowing (MOSS).

Why our own ~200 lines rather than a library: ``copydetect`` (the one maintained Python
winnowing tool we found) fingerprints characters of pygments tokens, keeps docstrings as
string tokens, cannot reorder definitions, and would add tqdm to the dependencies.

The method (Schleimer, Wilkerson, Aiken, "Winnowing: local algorithms for document
fingerprinting", SIGMOD 2003):

1. parse the file and normalise its AST: drop docstrings (comments never reach the AST),
   rename every identifier that is not a builtin to one placeholder, and sort the top-level
   definitions by their renamed shape, so renaming variables or reordering functions
   changes nothing;
2. walk the tree into a token stream (node types, operators, attribute names, numbers),
   each token remembering its line in the original file;
3. hash every k-gram of tokens and keep, in every window of ``w`` consecutive hashes, the
   minimum (the winnowing guarantee: any shared run of ``w + k - 1`` tokens is caught);
4. score a pair by the Jaccard index of their fingerprint sets, minus the starter's
   fingerprints (shared boilerplate is not evidence), and report the matching line regions.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import importlib
import inspect
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from judge.problems import Problem
from judge.submission import BadSubmission, read_source

__all__ = [
    "Fingerprint",
    "Pair",
    "Region",
    "compare",
    "find_similar",
    "find_similar_prints",
    "fingerprint",
    "fingerprint_file",
    "from_stored",
    "reference_source",
    "references_of",
    "to_stored",
]

K = 10
"""Tokens per k-gram: shorter runs than this are too common to be evidence."""
WINDOW = 6
"""Winnowing window: every shared run of K + WINDOW - 1 tokens shares a fingerprint."""
MIN_FINGERPRINTS = 8
"""Below this many (after removing the starter's), a file is too small to judge."""
DEFAULT_THRESHOLD = 0.7
MAX_SOURCE_CHARS = 256_000
MAX_TOKENS = 60_000
MAX_REGIONS = 20
"""Bounds per submission: a file past them is not fingerprinted (a hostile one built to
blow up the fingerprinting must not take the batch down; an honest solution is far below)."""
_BUILTINS = frozenset(dir(builtins))
_SNIPPET_LINES = 40


class _Normalise(ast.NodeTransformer):
    """Drop docstrings and rename non-builtin identifiers to one placeholder."""

    def _body(
        self, node: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    ) -> ast.AST:
        body = node.body
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass(lineno=body[0].lineno)]
        self.generic_visit(node)
        return node

    visit_Module = visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _body

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id not in _BUILTINS:
            node.id = "_"
        return node


def _tokens(node: ast.AST, line: int, out: list[tuple[str, int]]) -> None:
    """Pre-order walk: one token per node, with its most specific payload."""
    line = getattr(node, "lineno", line)
    label = type(node).__name__
    if isinstance(node, ast.Name):
        label = f"N:{node.id}"
    elif isinstance(node, ast.Attribute):
        label = f"A:{node.attr}"
    elif isinstance(node, ast.Constant):
        value = node.value
        label = "S" if isinstance(value, str | bytes) else f"C:{value!r}"
    elif isinstance(node, ast.expr_context):
        return
    out.append((label, line))
    for child in ast.iter_child_nodes(node):
        _tokens(child, line, out)


def normalised_tokens(source: str) -> list[tuple[str, int]]:
    """The token stream of ``source`` after normalisation (raises SyntaxError)."""
    tree = _Normalise().visit(ast.parse(source))
    blocks = []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            stmt.name = "_"
        tokens: list[tuple[str, int]] = []
        _tokens(stmt, getattr(stmt, "lineno", 1), tokens)
        blocks.append(tokens)
    # Imports first, in file order; definitions and the rest sorted by their renamed shape.
    head = [
        b
        for b, s in zip(blocks, tree.body, strict=True)
        if isinstance(s, ast.Import | ast.ImportFrom)
    ]
    rest = sorted(
        (
            b
            for b, s in zip(blocks, tree.body, strict=True)
            if not isinstance(s, ast.Import | ast.ImportFrom)
        ),
        key=lambda b: [label for label, _ in b],
    )
    return list(itertools.chain(*head, *rest))


@dataclass
class Fingerprint:
    """Winnowed k-gram hashes of one file, each with the line span it covers."""

    hashes: dict[int, list[tuple[int, int]]]
    lines: list[str]


def fingerprint(source: str, k: int = K, window: int = WINDOW) -> Fingerprint | None:
    """Fingerprint ``source``; None for a file that does not parse or is past the bounds
    (nothing to compare)."""
    if len(source) > MAX_SOURCE_CHARS:
        return None
    try:
        tokens = normalised_tokens(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if len(tokens) > MAX_TOKENS:
        return None
    grams = []
    for i in range(len(tokens) - k + 1):
        gram = "\x1f".join(label for label, _ in tokens[i : i + k]).encode()
        lines = [line for _, line in tokens[i : i + k]]
        grams.append((int.from_bytes(hashlib.blake2b(gram, digest_size=8).digest()), lines))
    hashes: dict[int, list[tuple[int, int]]] = {}
    chosen = set()
    for start in range(max(len(grams) - window + 1, 1 if grams else 0)):
        span = grams[start : start + window]
        # the rightmost minimum, as in the paper, so that runs of equal hashes pick one
        best = min(range(len(span)), key=lambda j: (span[j][0], -j)) + start
        if best not in chosen:
            chosen.add(best)
            value, lines = grams[best]
            hashes.setdefault(value, []).append((min(lines), max(lines)))
    return Fingerprint(hashes, source.splitlines())


@dataclass
class Region:
    """Lines of ``a`` that match lines of ``b`` (1-based, inclusive), with their text (empty
    when the file was not at hand: a pair found from stored fingerprints)."""

    a: list[int]
    b: list[int]
    a_text: str = ""
    b_text: str = ""


@dataclass
class Pair:
    """Two submissions to one problem (or one vs the reference) that look copied."""

    problem: str
    a: str
    b: str
    score: float
    """Jaccard index of the two fingerprint sets (starter removed), 0..1, to 4 decimals."""
    containment: float
    """Shared fingerprints over the smaller set: how much of the smaller file is shared."""
    regions: list[Region] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["score"] = round(self.score, 4)
        data["containment"] = round(self.containment, 4)
        return data


def _merge(spans: Iterable[tuple[int, int]]) -> list[list[int]]:
    merged: list[list[int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return merged


def _snippet(lines: list[str], span: list[int]) -> str:
    first, last = span
    return "\n".join(lines[first - 1 : min(last, first + _SNIPPET_LINES - 1)])


def compare(
    a: Fingerprint, b: Fingerprint, boilerplate: frozenset[int] = frozenset()
) -> tuple[float, float, list[Region]]:
    """(Jaccard, containment, matching regions) of two fingerprints."""
    set_a, set_b = set(a.hashes) - boilerplate, set(b.hashes) - boilerplate
    if min(len(set_a), len(set_b)) < MIN_FINGERPRINTS:
        return 0.0, 0.0, []
    shared = set_a & set_b
    jaccard = len(shared) / len(set_a | set_b)
    containment = len(shared) / min(len(set_a), len(set_b))
    spans_a = _merge(span for h in shared for span in a.hashes[h])
    spans_b = _merge(span for h in shared for span in b.hashes[h])
    regions: list[Region] = []
    for span_a in spans_a:
        # pair each region of A with the regions of B its fingerprints map to
        hits = [s for h in shared for s in b.hashes[h] if _inside(a.hashes[h], span_a)]
        for span_b in _merge(hits) if hits else spans_b[:1]:
            if len(regions) >= MAX_REGIONS:
                break
            regions.append(
                Region(span_a, span_b, _snippet(a.lines, span_a), _snippet(b.lines, span_b))
            )
    return jaccard, containment, regions


def _inside(spans: list[tuple[int, int]], region: list[int]) -> bool:
    return any(region[0] <= first and last <= region[1] for first, last in spans)


def reference_source(solution: Path) -> str:
    """``solution.py``'s text, plus the source of what it imports from ``reference`` (our
    solutions are often thin imports: the code to compare against lives there)."""
    text = solution.read_text(encoding="utf-8")
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    extra = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reference"):
            try:
                module = importlib.import_module(node.module or "")
                extra += [inspect.getsource(getattr(module, a.name)) for a in node.names]
            except (ImportError, AttributeError, OSError, TypeError):
                continue
    return "\n".join([text, *extra])


def references_of(
    problems: Mapping[str, Problem],
) -> tuple[dict[str, list[tuple[str, str]]], dict[str, str]]:
    """Per code problem: the reference sources a submission is compared with (the solution,
    the alternatives) and the starter, whose fingerprints are ignored."""
    references, starters = {}, {}
    for slug, problem in problems.items():
        if problem.kind != "code":
            continue
        refs = [("reference:solution.py", reference_source(problem.solution))]
        refs += [
            (f"reference:alternatives/{p.name}", p.read_text(encoding="utf-8"))
            for p in problem.alternatives
        ]
        references[slug] = refs
        starters[slug] = problem.starter.read_text(encoding="utf-8")
    return references, starters


def fingerprint_file(path: str | Path) -> Fingerprint | None:
    """The fingerprint of a submission file as graded (BOM, PEP 263, a notebook's
    definitions); None when it cannot be read or parsed."""
    try:
        return fingerprint(read_source(Path(path)))
    except (OSError, BadSubmission):
        return None


MAX_STORED = 100_000
"""At most this many stored fingerprints are read back from a report (a report is a file
someone may have edited: bounded before it is materialised)."""


def to_stored(fp: Fingerprint) -> list[list[int]]:
    """A fingerprint as JSON for a report row: ``[hash, first_line, last_line]`` triples
    (no source text), so that ``report merge`` can compare rows from different shards."""
    return [[h, first, last] for h, spans in sorted(fp.hashes.items()) for first, last in spans]


def from_stored(data: Any, lines: list[str] | None = None) -> Fingerprint | None:
    """A stored fingerprint back (``lines``: the source, for the regions' text, if at
    hand); None for anything that is not a list of integer triples."""
    if not isinstance(data, list) or len(data) > MAX_STORED:
        return None
    hashes: dict[int, list[tuple[int, int]]] = {}
    for item in data:
        if not (
            isinstance(item, list)
            and len(item) == 3
            and all(isinstance(x, int) and not isinstance(x, bool) for x in item)
        ):
            return None
        hashes.setdefault(item[0], []).append((item[1], item[2]))
    return Fingerprint(hashes, list(lines or []))


def find_similar(
    submissions: dict[str, dict[str, Path]],
    *,
    references: dict[str, list[tuple[str, str]]] | None = None,
    boilerplate: dict[str, str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Pair]:
    """Pairs scoring at least ``threshold``, most similar first.

    ``submissions``: problem -> {label (candidate): file}; ``references``: problem ->
    [(label, source)] (the solution, alternatives) each submission is also compared with;
    ``boilerplate``: problem -> the starter's source, whose fingerprints are ignored.
    """
    prints = {
        problem: {
            label: fp
            for label, path in sorted(files.items())
            if (fp := fingerprint_file(path)) is not None
        }
        for problem, files in submissions.items()
    }
    return find_similar_prints(
        prints, references=references, boilerplate=boilerplate, threshold=threshold
    )


def find_similar_prints(
    submissions: dict[str, dict[str, Fingerprint]],
    *,
    references: dict[str, list[tuple[str, str]]] | None = None,
    boilerplate: dict[str, str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Pair]:
    """:func:`find_similar` over fingerprints already made (or stored in reports)."""
    pairs = []
    for problem, prints in sorted(submissions.items()):
        base = fingerprint((boilerplate or {}).get(problem, ""))
        ignore = frozenset(base.hashes) if base else frozenset()
        refs = [(label, fingerprint(src)) for label, src in (references or {}).get(problem, [])]
        candidates = list(itertools.combinations(sorted(prints), 2))
        candidates += [(label, ref) for label in sorted(prints) for ref, _ in refs]
        ref_prints = {label: fp for label, fp in refs if fp is not None}
        for a, b in candidates:
            fp_b = ref_prints.get(b) if b not in prints else prints[b]
            if fp_b is None:
                continue
            score, containment, regions = compare(prints[a], fp_b, ignore)
            if score >= threshold and score > 0:
                # rounded as the report writes them: a pair reads back from a report equal
                pairs.append(Pair(problem, a, b, round(score, 4), round(containment, 4), regions))
    return sorted(pairs, key=lambda p: (-p.score, p.problem, p.a, p.b))
