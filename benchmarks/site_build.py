"""Time a full study-site build and report what each page weighs.

Builds the site from the repository's problems (and the committed benchmark results) several
times into a temporary folder; reports the median and best build time against the 3 s target,
the share of it spent rendering Markdown, math and code (loading the pages' content), and the
total bytes of every page (its HTML plus the scripts, styles and images it loads).

    python benchmarks/site_build.py            # 5 builds; writes benchmarks/results/site_build.*
    python benchmarks/site_build.py --quick    # 1 build; writes benchmarks/results/quick/
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import markdown_table, results_dir, write_results

from judge.site.build import (
    RESULT_TRANSLATIONS,
    RESULTS_DIR,
    SITE_ASSETS,
    build_site,
    site_problems,
)
from judge.site.content import load_page
from judge.site.results import load_results

TARGET_S = 3.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one build (a smoke run)")
    parser.add_argument("--repeats", type=int, default=None, help="builds to time (default 5)")
    parser.add_argument("--out", default=None, help="results folder (default benchmarks/results)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)

    load_before = os.getloadavg()[0]
    problems, errors = site_problems()
    for error in errors:
        print(f"skipped: {error}", file=sys.stderr)
    times, cpu_times, content_times, summary = [], [], [], None
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeats):
            cpu = time.process_time()
            summary = build_site(Path(tmp) / "_site", problems)
            cpu_times.append(time.process_time() - cpu)
            times.append(summary.seconds)
            start = time.perf_counter()
            load_results(RESULTS_DIR, SITE_ASSETS / RESULT_TRANSLATIONS)
            for problem in problems:
                load_page(problem)
            content_times.append(time.perf_counter() - start)
    assert summary is not None
    median, best, cpu = statistics.median(times), min(times), statistics.median(cpu_times)
    content_share = statistics.median(content_times) / median

    rows = [[page, f"{n:,}"] for page, n in sorted(summary.page_bytes.items())]
    sizes = list(summary.page_bytes.values())
    head = markdown_table(
        ["problems", "pages", "median build (s)", "best (s)", "CPU (s)", "wall vs 3 s target",
         "CPU vs 3 s target", "content rendering share", "largest page (bytes)",
         "median page (bytes)", "site total (bytes)"],
        [[summary.problems, len(sizes), f"{median:.2f}", f"{best:.2f}", f"{cpu:.2f}",
          f"{median / TARGET_S:.0%}", f"{cpu / TARGET_S:.0%}", f"{content_share:.0%}",
          f"{max(sizes):,}", f"{int(statistics.median(sizes)):,}", f"{summary.total_bytes:,}"]],
    )  # fmt: skip
    pages = markdown_table(["page", "total bytes (HTML + assets it loads)"], rows)
    markdown = (
        "# Study-site build\n\n"
        f"`judge site build` over {summary.problems} problems, {repeats} build(s) on this "
        f"machine (shared: load average {load_before:.1f} on {os.cpu_count()} cores when it "
        "started, so wall times vary; CPU time is the build's own work, what the wall time "
        "would be on an idle core). Bytes per page "
        "count the HTML and every local "
        "script, stylesheet and image it loads.\n\n"
        f"{head}\n## Bytes per page\n\n{pages}"
    )
    print(summary.table())
    print()
    print(head)
    out = results_dir(args.out, quick=args.quick)
    data = {
        "repeats": repeats,
        "build_seconds": times,
        "cpu_seconds": cpu_times,
        "content_seconds": content_times,
        "median_s": median,
        "target_s": TARGET_S,
        "content_share": content_share,
        "problems": summary.problems,
        "page_bytes": summary.page_bytes,
        "total_bytes": summary.total_bytes,
        "skipped": errors,
        "load_average_1min": load_before,
        "cpu_count": os.cpu_count(),
    }
    for path in write_results(out, "site_build", data, markdown):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
