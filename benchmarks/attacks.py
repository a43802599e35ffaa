"""The judge's own side against hostile submissions: each attack graded by ``judge grade``,
with its exit status, verdict, wall time and the judge process's own peak memory; then one
``grade-batch`` over all of them plus honest submissions.

Usage: python benchmarks/attacks.py [--quick] [--out DIR]

The bar (the issue's "done when"): every ``judge grade`` exits 0 or 1 with one of the eight
verdicts (never a traceback, never 2) within 60 s, with the judge's peak RSS under 1 GB, and
the batch writes every report with every row graded. Peak memory is ``ru_maxrss`` of the
judge's own process (read at its exit), not of the sandboxed child, whose memory is the
child's limit's business. Numbers are from one run on whatever machine runs it, with its
load average; nothing is asserted here (tests/attacks asserts the verdicts).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import markdown_table, results_dir, write_results

REPO = Path(__file__).resolve().parent.parent
ATTACKS = REPO / "tests" / "attacks"
PACK = REPO / "tests" / "judge" / "fixtures" / "attacks"
VERDICTS = {
    "accepted",
    "wrong_answer",
    "time_limit",
    "memory_limit",
    "runtime_error",
    "compile_error",
    "forbidden",
    "output_limit",
}
SOLVE = "solve-double"
REPLY_ATTACKS = [
    "reply_stride0_huge",
    "reply_shared_storage",
    "reply_dag",
    "reply_bad_request",
    "reply_tensor_nonce",
    "reply_unhashable_verdict",
    "reply_started_signature",
    "exc_ansi_surrogate",
]
SLEEPER = "import time\n\n\ndef {entry}(*args, **kwargs):\n    time.sleep(1000)\n"
# Runs the judge CLI in this process and writes its own peak RSS (KiB) when it exits (an
# exit function: the judge ends with os._exit once torch is loaded, after running them).
LAUNCHER = """
import atexit, resource, runpy, sys
out = sys.argv.pop(1)


def peak():
    with open(out, "w") as f:
        f.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


atexit.register(peak)
runpy.run_module("judge", run_name="__main__")
"""


def named_problem(path: Path) -> str:
    """The ``PROBLEM = "..."`` an attack file names (read with ast, never imported)."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "PROBLEM":
            return str(ast.literal_eval(node.value))
    raise SystemExit(f"{path} names no PROBLEM")


def attacks(work: Path, quick: bool) -> list[tuple[str, str, Path]]:
    """(name, problem, file) for every attack, files made in ``work`` where needed."""
    out = [(name, SOLVE, ATTACKS / f"{name}.py") for name in REPLY_ATTACKS]
    for path in sorted((ATTACKS / "judge_side").glob("*.py")):
        problem = named_problem(path)
        out.append((path.stem, problem, path))
    links = work / "links"
    links.mkdir()
    (links / "symlink_to_solution.py").symlink_to(PACK / SOLVE / "solution.py")
    (links / "symlink_to_hidden_tests.py").symlink_to(PACK / SOLVE / "hidden_tests.py")
    os.mkfifo(links / "fifo.py")
    out += [(p.stem, SOLVE, p) for p in sorted(links.iterdir())]
    for problem, entry in (("distillation-loss", "distillation_loss"), ("maml-adapt", "adapt")):
        sleeper = work / f"sleep_every_call_{entry}.py"  # every call runs to the time limit
        sleeper.write_text(SLEEPER.format(entry=entry))
        out.append((f"sleep_every_call ({problem})", problem, sleeper))
    if quick:
        keep = {"reply_stride0_huge", "reply_bad_request", "symlink_to_solution"}
        out = [a for a in out if a[0] in keep]
    return out


