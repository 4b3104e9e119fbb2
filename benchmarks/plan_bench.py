"""Benchmark ``aiinfra plan`` on a generated fleet: 3 clouds x 100 GPU pools (run by hand, not a test).

    .venv/bin/python benchmarks/plan_bench.py [--pools-per-cloud 100] [--clusters-per-cloud 2]
        [--clouds gcp,azure,aws] [--program PATH] [--repeat 3]

Reports, for the plan of one generated stack (validate + the real ``__main__.py`` on the mock
engine + policies + cost + every renderer):

- wall time (median of ``--repeat``, after a warm-up run that pays the provider-SDK imports,
  which are reported separately as the cold first run);
- peak memory: the process's peak RSS (``resource.getrusage``) and the Python heap peak of
  one traced run (``tracemalloc``, which slows that run down, so it is timed separately);
- the ratio to a *bare* mock-engine run that registers exactly the same resources (type,
  name, parent, inputs) with no spec, translation, policies, cost or rendering, and to the
  program alone on the mock engine (the planner's own share: the program's provider-SDK
  classes cost more than the bare replay's plain ``CustomResource`` calls, so the plan can be
  no nearer the bare run than the program itself is);
- with ``--processes``, the same comparison as whole processes: ``aiinfra plan STACK
  --format markdown`` against a bare process that loads the same provider-SDK classes and
  registers the same resources (and a process that only loads those classes), plus a cold
  ``aiinfra plan`` of one example stack (``--example``).

Every figure is the median of ``--repeat`` runs (the machine is shared: report the load too);
the in-process plan, bare replay and program-only runs take turns, so drift hits all three.
``examplePlanBytecode`` says whether ai-infra's modules were byte-compiled for the example
run (the README's setup runs ``compileall``; without it, every process compiles them).
Targets on a 2-core machine: warm ratio <= 1.5, process ratio <= 1.5, example plan < 3 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
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
                    # no version: the cloud's default, so the bench does not expire with a version
                    "kubernetes": {},
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


# Kubernetes API groups built into pulumi-kubernetes (group -> SDK module); any other group is a
# custom resource, registered through pulumi_kubernetes.apiextensions.CustomResource.
K8S_GROUPS = {"core": "core", "apps": "apps", "rbac.authorization.k8s.io": "rbac", "helm.sh": "helm"}


def sdk_classes(types: set[str]) -> list[str]:
    """The provider-SDK classes (``module:Class``) that register these resource types.

    The SDK packages load lazily: importing ``pulumi_gcp.container`` defines nothing until an
    attribute is read, so the bare process reads each class, which loads its module (with the
    package's input and output types) as the program does.
    """
    out = set()
    for t in types:
        pkg, middle, cls = t.split(":")
        module = middle.split("/", 1)[0]
        if pkg == "gcp":
            out.add(f"pulumi_gcp.{module}:{cls}")
        elif pkg == "aws":
            out.add(f"pulumi_aws.{module}:{cls}")
        elif pkg == "azure-native":
            out.add(f"pulumi_azure_native.{module}:{cls}")
        elif pkg == "kubernetes":
            group, _, version = middle.partition("/")
            if group in K8S_GROUPS:
                out.add(f"pulumi_kubernetes.{K8S_GROUPS[group]}.{version}:{cls}")
            else:
                out.add("pulumi_kubernetes.apiextensions:CustomResource")
        elif t == "pulumi:providers:kubernetes":
            out.add("pulumi_kubernetes:Provider")
    return sorted(out)


# The bare process: only pulumi, the SDK classes and the mock engine (not this module's imports).
BARE_PROCESS = """
import gc; gc.disable()  # as the aiinfra process runs (components.cli.entrypoint): like for like
import importlib, json, sys
from collections.abc import Callable
sys.path.insert(0, {repo!r})
doc = json.load(open({path!r}))
for c in doc["classes"]:
    module, _, name = c.partition(":")
    getattr(importlib.import_module(module), name)
if doc["register"]:
    from components.mockengine import CapturedResource, run_program
{source}
    res = [CapturedResource(**{{**r, "aliases": [tuple(a) for a in r["aliases"]]}}) for r in doc["resources"]]
    run_program(bare_program(res), stack="bench")
import os; os._exit(0)  # as the aiinfra process ends (components.cli.leave): no teardown either
"""


def process_seconds(cmd: list[str], repeat: int) -> float:
    """Median wall time of a whole process (start to exit)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)  # noqa: S603
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bare_process_cmd(resources: list[CapturedResource], tmp: Path, register: bool) -> list[str]:
    doc = {
        "classes": sdk_classes({r.type for r in resources}),
        "register": register,
        "resources": [r.__dict__ for r in resources],
    }
    path = tmp / f"bare-{int(register)}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    import inspect
    import textwrap

    source = textwrap.indent(inspect.getsource(bare_program), "    ")
    code = BARE_PROCESS.format(repo=str(REPO), path=str(path), source=source)
    return [sys.executable, "-c", code]


