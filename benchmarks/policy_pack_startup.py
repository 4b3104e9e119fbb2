"""Start-up time of the overprovisioning pack beside a minimal pack (launch -> port printed).

Both packs are started the way the engine starts a Python pack (``python -u -m pulumi.policy
<engine-address> .`` in the pack directory) and timed until the port appears on stdout. The
minimal pack is one trivial ResourceValidationPolicy, so the difference is what the pack's own
imports and catalog loading cost. Not a test: run it by hand.

    .venv/bin/python benchmarks/policy_pack_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from components.policy.analyzer_client import (
    DEFAULT_PACK,
    PolicyPackProcess,
    Resource,
    _Engine,
    pack_command,
    pack_env,
    read_port,
)

MINIMAL = """
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def check(args, report_violation):
    pass

PolicyPack(name="minimal", enforcement_level=EnforcementLevel.ADVISORY,
           policies=[ResourceValidationPolicy(name="noop", description="Does nothing.", validate=check)])
"""


def time_start(pack_dir: Path, engine: str) -> float:
    env = pack_env(project="bench", stack="dev", dry_run=True, organization="organization", stack_config=None)
    start = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603
        pack_command(pack_dir, engine, sys.executable),
        cwd=pack_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        read_port(proc, 120)
        return time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait()
        for s in (proc.stdout, proc.stderr):
            if s:
                s.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    engine = _Engine()
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp)
        (minimal / "__main__.py").write_text(MINIMAL)
        (minimal / "PulumiPolicy.yaml").write_text("name: minimal\nruntime: python\n")
        packs = {"minimal pack": minimal, "overprovisioning pack": DEFAULT_PACK}
        results: dict[str, list[float]] = {label: [] for label in packs}
        for path in packs.values():
            time_start(path, engine.address)  # warm the filesystem cache
        for _ in range(args.runs):  # interleaved, so load from other processes hits both alike
            for label, path in packs.items():
                results[label].append(time_start(path, engine.address))
        for label, runs in results.items():
            print(
                f"{label:24s} median {statistics.median(runs):.3f}s  min {min(runs):.3f}s  max {max(runs):.3f}s "
                f"({args.runs} runs)"
            )
    engine.stop()
    extra = statistics.median(results["overprovisioning pack"]) - statistics.median(results["minimal pack"])
    print(f"overhead of the rules' imports: {extra:+.3f}s")

    # The first analysis also loads the catalog (YAML + schema check): time a full round on a
    # small stack, as the engine would drive it, on a freshly started pack.
    stack = [
        Resource(
            "gcp:container/nodePool:NodePool",
            f"pool{i}",
            f"urn:pool{i}",
            {
                "autoscaling": {"minNodeCount": 0.0, "maxNodeCount": 4.0},
                "nodeConfig": {"machineType": "a3-highgpu-8g"},
            },
        )
        for i in range(50)
    ]
    rounds = []
    for _ in range(args.runs):
        with PolicyPackProcess() as pack:
            start = time.perf_counter()
            pack.analyze(stack, {})
            rounds.append(time.perf_counter() - start)
    print(
        f"first full analysis (Configure + 50 x Analyze + AnalyzeStack, 50 GKE pools): median "
        f"{statistics.median(rounds):.3f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
