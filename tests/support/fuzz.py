"""The hostile-input fuzz run: hypothesis, deterministic, bounded, under a memory cap.

Run as a subprocess (``python -m tests.support.fuzz --examples N --memory-mib M``) so the cap
(``resource.setrlimit(RLIMIT_AS)``) applies to this run alone. Each case is a spec file
(stack config or bare spec) built from one of the hostile shapes below, or a mutation of a valid
spec; it goes through ``aiinfra validate``'s path (``validate_file``), and the named hostile
cases also through ``plan`` and ``diff``'s path (``plan_file``, which rejects them before the
program runs). A case passes when it returns a verdict without raising anything but
``SpecError`` and every message is one readable line (long values echoed truncated).

Prints one JSON object: cases, failures, the slowest case (seconds and which), the process's
peak RSS in MiB, and the first failure if any. tests/components/spec/test_fuzz_hostile.py runs
it in CI with a fixed budget; run it by hand with more examples for the figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import yaml

VALID = """\
environment: prod
labels: {team: research}
clusters:
  - name: train
    cloud: gcp
    region: us-central1
    zone: us-central1-a
    kubernetes: {version: "1.35"}
    network: {cidr: 10.20.0.0/16, fabric: auto}
    gpuPools:
      - {name: h100, accelerator: H100-80GB, acceleratorsPerNode: 8, minNodes: 0, maxNodes: 4}
    storage:
      - {name: datasets, kind: lustre, capacityGiB: 36000, throughputMBpsPerTiB: 250}
