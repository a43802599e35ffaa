"""benchmarks/meta_variants.py runs end to end in its --quick mode (through subprocess), and
the properties its tables rest on hold: iMAML's implicit gradient converges to MAML's unrolled
one as the inner problem and CG converge, and only MAML's saved memory grows with the steps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.slow
def test_meta_variants_quick(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "meta_variants.py"), "--quick", "--iterations", "2",
         "--tasks", "4", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "meta_variants.md").read_text() in result.stdout
    data = json.loads((tmp_path / "meta_variants.json").read_text())
    assert data["quick"] and data["config"]["iterations"] == 2
    assert {(r["family"], r["method"]) for r in data["anil"]} == {
        (f, m) for f in ("sinusoid", "digits 4-way 5-shot") for m in ("MAML", "ANIL")
    }
    assert all(v > 0 for v in data["time_ratio_maml_over_anil"].values())
    converged = max(data["agreement"], key=lambda r: (r["inner_steps"], r["cg_steps"]))
    assert converged["rel_error"] < 1e-3 and converged["cosine"] > 0.9999
    memory = sorted(data["memory"], key=lambda r: r["inner_steps"])
    maml = [r["maml_saved_mb"] for r in memory]
    imaml = [r["imaml_saved_mb"] for r in memory]
    assert maml == sorted(maml) and maml[-1] > 3 * maml[0]
    assert max(imaml) == min(imaml), "iMAML's memory does not depend on the inner steps"
