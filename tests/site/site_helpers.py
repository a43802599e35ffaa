"""Shared by the site tests: the fixture problem set, and checks on built HTML (text
extraction, links, structure)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

from judge.problems import Problem, load_problem
from judge.site.build import site_problems

HERE = Path(__file__).resolve().parent
FIXTURE_PROBLEMS = HERE / "fixtures" / "problems"
FIXTURE_RESULTS = HERE / "fixtures" / "results"


def fixture_problems() -> list[Problem]:
    """The small, stable problem set under fixtures/ (two code problems and a quiz)."""
    return [load_problem(p) for p in sorted(FIXTURE_PROBLEMS.iterdir()) if p.is_dir()]


def repo_problems() -> list[Problem]:
    """The repository's problems that load (folders still being written are skipped)."""
    return site_problems()[0]


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "mspace", "mprescripts", "none"}  # fmt: skip
# Elements whose text is code or markup, not prose (a `$` there is legitimate).
NOT_PROSE = {"code", "pre", "script", "math", "style", "kbd"}


def visible_text(markup: str) -> str:
    """All text of a file with tags removed and entities decoded (as a reader would see it)."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


class PageAudit(HTMLParser):
    """One pass over a page: balance, ids, links, headings, labels, prose text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.links: list[str] = []  # href of <a>
        self.resources: list[str] = []  # src/href that the browser loads by itself
        self.headings: list[int] = []
        self.label_for: set[str] = set()
        self.inputs: list[tuple[str | None, bool]] = []  # (id, inside a <label>)
        self.prose: list[str] = []
        self.html_lang: str | None = None
        self.lang_blocks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if "id" in a:
            self.ids.append(str(a["id"]))
        if "lang" in a and tag != "html":
            self.lang_blocks.append(str(a["lang"]))
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        if tag in ("script", "img", "source", "iframe") and a.get("src"):
            self.resources.append(str(a["src"]))
        if tag == "link" and a.get("href"):
            self.resources.append(str(a["href"]))
        if tag == "img" and not a.get("alt"):
            self.errors.append(f"<img src={a.get('src')!r}> without alt text")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "label" and a.get("for"):
            self.label_for.add(str(a["for"]))
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.inputs.append((a.get("id"), "label" in self.stack))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not NOT_PROSE.intersection(self.stack):
            self.prose.append(data)

    def problems(self) -> list[str]:
        """Structural faults: unbalanced tags, duplicate ids, skipped heading levels, no h1,
        form fields without a label."""
        out = list(self.errors)
        if self.stack:
            out.append(f"unclosed elements: {self.stack}")
        dupes = {i for i in self.ids if self.ids.count(i) > 1}
        if dupes:
            out.append(f"duplicate ids: {sorted(dupes)}")
        if self.headings.count(1) != 1:
            out.append(f"{self.headings.count(1)} <h1> elements")
        for before, after in zip(self.headings, self.headings[1:], strict=False):
            if after > before + 1:
                out.append(f"heading level skips from h{before} to h{after}")
        for ident, wrapped in self.inputs:
            if not wrapped and ident not in self.label_for:
                out.append(f"form field id={ident!r} has no label")
        if not self.html_lang:
            out.append("<html> has no lang")
        return out


def audit(path: Path) -> PageAudit:
    parser = PageAudit()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


PUBLIC_NAMES = ("public_tests.py", "starter.py", "solution.py", "prompt.md", "prompt.zh.md",
                "editorial.md", "editorial.zh.md")  # fmt: skip


def non_trivial_hidden_lines(folder: Path) -> list[str]:
    """Lines of hidden_tests.py that would reveal something: not blank, not imports or
    decorators, long enough to be specific, and not also in a public file of any problem
    beside it (a helper line shared with published tests is not a secret)."""
    public = ""
    for name in PUBLIC_NAMES:
        for path in folder.parent.glob(f"*/{name}"):
            public += path.read_text(encoding="utf-8")
    lines = []
    for raw in (folder / "hidden_tests.py").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if len(line) < 24 or line.startswith(("import ", "from ", "@", '"""', "return ")):
            continue
        if line in public:
            continue
        lines.append(line)
    return lines
