"""Shared helpers for the benchmark scripts: where results go and how they are written.

Every benchmark prints its table and writes ``<name>.json`` (the numbers and the settings
that produced them), ``<name>.md`` (the table the README quotes) and optional PNG figures
into one results folder. Full runs write to ``benchmarks/results/`` (committed); ``--quick``
runs default to ``benchmarks/results/quick/`` so that a smoke run never overwrites them.

Usage::

    from _common import markdown_table, results_dir, write_results

    out = results_dir(args.out, quick=args.quick)
    table = markdown_table(["method", "MSE"], [["MAML", "0.35"]])
    write_results(out, "sinusoid", {"rows": rows, "config": config}, table, {"": fig})
"""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def results_dir(out: str | Path | None, quick: bool) -> Path:
    """The folder to write into: ``out`` if given, else results/ (or results/quick/)."""
    if out is not None:
        return Path(out)
    return RESULTS_DIR / "quick" if quick else RESULTS_DIR


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table; cells are formatted with ``str``."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def machine() -> dict[str, Any]:
    """What the numbers were measured on (recorded in every JSON)."""
    import torch

    return {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "torch_threads": torch.get_num_threads(),
    }


def write_results(
    out_dir: str | Path,
    name: str,
    data: Mapping[str, Any],
    markdown: str,
    figures: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write ``name.json``, ``name.md`` and figures ``name[_key].png`` into ``out_dir``.

    ``data`` must be JSON-serialisable; the time and :func:`machine` are added to it.
    ``figures`` maps a suffix (``""`` for the main figure) to a matplotlib Figure, which is
    saved at 120 dpi and closed. Returns the paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    record = {"benchmark": name, "written": datetime.now(UTC).isoformat(timespec="seconds")}
    record |= {"machine": machine(), **data}
    paths = [out / f"{name}.json", out / f"{name}.md"]
    paths[0].write_text(json.dumps(record, indent=2) + "\n")
    paths[1].write_text(markdown)
    for suffix, fig in (figures or {}).items():
        path = out / (f"{name}_{suffix}.png" if suffix else f"{name}.png")
        fig.savefig(path, dpi=120, bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(fig)
        paths.append(path)
    return paths