"""

MAX_MESSAGE_CHARS = 600  # one readable line: values echoed back are clipped well below this


def alias_bomb(depth: int, width: int, where: str) -> str:
    """``a0: &a0 [lol]``, each level ``width`` aliases of the one below: width**depth values."""
    lines = ['a0: &a0 ["lol", "lol"]']
    for d in range(1, depth + 1):
        lines.append(f"a{d}: &a{d} [" + ", ".join([f"*a{d - 1}"] * width) + "]")
    top = f"*a{depth}"
    if where == "clusters":
        lines.append(f"clusters: {top}")
    elif where == "labels":
        lines.append(f"labels: {{team: research, bomb: {top}}}\nclusters: []")
    else:  # in a stack config, beside the fleet spec
        body = "\n".join("  " + line for line in lines)
        return f"config:\n{body}\n  aiinfra:fleet:\n    clusters: {top}\n"
    return "\n".join(lines) + "\n"


def many_pools(n: int) -> str:
    pools = "\n".join(f"      - {{name: p{i}, accelerator: L4, acceleratorsPerNode: 1, maxNodes: 1}}" for i in range(n))
    return VALID.split("    gpuPools:")[0] + "    gpuPools:\n" + pools + "\n"


def many_labels(n: int) -> str:
    labels = ", ".join(f"k{i}: v" for i in range(n))
    return VALID.replace("labels: {team: research}", f"labels: {{{labels}}}")


def long_string(n: int, where: str) -> str:
    value = "x" * n
    if where == "name":
        return VALID.replace("name: train", f"name: {value}")
    if where == "key":
        return VALID.replace("environment: prod", f"{value}: 1\nenvironment: prod")
    return VALID.replace("region: us-central1\n", f"region: {value}\n")


def deep(n: int, flow: bool) -> str:
    if flow:
        return "clusters: " + "[" * n + "]" * n + "\n"
    return "clusters:\n" + "".join("  " * i + "- \n" for i in range(min(n, 3000)))


def hostile_text(kind: str, size: int, variant: int) -> tuple[str, str]:
    """(description, file text) for one named hostile shape."""
    if kind == "bomb":
        depth, width = 2 + size % 9, 2 + variant % 9
        where = ("clusters", "labels", "config")[variant % 3]
        return f"alias bomb {width}^{depth} in {where}", alias_bomb(depth, width, where)
    if kind == "pools":
        n = (3, 101, 300, 5_000, 120_000)[size % 5]
        return f"{n:,} pools", many_pools(n)
    if kind == "labels":
        n = (23, 24, 300, 100_000)[size % 4]
        return f"{n:,} labels", many_labels(n)
    if kind == "string":
        n = (63, 64, 5_000, 2_000_000)[size % 4]
        where = ("name", "key", "region")[variant % 3]
        return f"a {n:,}-character {where}", long_string(n, where)
    if kind == "deep":
        n = (10, 40, 5_000, 400_000)[size % 4]
        return f"nested {n:,} deep", deep(n, variant % 2 == 0)
    if kind == "recursive":
        return "a recursive alias", "a: &a [*a]\nclusters: *a\n"
    raise ValueError(kind)


NAMED = [("bomb", 7, 7), ("bomb", 8, 1), ("pools", 4, 0), ("labels", 3, 0), ("string", 3, 0), ("deep", 3, 0)]


class Outcome:
    def __init__(self) -> None:
        self.cases = 0
        self.slowest = (0.0, "")  # wall clock: what a user waits
        self.slowest_cpu = (0.0, "")  # CPU time: the work itself, steady on a shared machine
        self.failure: str | None = None


def check_text(text: str, what: str, outcome: Outcome, with_plan: bool = False) -> None:
    """One case: validate (and plan) a file; anything but a clean verdict is a failure."""
    from components.plan.engine import plan_file
    from components.spec.command import validate_file

    start, cpu_start = time.perf_counter(), time.process_time()
    outcome.cases += 1
    with tempfile.TemporaryDirectory(prefix="aiinfra-fuzz-") as tmp:
        path = Path(tmp) / ("Pulumi.fuzz.yaml" if text.startswith("config:") else "spec.yaml")
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        _fleet, issues = validate_file(str(path))
        for issue in issues:
            line = issue.format()
            assert len(line) <= MAX_MESSAGE_CHARS and "\n" not in line, f"{what}: message of {len(line)} chars"
        if with_plan:
            plan = plan_file(path, skip_policies=True)
            assert plan.status in ("invalid", "ok", "pass", "fail", "error"), f"{what}: plan status {plan.status}"
    took, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    if took > outcome.slowest[0]:
        outcome.slowest = (took, what)
    if cpu > outcome.slowest_cpu[0]:
        outcome.slowest_cpu = (cpu, what)


def run(examples: int) -> Outcome:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    outcome = Outcome()
    for kind, size, variant in NAMED:
        what, text = hostile_text(kind, size, variant)
        check_text(text, what, outcome, with_plan=True)

    kinds = st.sampled_from(["bomb", "pools", "labels", "string", "deep", "recursive"])
    named = st.tuples(kinds, st.integers(0, 40), st.integers(0, 40)).map(lambda t: hostile_text(*t))

    @st.composite
    def mutated(draw: st.DrawFn) -> tuple[str, str]:
        text = VALID
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(text)))
            cut = draw(st.integers(0, 8))
            insert = draw(
                st.one_of(
                    st.text(max_size=12),
                    st.sampled_from(["&a ", "*a", "[", "{", "- ", ": ", "\n  ", "!!python/object:os.system", "\t"]),
                )
            )
            text = text[:at] + insert + text[at + cut :]
        return "a mutated spec", text

    cases = st.one_of(named, mutated())

    @settings(
        max_examples=examples,
        derandomize=True,  # the same cases on every run: CI never flakes on a new draw
        database=None,
        deadline=None,  # time is measured and bounded by the caller instead
        suppress_health_check=list(HealthCheck),
    )
    @given(cases)
    def fuzz(case: tuple[str, str]) -> None:
        what, text = case
        check_text(text, what, outcome)

    try:
        fuzz()
    except BaseException as exc:
        outcome.failure = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
    return outcome


def peak_rss_mib() -> float:
    """This process's peak resident memory in MiB: Linux's VmHWM (per address space, so it starts
    afresh at exec), else ru_maxrss (which Linux carries over from the forking parent: a pytest
    worker's 600 MB would show up as ours)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--memory-mib", type=int, default=1024, help="address-space cap for this process")
    args = parser.parse_args(argv)
    cap = args.memory_mib * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    yaml.safe_load("warm: up")  # load the C extension before timing anything
    started = time.perf_counter()
    outcome = run(args.examples)
    peak_mib = peak_rss_mib()
    report: dict[str, Any] = {
        "cases": outcome.cases,
        "failures": 0 if outcome.failure is None else 1,
        "slowestSeconds": round(outcome.slowest[0], 3),
        "slowestCase": outcome.slowest[1],
        "slowestCpuSeconds": round(outcome.slowest_cpu[0], 3),
        "slowestCpuCase": outcome.slowest_cpu[1],
        "peakRssMiB": round(peak_mib, 1),
        "memoryCapMiB": args.memory_mib,
        "totalSeconds": round(time.perf_counter() - started, 1),
        "failure": outcome.failure,
    }
    print(json.dumps(report))
    return 0 if outcome.failure is None else 1


if __name__ == "__main__":
    sys.exit(main())
