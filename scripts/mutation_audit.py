"""Mutation audit: make one small change of the kind a real bug makes, run the suite, restore.

Each mutation below edits one file in place (code or catalog data), runs the tests, and puts
the file back byte for byte, whatever happens. A mutation is *caught* when the suite fails
(the first failing test is recorded) and *missed* when it passes: a missed mutation is a
gap in the tests. Run it on a clean tree (it refuses files with uncommitted changes):

    .venv/bin/python scripts/mutation_audit.py                   # every mutation, whole suite
    .venv/bin/python scripts/mutation_audit.py --list            # what it would do
    .venv/bin/python scripts/mutation_audit.py --only tpu-v6e-2x4-4t aks-cap-off-by-one
    .venv/bin/python scripts/mutation_audit.py --pytest-args tests/components/catalog  # quicker, narrower
    .venv/bin/python scripts/mutation_audit.py --json audit.json

Mutations find their target by pattern, not by today's figure (prices are refreshed), so the
audit keeps working after a catalog update; a mutation whose pattern no longer matches
exactly once is reported as "stale" rather than silently skipped. The suite runs with
``-x`` (stop at the first failure) in file order (``--randomly-dont-reorganize``), so a
caught mutation costs seconds to minutes and a missed one costs a whole run.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutation:
    """One single-point change: in ``path``, the only match of ``pattern`` becomes ``edit(match)``."""

    id: str
    kind: str  # code | data
    path: str
    pattern: str
    edit: Callable[[re.Match[str]], str]
    why: str  # the bug it stands for


def to(text: str) -> Callable[[re.Match[str]], str]:
    """Replace the match with fixed text."""
    return lambda _m: text


def scale(factor: float, digits: int = 3) -> Callable[[re.Match[str]], str]:
    """Keep group 1, scale the number in group 2 (a price, or a count when ``digits`` is 0)."""

    def edit(m: re.Match[str]) -> str:
        value = round(float(m.group(2)) * factor, digits)
        return f"{m.group(1)}{int(value) if digits == 0 else value}"

    return edit


def row(key: str, field: str) -> str:
    """A catalog row found by its key, then the number in one of its fields."""
    return rf"({re.escape(key)}\b[^\n]*(?:\n(?!\s*- )[^\n]*)*?\b{field}: )([0-9.]+)"


MUTATIONS: list[Mutation] = [
    # --- the catalog-data mutations the integrity issue lists --------------------------------
    Mutation(
        "tpu-v6e-2x4-4t",
        "data",
        "components/catalog/data/tpu.yaml",
        r"2x4: ct6e-standard-8t",
        to("2x4: ct6e-standard-4t"),
        "a single-host v6e 2x4 slice silently becomes two 4-chip VMs",
    ),
    Mutation(
        "a3-ultra-spot-div10",
        "data",
        "components/catalog/data/gcp.yaml",
        row("machineType: a3-ultragpu-8g", "spotUsd"),
        scale(0.1),
        "an A3 Ultra spot price divided by ten",
    ),
    Mutation(
        "p5en-on-demand-digits",
        "data",
        "components/catalog/data/aws.yaml",
        row("machineType: p5en.48xlarge", "onDemandUsd"),
        scale(36.30 / 63.30, 2),
        "p5en on-demand with two digits swapped (63.30 -> 36.30)",
    ),
    Mutation(
        "h100-memory-94",
        "data",
        "components/catalog/data/accelerators.yaml",
        r"(name: H100-80GB,[^\n]*memoryGB: )80",
        lambda m: f"{m.group(1)}94",
        "H100 memory 80 -> 94 GB (the NVL figure)",
    ),
    Mutation(
        "gcp-lustre-500-step",
        "data",
        "components/catalog/data/storage.yaml",
        r'"500": \{minGiB: 18000, stepGiB: 18000',
        to('"500": {minGiB: 18000, stepGiB: 9000'),
        "GCP Managed Lustre 500 MB/s/TiB step 18000 -> 9000 GiB",
    ),
    Mutation(
        "azure-lustre-125-step",
        "data",
        "components/catalog/data/storage.yaml",
        r'"125": \{minGiB: 16384, stepGiB: 16384',
        to('"125": {minGiB: 16384, stepGiB: 8192'),
        "Azure Managed Lustre 125 MB/s/TiB step 16 TiB -> 8 TiB",
    ),
    # --- the boundary mutations the issue lists ----------------------------------------------
    Mutation(
        "aks-cap-off-by-one",
        "code",
        "components/azure/rules.py",
        r"pool\.max_nodes > MAX_POOL_NODES",
        to("pool.max_nodes >= MAX_POOL_NODES"),
        "AKS 1000-node cap off by one (1000 rejected)",
    ),
    Mutation(
        "schema-max-nodes-0",
        "code",
        "components/spec/fleet.schema.json",
        r'"maxNodes": \{"type": "integer", "minimum": 1,',
        to('"maxNodes": {"type": "integer", "minimum": 0,'),
        "the schema lets maxNodes: 0 through",
    ),
    # --- more catalog data ------------------------------------------------------------------
    Mutation(
        "a3-high-gpu-nics-8",
        "data",
        "components/catalog/data/gcp.yaml",
        r"kind: gpudirect-tcpx, gpuNics: 4",
        to("kind: gpudirect-tcpx, gpuNics: 8"),
        "A3 High gets A3 Mega's 8 GPU NICs (8 VPCs instead of 4)",
    ),
    Mutation(
        "p5-efa-16",
        "data",
        "components/catalog/data/aws.yaml",
        row("machineType: p5.48xlarge", "efaInterfaces"),
        scale(0.5, 0),
        "p5.48xlarge with 16 EFA interfaces instead of 32",
    ),
    Mutation(
        "fsx-no-1200",
        "data",
        "components/catalog/data/storage.yaml",
        r'("250": \{minGiB: 2400, stepGiB: 2400, maxGiB: 2361600), alsoGiB: \[1200\]',
        lambda m: m.group(1),
        "FSx for Lustre 250 tier forgets the 1200 GiB size",
    ),
    Mutation(
        "filestore-step-512",
        "data",
        "components/catalog/data/storage.yaml",
        r"minGiB: 1024\n(\s*)stepGiB: 256",
        lambda m: f"minGiB: 1024\n{m.group(1)}stepGiB: 512",
        "Filestore zonal's lower range in 512 GiB steps",
    ),
    Mutation(
        "v5p-max-chips-4096",
        "data",
        "components/catalog/data/tpu.yaml",
        r"maxChips: 6144",
        to("maxChips: 4096"),
        "TPU v5p limited to v4's pod size",
    ),
    Mutation(
        "g6-xlarge-price-x10",
        "data",
        "components/catalog/data/aws.yaml",
        row("machineType: g6.xlarge", "onDemandUsd"),
        scale(10),
        "g6.xlarge on-demand with the decimal point moved",
    ),
    Mutation(
        "h100-class-training",
        "data",
        "components/catalog/data/accelerators.yaml",
        r"(name: H100-80GB, kind: gpu, vendor: nvidia, class: )frontier",
        lambda m: f"{m.group(1)}training",
        "H100 filed as a training-class part (policy classes loosen)",
    ),
    Mutation(
        "nd-h100-ib-200",
        "data",
        "components/catalog/data/azure.yaml",
        row("machineType: Standard_ND96isr_H100_v5", "linkGbps"),
        scale(0.5, 0),
        "ND H100 v5 InfiniBand links at HDR 200 Gb/s instead of NDR 400",
    ),
    Mutation(
        "a3-high-4g-nvme-16",
        "data",
        "components/catalog/data/gcp.yaml",
        row("machineType: a3-highgpu-4g", "count"),
        scale(2, 0),
        "a3-highgpu-4g with the 8g's 16 local SSDs",
    ),
    # --- code ---------------------------------------------------------------------------------
    Mutation(
        "tpu-vm-type-chips",
        "code",
        "components/catalog/tpu.py",
        r'count = chips \* 2 if version\.vm_count_unit == "tensorcores" else chips',
        to("count = chips"),
        "v4/v5p TPU VM types counted in chips, not TensorCores",
    ),
    Mutation(
        "capacity-min-exclusive",
        "code",
        "components/catalog/model.py",
        r"return self\.min_gib <= capacity_gib <= self\.max_gib",
        to("return self.min_gib < capacity_gib <= self.max_gib"),
        "a storage tier's minimum size rejected",
    ),
    Mutation(
        "cidr-slash-21",
        "code",
        "components/spec/semantic.py",
        r"elif net\.prefixlen > 20:",
        to("elif net.prefixlen > 21:"),
        "a /21 cluster network accepted",
    ),
    Mutation(
        "min-above-max",
        "code",
        "components/spec/semantic.py",
        r"if pool\.min_nodes > pool\.max_nodes:",
        to("if pool.min_nodes >= pool.max_nodes:"),
        "minNodes == maxNodes rejected",
    ),
    Mutation(
        "efs-one-mount-target",
        "code",
        "components/aws/storage.py",
        r"for i, subnet_id in enumerate\(mount_subnet_ids\):",
        to("for i, subnet_id in enumerate(mount_subnet_ids[:1]):"),
        "EFS mounted in one zone only",
    ),
    Mutation(
        "efa-all-efa",
        "code",
        "components/aws/translate.py",
        r'"interface_type": "efa" if card == 0 else "efa-only",',
        to('"interface_type": "efa",'),
        "every EFA card gets an IP interface (efa) instead of efa-only",
    ),
    Mutation(
        "gcp-storage-unprotected",
        "code",
        "components/gcp/storage.py",
        r"protect=storage\.spec\.protect",
        to("protect=False"),
        "GCP data-bearing storage not protected",
    ),
    Mutation(
        "compact-cap-200",
        "code",
        "components/gcp/rules.py",
        r"COMPACT_MAX_NODES = 150",
        to("COMPACT_MAX_NODES = 200"),
        "GKE compact placement cap moved past the documented 150 nodes",
    ),
    Mutation(
        "hours-per-month-720",
        "code",
        "components/plan/cost.py",
        r"HOURS_PER_MONTH = 730",
        to("HOURS_PER_MONTH = 720"),
        "monthly cost on 720 hours",
    ),
    Mutation(
        "ci-golden-guard-gone",
        "code",
        ".ci/run",
        r'if \[ -n "\$\{AIINFRA_UPDATE_GOLDEN:-\}" \]; then',
        to("if false; then"),
        "CI would run with golden updates on",
    ),
]


@dataclass
class Result:
    """What one mutation did to the suite."""

    id: str
    kind: str
    why: str
    outcome: str  # caught | missed | stale (pattern not found once) | error (pytest could not run)
    caught_by: str | None
    seconds: float


def _first_failure(output: str) -> str | None:
    for line in output.splitlines():
        m = re.match(r"(?:FAILED|ERROR) (\S+)", line)
        if m:
            return m.group(1)
    return None


def run_one(mutation: Mutation, pytest_args: list[str]) -> Result:
    path = ROOT / mutation.path
    original = path.read_bytes()
    text = original.decode("utf-8")
    matches = list(re.finditer(mutation.pattern, text))
    if len(matches) != 1:
        return Result(mutation.id, mutation.kind, mutation.why, "stale", f"{len(matches)} matches", 0.0)
    m = matches[0]
    mutated = text[: m.start()] + mutation.edit(m) + text[m.end() :]
    assert mutated != text, f"{mutation.id}: the edit changes nothing"
    start = time.monotonic()
    try:
        path.write_text(mutated, encoding="utf-8")
        cmd = [sys.executable, "-m", "pytest", "-x", "-q", "--randomly-dont-reorganize", "-p", "no:cacheprovider"]
        done = subprocess.run([*cmd, *pytest_args], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    finally:
        path.write_bytes(original)
    seconds = round(time.monotonic() - start, 1)
    if done.returncode == 0:
        return Result(mutation.id, mutation.kind, mutation.why, "missed", None, seconds)
    caught_by = _first_failure(done.stdout)
    if caught_by is None:  # no test failed: pytest could not run (usage error, nothing collected)
        tail = (done.stdout + done.stderr).strip().splitlines()[-1:]
        return Result(
            mutation.id, mutation.kind, mutation.why, "error", f"pytest exit {done.returncode}: {tail}", seconds
        )
    return Result(mutation.id, mutation.kind, mutation.why, "caught", caught_by, seconds)


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(f"stopped by signal {signum}; the mutated file was restored")


def _dirty(paths: set[str]) -> list[str]:
    out = subprocess.run(  # noqa: S603 - fixed argv, no shell
        ["git", "status", "--porcelain", "--", *sorted(paths)],  # noqa: S607 - git from PATH
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in out.stdout.splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these mutations")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    parser.add_argument(
        "--pytest-args",
        nargs=argparse.REMAINDER,
        default=["-n", "2"],
        help="arguments for pytest (default: -n 2, the whole suite)",
    )
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.only or m.id in args.only]
    if args.only and len(chosen) != len(set(args.only)):
        parser.error(f"unknown mutation id in {args.only}")
    if args.list:
        for m in chosen:
            print(f"{m.id:26} {m.kind:4}  {m.path}: {m.why}")
        return 0
    dirty = _dirty({m.path for m in chosen})
    if dirty:
        print("uncommitted changes in files the audit edits; commit or stash them first:", *dirty, sep="\n  ")
        return 2

    # A plain `kill` would skip the restore in run_one's `finally`; make it an exception instead.
    signal.signal(signal.SIGTERM, _terminate)
    results: list[Result] = []
    for m in chosen:
        r = run_one(m, args.pytest_args)
        results.append(r)
        print(f"{r.outcome:6} {r.id:26} {r.seconds:7.1f}s  {r.caught_by or ''}", flush=True)
    if _dirty({m.path for m in chosen}):
        print("error: a mutated file was not restored", file=sys.stderr)
        return 2

    caught = sum(r.outcome == "caught" for r in results)
    odd = [f"{r.id} ({r.outcome})" for r in results if r.outcome in ("stale", "error")]
    print(f"\n{caught} of {len(results)} mutations caught", end="")
    print(f"; not run: {', '.join(odd)}" if odd else "")
    for kind in ("code", "data"):
        rows = [r for r in results if r.kind == kind]
        print(f"  {kind}: {sum(r.outcome == 'caught' for r in rows)} of {len(rows)} caught")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n", encoding="utf-8")
    return 0 if caught == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