def bytecode_compiled() -> bool:
    """Whether ai-infra's own modules have current bytecode (``python -m compileall components``)."""
    import importlib.util

    sources = list((REPO / "components").rglob("*.py"))
    for src in sources:
        cached = Path(importlib.util.cache_from_source(str(src)))
        if not cached.is_file() or cached.stat().st_mtime < src.stat().st_mtime:
            return False
    return bool(sources)


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
    parser.add_argument("--processes", action="store_true", help="also time whole processes (see above)")
    parser.add_argument("--example", default=str(REPO / "stacks" / "Pulumi.gcp-train.yaml"))
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

    # The plan, the bare replay and the program alone take turns, run by run, so a change in the
    # machine's speed while the benchmark runs (it is shared) falls on all three alike.
    runs: dict[str, list[float]] = {"plan": [], "bare": [], "program": []}
    contenders: dict[str, Callable[[], Any]] = {
        "plan": plan,
        "bare": lambda: run_program(bare_program(resources), stack="bench"),
        # the program alone on the mock engine (no validation, policies, cost, rendering)
        "program": lambda: run_program(args.program, config=config, stack="bench"),
    }
    for _ in range(args.repeat):
        for key, fn in contenders.items():
            runs[key].append(timed(fn)[0])
    warm, bare, program_only = (statistics.median(runs[k]) for k in ("plan", "bare", "program"))
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
        # the planner's own share: the plan against the program it runs (the warm ratio can be
        # no lower than ratioProgramToBare, the provider SDK classes' cost over a bare replay)
        "ratioPlanToProgram": round(warm / program_only, 2),
        "peakRssMiB": round(rss_kib / 1024, 1),
        "pythonHeapPeakMiB": round(heap_peak / 2**20, 1),
        "targets": {"ratio<=1.5": warm / bare <= 1.5, "plan<10s": warm < 10},
        "loadAverage": os.getloadavg()[0],
    }
    if args.processes:
        aiinfra = [sys.executable, "-m", "components.cli"]
        md = ["--format", "markdown", "--out", str(tmp / "plan.md")]
        if skip_policies:
            md.append("--skip-policies")
        proc_plan = process_seconds([*aiinfra, "plan", str(stack), *md, "--program", str(args.program)], args.repeat)
        proc_bare = process_seconds(bare_process_cmd(resources, tmp, True), args.repeat)
        proc_imports = process_seconds(bare_process_cmd(resources, tmp, False), args.repeat)
        example = process_seconds([*aiinfra, "plan", args.example, *md], args.repeat)
        figures.update(
            {
                "processPlanSeconds": round(proc_plan, 3),
                "processBareSeconds": round(proc_bare, 3),
                "processSdkClassesSeconds": round(proc_imports, 3),
                "processRatio": round(proc_plan / proc_bare, 2),
                "examplePlanSeconds": round(example, 3),
                "examplePlanBytecode": bytecode_compiled(),
                "example": args.example,
            }
        )
        figures["targets"].update({"processRatio<=1.5": proc_plan / proc_bare <= 1.5, "example<3s": example < 3})
        figures["loadAverage"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for k, v in figures.items():
            print(f"{k:>24}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
