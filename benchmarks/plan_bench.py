"""Benchmark ``aiinfra plan`` on a generated fleet: 3 clouds x 100 GPU pools (run by hand, not a test).

    .venv/bin/python benchmarks/plan_bench.py [--pools-per-cloud 100] [--clusters-per-cloud 2]
        [--clouds gcp,azure,aws] [--program PATH] [--repeat 3]

Reports, for the plan of one generated stack (validate + the real ``__main__.py`` on the mock
engine + policies + cost + every renderer):

- wall time (best of ``--repeat``, after a warm-up run that pays the provider-SDK imports,
  which are reported separately as the cold first run);
- peak memory: the process's peak RSS (``resource.getrusage``) and the Python heap peak of
  one traced run (``tracemalloc``, which slows that run down, so it is timed separately);
- the ratio to a *bare* mock-engine run that registers exactly the same resources (type,
  name, parent, inputs) with no spec, translation, policies, cost or rendering.

Targets on a 2-core machine: ratio <= 1.5 and the whole plan under 10 s.
Until a cloud's builder lands, its clusters fail with "not implemented yet": leave that
cloud out with ``--clouds``, or bench the machinery with another ``--program``.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from components.mockengine import CapturedResource, run_program  # noqa: E402
from components.plan.command import render  # noqa: E402
from components.plan.engine import PlanReport, plan_files  # noqa: E402
from components.plan.policies import CLIENT_MODULE  # noqa: E402

# One GPU shape per cloud that every validation rule accepts at any pool count.
SHAPES: dict[str, dict[str, Any]] = {
    "gcp": {"region": "us-central1", "accelerator": "L4", "acceleratorsPerNode": 1},
    "azure": {"region": "eastus", "accelerator": "A100-80GB", "acceleratorsPerNode": 1},
    "aws": {"region": "us-east-1", "accelerator": "L4", "acceleratorsPerNode": 1},
}


def fleet_spec(clouds: list[str], pools_per_cloud: int, clusters_per_cloud: int) -> dict[str, Any]:
    clusters = []
    for ci, cloud in enumerate(clouds):
        shape = SHAPES[cloud]
        per_cluster = -(-pools_per_cloud // clusters_per_cloud)
        made = 0
        for k in range(clusters_per_cloud):
            n = min(per_cluster, pools_per_cloud - made)
            if n <= 0:
                break
            pools = [
                {
                    "name": f"p{made + i:03d}",
                    "accelerator": shape["accelerator"],
                    "acceleratorsPerNode": shape["acceleratorsPerNode"],
                    "minNodes": 0,
                    "maxNodes": 2 + (made + i) % 4,
                    "capacity": "spot" if (made + i) % 2 else "on-demand",
                }
                for i in range(n)
            ]
            made += n
            clusters.append(
                {
                    "name": f"{cloud}{k}",
                    "cloud": cloud,
                    "region": shape["region"],
                    "kubernetes": {"version": "1.31"},
                    "network": {"cidr": f"10.{ci * 16 + k}.0.0/16", "fabric": "none"},
                    "gpuPools": pools,
                }
            )
    return {"environment": "dev", "labels": {"team": "bench"}, "clusters": clusters}


def bare_program(resources: list[CapturedResource]) -> Callable[[], None]:
    """A program that registers the same resources, with nothing else around them."""
    import pulumi

    def program() -> None:
        made: dict[str, pulumi.Resource] = {}
        for r in resources:
            parent = made.get(r.parent or "")
            # The same aliases the SDK class registered (azure-native sends one per past API
            # version, and the SDK turns each into a URN): the same registration work.
            aliases = [pulumi.Alias(name=n or ..., type_=t or ...) for n, t in r.aliases]
            opts = pulumi.ResourceOptions(parent=parent, protect=r.protect, aliases=aliases or None)
            if r.custom:
                made[r.urn] = pulumi.CustomResource(r.type, r.name, dict(r.inputs), opts)
            else:
                made[r.urn] = pulumi.ComponentResource(r.type, r.name, None, opts)

    return program


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clouds", default="gcp,azure,aws")
    parser.add_argument("--pools-per-cloud", type=int, default=100)
    parser.add_argument("--clusters-per-cloud", type=int, default=2)
    parser.add_argument("--program", default=str(REPO / "__main__.py"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-policies", action="store_true", help="plan without the policy pack")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    clouds = [c for c in args.clouds.split(",") if c]

    tmp = Path(tempfile.mkdtemp(prefix="aiinfra-bench-"))
    stack = tmp / "Pulumi.bench.yaml"
    spec = fleet_spec(clouds, args.pools_per_cloud, args.clusters_per_cloud)
    stack.write_text(yaml.safe_dump({"config": {"aiinfra:fleet": spec}}), encoding="utf-8")
    try:
        import importlib

        importlib.import_module(CLIENT_MODULE)
        skip_policies = args.skip_policies
    except ImportError:
        skip_policies = True

    def plan() -> PlanReport:
        # what CI runs: one plan, written as Markdown (the comment), SARIF and JSON
        report = plan_files([stack], skip_policies=skip_policies, program=args.program)
        for fmt in ("markdown", "sarif", "json"):
            render(report, fmt)
        return report

    config = {"aiinfra:fleet": spec}

    cold, report = timed(plan)
    s = report.stacks[0]
    if s.status != "ok":
        print(f"plan failed ({s.status}): {s.error or [i.format() for i in s.issues][:5]}", file=sys.stderr)
        return 2
    resources = s.resources
    warm = min(timed(plan)[0] for _ in range(args.repeat))
    bare = min(timed(lambda: run_program(bare_program(resources), stack="bench"))[0] for _ in range(args.repeat))
    # the program alone on the mock engine (no validation, policies, cost, rendering)
    program_only = min(
        timed(lambda: run_program(args.program, config=config, stack="bench"))[0] for _ in range(args.repeat)
    )
    text_render = timed(lambda: render(report, "text"))[0]
    policies_seconds = None
    if not skip_policies:
        from components.plan.policies import run_policies

        policies_seconds = timed(lambda: run_policies(resources, {}, stack="bench", stack_config=config))[0]

    tracemalloc.start()
    plan()
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    figures = {
        "clouds": clouds,
        "gpuPools": args.pools_per_cloud * len(clouds),
        "clusters": len(spec["clusters"]),
        "resources": len(resources),
        "program": str(args.program),
        "policies": "evaluated" if not skip_policies else "skipped",
        "coldPlanSeconds": round(cold, 3),
        "planSeconds": round(warm, 3),
        "bareMockEngineSeconds": round(bare, 3),
        "programOnlySeconds": round(program_only, 3),
        "plannerOverheadSeconds": round(warm - program_only, 3),
        "policiesSeconds": None if policies_seconds is None else round(policies_seconds, 3),
        "textRenderSeconds": round(text_render, 3),
        "ratio": round(warm / bare, 2),
        "ratioProgramToBare": round(program_only / bare, 2),
        "peakRssMiB": round(rss_kib / 1024, 1),
        "pythonHeapPeakMiB": round(heap_peak / 2**20, 1),
        "targets": {"ratio<=1.5": warm / bare <= 1.5, "plan<10s": warm < 10},
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for k, v in figures.items():
            print(f"{k:>24}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
