"""Run the whole test suite many times, in several orders, and count the failures.

A flaky test or one that leans on another's leftovers passes most runs; this finds it. Run 1
uses file order, run 2 CI's fixed seed (tests/conftest.py), and every further run a fresh
random seed, printed so a failing order can be replayed with ``pytest --randomly-seed=<n>``:

    .venv/bin/python scripts/repeat_suite.py                 # 10 runs, `pytest -n 2` each
    .venv/bin/python scripts/repeat_suite.py --runs 20 --json runs.json
    .venv/bin/python scripts/repeat_suite.py --pytest-args tests/components/aws -n 2

It exits 1 when any run fails. Each run takes as long as the suite (minutes); run it by hand.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import DEFAULT_SEED  # noqa: E402 - the repo root first, as pytest does


@dataclass
class Run:
    """One run of the suite."""

    run: int
    order: str  # file | ci-seed | random
    seed: int | None
    passed: int
    failed: int
    errors: int
    seconds: float
    failures: list[str]


def _count(summary: str, word: str) -> int:
    m = re.search(rf"(\d+) {word}", summary)
    return int(m.group(1)) if m else 0


def run_once(n: int, order: str, seed: int | None, pytest_args: list[str]) -> Run:
    order_args = ["--randomly-dont-reorganize"] if seed is None else [f"--randomly-seed={seed}"]
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *order_args, *pytest_args]
    start = time.monotonic()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603 - our pytest
    seconds = round(time.monotonic() - start, 1)
    lines = done.stdout.strip().splitlines()
    summary = lines[-1] if lines else ""
    failures = [line.split(" ", 2)[1] for line in lines if line.startswith(("FAILED ", "ERROR "))]
    failed = _count(summary, "failed")
    if done.returncode not in (0, 1) and not failed:
        failures.append(f"pytest exit {done.returncode}: {summary or done.stderr.strip()[-200:]}")
    return Run(n, order, seed, _count(summary, "passed"), failed, _count(summary, "error"), seconds, failures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=10, help="how many runs (default 10)")
    parser.add_argument("--json", metavar="PATH", help="write every run as JSON")
    parser.add_argument(
        "--pytest-args", nargs=argparse.REMAINDER, default=["-n", "2"], help="pytest arguments (default: -n 2)"
    )
    args = parser.parse_args(argv)
    rng = random.SystemRandom()
    runs: list[Run] = []
    for n in range(1, args.runs + 1):
        if n == 1:
            order, seed = "file", None
        elif n == 2:
            order, seed = "ci-seed", DEFAULT_SEED
        else:
            order, seed = "random", rng.randrange(2**32)
        r = run_once(n, order, seed, args.pytest_args)
        runs.append(r)
        verdict = "ok  " if not r.failures else "FAIL"
        print(
            f"run {n:2} {verdict} {order:8} seed={seed!s:10} {r.passed} passed, {r.failed} failed, "
            f"{r.errors} errors, {r.seconds:.0f}s",
            *[f"    {f}" for f in r.failures],
            sep="\n",
            flush=True,
        )
    bad = [r for r in runs if r.failures]
    total = sum(r.seconds for r in runs)
    print(f"\n{len(runs) - len(bad)} of {len(runs)} runs passed ({total / 60:.0f} min in all)")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in runs], indent=2) + "\n", encoding="utf-8")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
