"""The study site: a static, offline, bilingual HTML rendering of the problem folders.

`build_site(out, problems)` writes `index.html`, one page per problem under `p/` (with its
starter and public tests to download beside it), a "Getting started" page, the learner's
results page and the judge's internals page, the shared assets and a search index
(`search-index.js`, a script that sets a global, so the site works opened from disk where
`fetch` of a local file is refused; `search-index.json` for other tools). Every URL is
relative and nothing is loaded from another origin. Every page is checked as it is written
(judge.site.checks): a formula showing LaTeX or a path of this machine stops the build;
English left on the Chinese side is listed in the summary.
`serve(directory, port)` previews a built site on localhost.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from judge.problems import Problem, ProblemError, discover, load_problem
from judge.resources import data_dir
from judge.site.checks import builder_paths, math_faults, untranslated
from judge.site.content import ProblemPage, load_page, site_topics
from judge.site.mathrender import clear_caches, pygments_css
from judge.site.results import load_results, results_for

__all__ = [
    "SITE_ASSETS",
    "BuildSummary",
    "SiteError",
    "build_site",
    "make_server",
    "page_bytes",
    "serve",
    "site_problems",
]

# Every file the builder reads that is not a problem's is found from these: the checkout's
# site/ and benchmarks/results/, or an installed package's copies of them.
SITE_ASSETS = data_dir("site")  # templates/, static/, content/
RESULTS_DIR = data_dir("results")
RESULT_TRANSLATIONS = "content/results.toml"  # under the assets folder
DIFFICULTIES = ("easy", "medium", "hard")
SITE_MARKER = "search-index.js"  # a folder holding it was written by build_site
# The file a learner edits after `judge init SLUG` (as judge/cli/browse.py's `init` names it).
WORKSPACE_FILE = "{slug}/{slug}.py"
QUIZ_WORKSPACE_FILE = "{slug}/{slug}.toml"


@dataclass
class BuildSummary:
    """What a build wrote: pages with their total bytes (HTML plus the assets it loads)."""

    out: Path
    seconds: float
    problems: int
    page_bytes: dict[str, int] = field(default_factory=dict)  # page path -> total bytes
    files: int = 0
    total_bytes: int = 0  # every file under `out`
    skipped: list[str] = field(default_factory=list)  # problems that could not be rendered
    untranslated: list[str] = field(default_factory=list)  # "page: English text" under 中文

    def table(self) -> str:
        """A plain-text report: one line per page, then the totals."""
        width = max((len(p) for p in self.page_bytes), default=4)
        lines = [f"{'page':<{width}}  {'bytes':>9}"]
        lines += [f"{p:<{width}}  {n:>9,}" for p, n in sorted(self.page_bytes.items())]
        biggest = max(self.page_bytes.values(), default=0)
        lines += [f"skipped {s}" for s in self.skipped]
        lines += [f"untranslated {u}" for u in self.untranslated]
        lines.append(
            f"{len(self.page_bytes)} pages ({self.problems} problems), {self.files} files, "
            f"{self.total_bytes:,} bytes in {self.out}; largest page {biggest:,} bytes; "
            f"built in {self.seconds:.2f} s"
        )
        return "\n".join(lines)


class SiteError(ProblemError):
    """A page a reader must not meet: a formula showing its LaTeX, a path of this machine.
    A ProblemError: the text that produced it is a problem's or a report's, to be fixed
    there (`judge site build` reports it and exits 2)."""


def site_problems(packs: Iterable[str | Path] = ()) -> tuple[list[Problem], list[str]]:
    """Every problem that loads, and one message per folder that does not.

    The site publishes what is ready: a half-written folder is reported, not fatal.
    """
    problems, errors = [], []
    for folder in discover(packs).values():
        try:
            problems.append(load_problem(folder))
        except ProblemError as exc:
            errors.append(str(exc))
    return problems, errors


@functools.lru_cache(maxsize=4)
def _environment(templates: Path) -> Environment:
    """The jinja2 environment (cached: it keeps the compiled templates, checking their dates)."""
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _search_entry(page: ProblemPage) -> dict:
    p = page.problem
    return {
        "slug": p.slug,
        "url": f"p/{p.slug}.html",
        "title": p.title,
        "title_zh": p.title_zh,
        "topic": p.topic,
        "difficulty": p.difficulty,
        "kind": p.kind,
        "tags": list(p.tags),
        # One haystack per language; the index page lower-cases it, matches every word
        # typed and shows a highlighted excerpt around the first.
        "text": {
            lang: " ".join([p.title, p.title_zh, *p.tags, page.search_text.get(lang, "")])
            for lang in ("en", "zh")
        },
    }


# What a browser loads with a page: scripts, images, stylesheets, the icon (not the pages
# that <link rel="prev/next"> names).
_REF = re.compile(
    r'<(?:script|img)\b[^>]*?\bsrc="([^"#?]+)"'
    r'|<link\b[^>]*?\brel="(?:stylesheet|icon)"[^>]*?\bhref="([^"#?]+)"'
)


def page_bytes(html_path: Path, out: Path) -> int:
    """Bytes a browser fetches for a page: the HTML plus every local script, style and image."""
    text = html_path.read_text(encoding="utf-8")
    total = len(text.encode("utf-8"))
    for ref in sorted({src or href for src, href in _REF.findall(text)}):
        target = (html_path.parent / ref).resolve()
        if target.is_file() and out.resolve() in target.parents:
            total += target.stat().st_size
    return total


def build_site(
    out: Path,
    problems: Sequence[Problem],
    *,
    results_dir: Path | None = RESULTS_DIR,
    assets: Path = SITE_ASSETS,
) -> BuildSummary:
    """Render `problems` into a static site under `out` (replaced) and summarise it.

    A problem whose public files cannot be rendered (a malformed questions.toml, say) is left
    out and named in `BuildSummary.skipped`, so a half-written folder does not stop the site.
    An existing `out` is replaced only if it is empty or a site built before; any other
    folder raises FileExistsError. Raises SiteError, after writing, if a page shows a
    formula's LaTeX or an absolute path of this machine.

    results_dir: benchmark reports (`*.md`) and plots (`*.png`) to show on the pages they
    belong to and on the results pages; None for none.
    """
    start = time.perf_counter()
    clear_caches()
    out = Path(out)
    if out.exists():
        # Only ever delete a folder this function wrote (or an empty one): `--out .` must
        # not wipe a checkout.
        if out.is_dir() and any(out.iterdir()) and not (out / SITE_MARKER).is_file():
            raise FileExistsError(f"{out}: not empty and not a built site; choose another --out")
        shutil.rmtree(out) if out.is_dir() else out.unlink()
    (out / "p").mkdir(parents=True)
    shutil.copytree(assets / "static", out / "static")
    (out / "static" / "pygments.css").write_text(pygments_css(), encoding="utf-8")

    results, pngs = load_results(results_dir, assets / RESULT_TRANSLATIONS)
    if pngs:
        (out / "results").mkdir()
        for png in pngs:
            shutil.copy2(png, out / "results" / png.name)

    topics = site_topics(sorted({str(p.path.parent) for p in problems}))
    problems = sorted(problems, key=lambda p: (list(topics).index(p.topic), p.order, p.slug))
    pages, skipped = [], []
    for problem in problems:
        try:
            page = load_page(problem)
        except (OSError, ValueError, KeyError, TypeError) as exc:  # tomllib errors are ValueErrors
            skipped.append(f"{problem.path}: not rendered: {type(exc).__name__}: {exc}")
            continue
        page.results = results_for(problem.slug, results)
        pages.append(page)
    problems = [page.problem for page in pages]
    by_slug = {p.slug: p for p in problems}
    env = _environment(assets / "templates")
    env.globals["topics"] = topics  # this build's: a pack may add a topic

    written: list[Path] = []
    faults: list[str] = []
    missing: list[str] = []
    # Where this build runs: none of it may appear in a page.
    roots = {str(SITE_ASSETS.resolve().parent), str(Path.home()), str(out.resolve())}
    roots.add(str(assets.resolve()))
    roots |= {str(p.path.resolve().parent) for p in problems}
    if results_dir is not None:
        roots.add(str(results_dir.resolve()))

    def check(rel: str, text: str) -> None:
        faults.extend(f"{rel}: formula {f}" for f in math_faults(text))
        faults.extend(f"{rel}: path of this machine {p}" for p in builder_paths(text, roots))

    def write(rel: str, template: str, root: str, **context: object) -> None:
        html = env.get_template(template).render(root=root, page_path=rel, **context)
        path = out / rel
        path.write_text(html, encoding="utf-8")
        written.append(path)
        check(rel, html)
        missing.extend(f"{rel}: {text}" for text in untranslated(html))

    groups = [
        (topic, names, [pg for pg in pages if pg.problem.topic == topic])
        for topic, names in topics.items()
    ]
    tags = sorted({t for p in problems for t in p.tags})
    write(
        "index.html",
        "index.html",
        "",
        groups=[g for g in groups if g[2]],
        tags=tags,
        difficulties=DIFFICULTIES,
        count=len(problems),
    )
    first = pages[0].problem if pages else None
    write("getting-started.html", "start.html", "", first=first)
    for i, page in enumerate(pages):
        p = page.problem
        template = "quiz.html" if p.is_quiz else "problem.html"
        workspace = (QUIZ_WORKSPACE_FILE if p.is_quiz else WORKSPACE_FILE).format(slug=p.slug)
        if page.downloads:
            (out / "p" / p.slug).mkdir()
            for name, text in page.downloads.items():
                (out / "p" / p.slug / name).write_text(text, encoding="utf-8")
                check(f"p/{p.slug}/{name}", text)
        write(
            f"p/{p.slug}.html",
            template,
            "../",
            page=page,
            problem=p,
            related=[(s, by_slug.get(s)) for s in p.related],
            previous=pages[i - 1].problem if i > 0 else None,
            next=pages[i + 1].problem if i + 1 < len(pages) else None,
            workspace=workspace,
            quiz_key=_script_json(
                {
                    q: {"answer": k["answer"], "tolerance": k["tolerance"]}
                    for q, k in page.key.items()
                }
            ),
        )
    shown_on = _result_pages(pages)
    for rel, learner in (("results.html", True), ("internals.html", False)):
        write(
            rel,
            "results.html",
            "",
            results=[r for r in results if r.learner == learner],
            result_pages=shown_on,
            learner=learner,
        )

    entries = [_search_entry(pg) for pg in pages]
    data = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    (out / "search-index.json").write_text(data, encoding="utf-8")
    # `</` cannot end a script early; escape it anyway for safety if text ever holds it.
    script = "window.MJ_SEARCH_INDEX = " + data.replace("</", "<\\/") + ";\n"
    (out / "search-index.js").write_text(script, encoding="utf-8")
    check("search-index.js", script)
    if faults:
        raise SiteError("the site has pages a reader must not meet:\n  " + "\n  ".join(faults))

    files = [f for f in out.rglob("*") if f.is_file()]
    return BuildSummary(
        out=out,
        seconds=time.perf_counter() - start,
        problems=len(problems),
        page_bytes={p.relative_to(out).as_posix(): page_bytes(p, out) for p in written},
        files=len(files),
        total_bytes=sum(f.stat().st_size for f in files),
        skipped=skipped,
        untranslated=missing,
    )


def _script_json(value: object) -> str:
    """JSON safe to place inside a <script> element (no `<` that could close it)."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def _result_pages(pages: Iterable[ProblemPage]) -> dict[str, list[Problem]]:
    """Result stem -> the problems whose pages show it."""
    shown: dict[str, list[Problem]] = {}
    for page in pages:
        for result in page.results:
            shown.setdefault(result.stem, []).append(page.problem)
    return shown


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files; logs only errors, so a preview's terminal stays readable."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if str(code).startswith(("4", "5")):
            super().log_request(code, size)


def make_server(
    directory: Path, port: int = 8000, host: str = "127.0.0.1"
) -> http.server.ThreadingHTTPServer:
    """An HTTP server for a built site (port 0 picks a free port); call serve_forever()."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve(directory: Path, port: int = 8000, host: str = "127.0.0.1") -> None:
    """Serve a built site on http://host:port/ until interrupted (Ctrl-C)."""
    if not (Path(directory) / "index.html").is_file():
        raise FileNotFoundError(f"{directory}/index.html: no site here; run `judge site build`")
    with make_server(directory, port, host) as httpd:
        print(f"Serving {directory} at http://{host}:{httpd.server_address[1]}/ (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            httpd.serve_forever()
