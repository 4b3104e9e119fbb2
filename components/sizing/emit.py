"""``size --emit-spec FILE``: a fleet spec for one sized candidate, checked by the real plan.

The spec has one cluster in the offer's price region, one GPU pool of the candidate's nodes
(``minNodes: 0``, ``maxNodes`` = the nodes sized) and the shared storage chosen. It is then
validated and planned through ``components.plan.engine.plan_file`` (the code behind ``aiinfra
plan``: the Pulumi program on the mock engine, the policy pack over its Analyzer protocol) under
the policies of the workload's environment, and the verdict comes back with every policy the
spec would break. A file named ``Pulumi.<stack>.yaml`` is written as a stack config (the fleet
under ``config: aiinfra:fleet``, with the provider's region key); any other name as a bare spec.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from components.catalog import get_catalog
from components.sizing.candidates import Candidate
from components.sizing.workload import Workload, count_text
from components.spec.versions import recommended_version

# What each cloud's example stack uses; a cluster's zone is needed for fabric and Lustre.
_ZONE = {"gcp": "{region}-a", "aws": "{region}a", "azure": "1"}
_REGION_KEY = {"gcp": "gcp:region", "aws": "aws:region", "azure": "azure-native:location"}
_CIDR = {"gcp": "10.20.0.0/16", "azure": "10.30.0.0/16", "aws": "10.40.0.0/16"}
_STACK_FILE = re.compile(r"^Pulumi\.[^.]+\.ya?ml$")


def _pool_name(accelerator: str) -> str:
    """A pool name every cloud accepts (AKS: at most 12 lowercase letters and digits)."""
    name = re.sub(r"[^a-z0-9]", "", accelerator.lower())
    if not name or not name[0].isalpha():
        name = "gpu" + name
    return name[:12]


def fleet_spec(w: Workload, c: Candidate) -> dict[str, Any]:
    """The fleet spec (the ``aiinfra:fleet`` object) for candidate ``c``."""
    offer = c.offer
    region = offer.price.region
    pool: dict[str, Any] = {
        "name": _pool_name(offer.accelerator),
        "accelerator": offer.accelerator,
        "acceleratorsPerNode": offer.accelerators_per_node,
    }
    default = get_catalog().offer_for(offer.cloud, offer.accelerator, offer.accelerators_per_node)
    if default is None or default.machine_type != offer.machine_type:
        pool["machineType"] = offer.machine_type
    pool.update(minNodes=0, maxNodes=c.nodes, capacity=w.capacity)
    cluster: dict[str, Any] = {
        "name": w.name,
        "cloud": offer.cloud,
        "region": region,
        "zone": _ZONE[offer.cloud].format(region=region),
        # the newest version the cloud supports for the next 60 days (the catalog's version table)
        "kubernetes": {"version": recommended_version(offer.cloud)},
        "network": {"cidr": _CIDR[offer.cloud], "fabric": "auto"},
        "gpuPools": [pool],
    }
    st = c.storage
    if st.option is not None:
        item: dict[str, Any] = {"name": "data", "kind": st.option.kind, "capacityGiB": st.provisioned_gib}
        if st.option.tier_key is not None:
            item["throughputMBpsPerTiB"] = st.option.tier_key
        cluster["storage"] = [item]
    return {"environment": w.environment, "labels": {"workload": w.name}, "clusters": [cluster]}


def render_spec(w: Workload, c: Candidate, path: Path) -> str:
    """The file text: a header saying where it came from, then the spec or stack config."""
    spec = fleet_spec(w, c)
    header = (
        f"# Emitted by `aiinfra size {w.file}`: {w.kind} of {count_text(w.parameters)} parameters on "
        f"{c.nodes} x {c.offer.machine_type} ({c.accelerators} {c.accelerator}), {c.cloud}.\n"
        f"# Sized for {c.wall_hours:,.1f} wall hours at ${c.hourly_usd:,.2f}/h (${c.total_usd:,.0f} in total).\n"
    )
    if _STACK_FILE.match(path.name):
        doc: Mapping[str, Any] = {"config": {_REGION_KEY[c.cloud]: c.offer.price.region, "aiinfra:fleet": spec}}
        if c.cloud == "gcp":
            header += "# Set gcp:project before `pulumi up` (the offline plan does not need it).\n"
    else:
        doc = spec
    return header + yaml.safe_dump(dict(doc), sort_keys=False, default_flow_style=False)


@dataclass
class EmitResult:
    """The written spec and what the plan says about it."""

    path: str
    verdict: str  # pass | advisory | fail | invalid | error | not-evaluated
    exit_code: int
    violations: list[dict[str, Any]] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    error: str | None = None
    hourly_usd: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "verdict": self.verdict,
            "violations": self.violations,
            "issues": self.issues,
            "error": self.error,
            "planHourlyUsd": self.hourly_usd,
        }


def emit_and_plan(
    w: Workload, c: Candidate, path: str | Path, policy_config: Mapping[str, Any] | None = None
) -> EmitResult:
    """Write the spec for ``c`` to ``path``, then validate and plan it as ``aiinfra plan`` does."""
    from components.plan.engine import plan_file

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render_spec(w, c, p), encoding="utf-8")
    plan = plan_file(p, policy_config)
    result = EmitResult(path=str(p), verdict=plan.verdict, exit_code=plan.exit_code, error=plan.error)
    result.issues = [i.format() for i in plan.issues if i.severity == "error"]
    result.violations = [
        {"policy": v.policy, "enforcementLevel": v.enforcement_level, "message": v.message} for v in plan.violations
    ]
    if plan.status == "ok":
        result.hourly_usd = round(plan.cost.hourly_usd, 2)
    return result