def judge(args: list[str], work: Path, timeout: float) -> tuple[int, float, float, str, str]:
    """(exit status, wall seconds, the judge's peak MiB, stdout, stderr) of one command."""
    rss = work / f"rss-{time.monotonic_ns()}"
    command = [sys.executable, "-c", LAUNCHER, str(rss), "--problems", str(PACK), *args]
    env = {**os.environ, "JUDGE_NO_HISTORY": "1", "PYTHONIOENCODING": "utf-8"}
    began = time.perf_counter()
    try:
        run = subprocess.run(command, cwd=work, capture_output=True, timeout=timeout, env=env)
        code, out, err = run.returncode, run.stdout, run.stderr
    except subprocess.TimeoutExpired as exc:
        code, out, err = -9, exc.stdout or b"", exc.stderr or b""
    wall = time.perf_counter() - began
    peak = int(rss.read_text()) / 1024 if rss.exists() else float("nan")
    return code, wall, peak, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def grade_each(cases: list[tuple[str, str, Path]], work: Path) -> list[dict]:
    rows = []
    for name, problem, path in cases:
        code, wall, peak, out, err = judge(["grade", problem, str(path), "--json"], work, 300)
        try:
            verdict = json.loads(out).get("verdict")
        except ValueError:
            verdict = None
        ok = code in (0, 1) and verdict in VERDICTS and wall < 60 and peak < 1024
        ok = ok and "Traceback" not in err
        rows.append(
            {
                "attack": name,
                "problem": problem,
                "exit": code,
                "verdict": verdict,
                "time_s": round(wall, 1),
                "peak_mib": round(peak),
                "meets_bar": ok,
            }
        )
        print(
            f"{name:34} {problem:18} exit {code:3}  {verdict!s:14} {wall:6.1f} s "
            f"{peak:6.0f} MiB  {'ok' if ok else 'MISSES THE BAR'}",
            flush=True,
        )
    return rows


def batch(cases: list[tuple[str, str, Path]], work: Path) -> dict:
    """One grade-batch (DIR/<candidate>/<slug>.py) over the attacks and honest files."""
    subs = work / "batch"
    for name, problem, path in cases:
        folder = subs / name.split(" ")[0]
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{problem}.py"
        if path.is_symlink():
            target.symlink_to(os.readlink(path))
        elif path.suffix == ".py" and path.is_file():
            shutil.copy(path, target)
        else:
            os.mkfifo(target)
    honest = [PACK / SOLVE / "solution.py"]
    honest += [
        sorted((REPO / "problems" / slug / "alternatives").glob("*.py"))[0]
        for slug in ("maml-adapt", "distillation-loss")
    ]
    for path in honest:  # an alternative: written another way, importing no reference code
        slug = path.parent.name if path.name == "solution.py" else path.parent.parent.name
        folder = subs / f"honest_{slug.replace('-', '_')}"
        folder.mkdir()
        shutil.copy(path, folder / f"{slug}.py")
    out = work / "report"
    args = ["grade-batch", str(subs), "--jobs", "2", "--cache", str(work / "cache")]
    args += ["--out", f"{out}.json", "--out", f"{out}.csv", "--out", f"{out}.html"]
    code, wall, peak, _, err = judge(args, work, 1800)
    written = [
        p.name for p in (Path(f"{out}.json"), Path(f"{out}.csv"), Path(f"{out}.html")) if p.exists()
    ]
    rows = json.loads(Path(f"{out}.json").read_text())["rows"] if written else []
    return {
        "exit": code,
        "time_s": round(wall, 1),
        "peak_mib": round(peak),
        "submissions": len(rows),
        "graded": sum(r["grading_status"] == "graded" for r in rows),
        "accepted": sorted(r["candidate"] for r in rows if r["verdict"] == "accepted"),
        "reports": written,
        "stderr_tail": err[-500:] if code not in (0, 1) else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="three attacks, no batch")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="metajudge-attacks-bench-") as tmp:
        work = Path(tmp)
        cases = attacks(work, args.quick)
        rows = grade_each(cases, work)
        summary = None if args.quick else batch(cases, work)
    load_after = os.getloadavg()
    table = markdown_table(
        ["attack", "problem", "exit", "verdict", "time (s)", "judge peak (MiB)", "meets the bar"],
        [
            [
                r["attack"],
                r["problem"],
                r["exit"],
                r["verdict"],
                r["time_s"],
                r["peak_mib"],
                "yes" if r["meets_bar"] else "**no**",
            ]
            for r in rows
        ],
    )
    notes = (
        f"\n{sum(r['meets_bar'] for r in rows)} of {len(rows)} attacks meet the bar (exit 0/1, "
        "one of the eight verdicts, under 60 s, judge peak under 1 GiB). Load average "
        f"{load[0]:.1f} before, {load_after[0]:.1f} after (1 min).\n"
    )
    if summary is not None:
        notes += (
            f"\ngrade-batch over the {len(rows)} attacks plus 3 honest submissions (--jobs 2): "
            f"exit {summary['exit']}, {summary['graded']} of {summary['submissions']} rows "
            f"graded, reports written: {', '.join(summary['reports']) or 'none'}, accepted: "
            f"{', '.join(summary['accepted']) or 'none'}; {summary['time_s']} s, main "
            f"process peak {summary['peak_mib']} MiB.\n"
        )
    print(table + notes)
    data = {"quick": args.quick, "rows": rows, "batch": summary, "load": [load, load_after]}
    write_results(results_dir(args.out, args.quick), "attacks", data, table + notes)


if __name__ == "__main__":
    main()
