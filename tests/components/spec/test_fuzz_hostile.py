"""The hostile-input fuzz suite, run in CI with a fixed budget inside a memory cap.

``tests.support.fuzz`` runs in a subprocess under ``RLIMIT_AS`` (so a regression that expands an
alias bomb dies of MemoryError instead of taking the machine), hypothesis derandomized (the
same cases every run) with a fixed number of examples, and reports cases, failures, the
slowest case and the peak RSS. The named hostile cases (alias bombs, 120,000 pools, 100,000
labels, a 2 MB string, 400,000-deep nesting) always run, through validate and plan.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fuzz import alias_bomb

REPO = Path(__file__).resolve().parents[3]
CAP_MIB = 1024
EXAMPLES = 200


def _run(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.slow
def test_fuzz_hostile_specs_within_budget_and_memory_cap() -> None:
    proc = _run("-m", "tests.support.fuzz", "--examples", str(EXAMPLES), "--memory-mib", str(CAP_MIB), timeout=600)
    assert proc.stdout.strip(), proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    print("fuzz:", json.dumps(report))  # the figures, in the CI log (pytest -rA / -s)
    assert report["failure"] is None and report["failures"] == 0, report
    assert proc.returncode == 0, report
    assert report["cases"] >= EXAMPLES, report  # the named cases plus every hypothesis example
    assert report["peakRssMiB"] < CAP_MIB / 2, report
    # every case is rejected or accepted in seconds of CPU (the alias bomb took minutes and
    # 2.3 GB); CPU time, not wall time, so a busy shared runner does not fail the test
    assert report["slowestCpuSeconds"] < 10, report


def test_the_memory_cap_is_real() -> None:
    """RLIMIT_AS turns a naive expansion of the bomb into a MemoryError in the subprocess, so the
    suite reports a regression instead of taking the machine (a lower cap gets there sooner)."""
    code = (
        "import resource, json, yaml, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (256 * 2**20, 256 * 2**20))\n"
        "doc = yaml.load(sys.stdin.read(), Loader=yaml.SafeLoader)\n"
        "try:\n"
        "    json.dumps(doc)\n"
        "except MemoryError:\n"
        "    print('MemoryError')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        input=alias_bomb(8, 9, "clusters"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "MemoryError" in proc.stdout + proc.stderr
