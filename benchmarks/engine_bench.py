"""Benchmark the real engine's preview of each example stack beside ``aiinfra plan`` (run by hand).

    .venv/bin/python benchmarks/engine_bench.py [--stacks gcp-train,azure-train] [--repeat 3] [--no-pack]

Needs the offline engine (``scripts/offline-pulumi.sh``, or an installed ``pulumi``). For each
stack, in a temp copy of the project with a file backend and the stand-in providers: the wall
time of ``pulumi preview --policy-pack policies/overprovisioning`` (CLI, language host, the
program, three provider plugins and the pack, each a process) and of ``aiinfra plan`` of the
same stack (one process: the program on the mock engine, the pack over gRPC, cost). Best of
``--repeat`` runs after one warm-up, so OS file caches are warm for both.
"""

# ruff: noqa: S603, S607 - runs this repo's own commands and the pulumi CLI from PATH
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.engine.conftest import STACKS, copy_project  # noqa: E402


def _env() -> dict[str, str]:
    import os

    out = subprocess.run(
        [str(REPO / "scripts" / "offline-pulumi.sh"), "env"], capture_output=True, text=True, check=True
    )
    env = dict(os.environ)
    for line in out.stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value
    return env


def _best(argv: list[str], cwd: Path, env: dict[str, str], repeat: int) -> float:
    warm = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    if warm.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{warm.stdout[-3000:]}{warm.stderr[-3000:]}")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stacks", default=",".join(STACKS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pack", action="store_true", help="preview without the policy pack")
    args = parser.parse_args()
    env = _env()
    print(f"{'stack':<12} {'resources':>9} {'pulumi preview':>15} {'aiinfra plan':>13} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(Path(tmp) / "project")
        (Path(tmp) / "backend").mkdir()
        env["PULUMI_BACKEND_URL"] = f"file://{tmp}/backend"
        for stack in args.stacks.split(","):
            subprocess.run(
                ["pulumi", "stack", "init", stack, "--non-interactive"], cwd=root, env=env, capture_output=True
            )
            preview = ["pulumi", "preview", "--stack", stack, "--non-interactive"]
            if not args.no_pack:
                preview += ["--policy-pack", "policies/overprovisioning"]
            engine_s = _best(preview, root, env, args.repeat)
            plan = [str(REPO / ".venv" / "bin" / "aiinfra"), "plan", f"stacks/Pulumi.{stack}.yaml", "--format", "json"]
            plan_s = _best(plan, root, env, args.repeat)
            out = subprocess.run(plan, cwd=root, env=env, capture_output=True, text=True, check=True).stdout
            count = len(json.loads(out)["resources"])
            print(f"{stack:<12} {count:>9} {engine_s:>14.1f}s {plan_s:>12.1f}s {engine_s / plan_s:>6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
