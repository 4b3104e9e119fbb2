"""``size --emit-spec FILE``: a fleet spec for one sized candidate, checked by the real plan.

The spec has one cluster in the region the candidate was priced for, with either one GPU pool
of the candidate's nodes (``minNodes: 0``, ``maxNodes`` = the nodes sized) or the TPU slices
sized (``tpuSlices``: version, topology, ``count``), and the shared storage chosen. Its network
CIDR is the smallest the cloud's address checks accept for that many nodes. It is then
validated and planned through ``components.plan.engine.plan_file`` (the code behind ``aiinfra
plan``: the Pulumi program on the mock engine, the policy pack over its Analyzer protocol) under
the policies of the workload's environment and with the same price overlays, and the verdict
comes back with every policy the spec would break. A file named ``Pulumi.<stack>.yaml`` is
written as a stack config (the fleet under ``config: aiinfra:fleet``, the provider's region
key, and ``aiinfra:prices`` naming the overlays that priced it); any other name as a bare spec.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from components.catalog import get_catalog
from components.gcp.translate import LUSTRE_LEGACY_BELOW, LUSTRE_LEGACY_PORT, LUSTRE_PORT
from components.prices.overlay import Overlay
from components.prices.sources import STACK_KEY, project_dir
from components.sizing.candidates import Candidate
from components.sizing.workload import Workload, count_text
from components.spec.versions import recommended_version

# What each cloud's example stack uses; a cluster's zone is needed for fabric and Lustre.
_ZONE = {"gcp": "{region}-a", "aws": "{region}a", "azure": "1"}
_REGION_KEY = {"gcp": "gcp:region", "aws": "aws:region", "azure": "azure-native:location"}
_CIDR = {"gcp": "10.20.0.0/16", "azure": "10.30.0.0/16", "aws": "10.40.0.0/16"}
# Wider networks tried, in order, when the nodes sized do not fit the /16 (GKE reserves a pod
# range per node): the same base address, one bit at a time, as far as the cloud accepts.
_WIDER = (15, 14, 13, 12)
_STACK_FILE = re.compile(r"^Pulumi\.[^.]+\.ya?ml$")


def _version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


def _pool_name(accelerator: str) -> str:
    """A pool name every cloud accepts (AKS: at most 12 lowercase letters and digits)."""
    name = re.sub(r"[^a-z0-9]", "", accelerator.lower())
    if not name or not name[0].isalpha():
        name = "gpu" + name
    return name[:12]


def _zone(c: Candidate) -> str:
    """The cluster's zone: for TPU slices the first cataloged zone of the region offering the
    version; else the zone each cloud's example stacks use."""
    if c.tpu is not None:
        zone = c.tpu.version.zone_in(c.region)
        if zone is not None:
            return zone
    return _ZONE[c.cloud].format(region=c.region)


def _accelerators(w: Workload, c: Candidate) -> dict[str, Any]:
    """``gpuPools`` or ``tpuSlices``, with the one item the candidate needs."""
    if c.tpu is not None:
        v = c.tpu.version
        item: dict[str, Any] = {
            "name": v.version,
            "version": v.version,
            "topology": c.tpu.slice.topology,
            "count": c.tpu.count,
            "capacity": w.capacity,
        }
        return {"tpuSlices": [item]}
    assert c.offer is not None
    offer = c.offer
    pool: dict[str, Any] = {
        "name": _pool_name(offer.accelerator),
        "accelerator": offer.accelerator,
        "acceleratorsPerNode": offer.accelerators_per_node,
    }
    default = get_catalog().offer_for(offer.cloud, offer.accelerator, offer.accelerators_per_node)
    if default is None or default.machine_type != offer.machine_type:
        pool["machineType"] = offer.machine_type
    pool.update(minNodes=0, maxNodes=c.nodes, capacity=w.capacity)
    return {"gpuPools": [pool]}


def _cidr_issue(spec: Mapping[str, Any]) -> bool:
    """True when the cloud's checks find the cluster's network too small for its nodes."""
    from components.spec.loader import check_document

    _fleet, issues = check_document(spec, "<emitted>")
    return any(i.path.endswith("network.cidr") and i.severity == "error" for i in issues)


def _fit_network(spec: dict[str, Any]) -> None:
    """Widen ``clusters[0].network.cidr`` until the nodes fit (left as is when none does:
    the plan then names the problem)."""
    network = spec["clusters"][0]["network"]
    base = ipaddress.ip_network(network["cidr"])
    if not _cidr_issue(spec):
        return
    for prefix in _WIDER:
        network["cidr"] = str(base.supernet(new_prefix=prefix))
        if not _cidr_issue(spec):
            return
    network["cidr"] = str(base)


def fleet_spec(w: Workload, c: Candidate) -> dict[str, Any]:
    """The fleet spec (the ``aiinfra:fleet`` object) for candidate ``c``."""
    cluster: dict[str, Any] = {
        "name": w.name,
        "cloud": c.cloud,
        "region": c.region,
        "zone": _zone(c),
        # the newest version the cloud supports for the next 60 days (the catalog's version table)
        "kubernetes": {"version": recommended_version(c.cloud)},
        "network": {"cidr": _CIDR[c.cloud], "fabric": "auto"},
        **_accelerators(w, c),
    }
    st = c.storage
    if st.option is not None:
        item: dict[str, Any] = {"name": "data", "kind": st.option.kind, "capacityGiB": st.provisioned_gib}
        if st.option.tier_key is not None:
            item["throughputMBpsPerTiB"] = st.option.tier_key
        if c.cloud == "gcp" and st.option.kind == "lustre":
            # the client port is fixed for the file system's life: written down, as validate asks
            item["lustrePort"] = (
                LUSTRE_LEGACY_PORT if _version(cluster["kubernetes"]["version"]) < LUSTRE_LEGACY_BELOW else LUSTRE_PORT
            )
        cluster["storage"] = [item]
    spec = {"environment": w.environment, "labels": {"workload": w.name}, "clusters": [cluster]}
    _fit_network(spec)
    return spec


def _prices_setting(overlays: Sequence[Overlay], path: Path) -> list[str]:
    """``aiinfra:prices`` for a stack file: the overlay files, relative to its project directory
    (where the plan and the pack resolve them)."""
    base = project_dir(path.parent)
    out = []
    for ov in overlays:
        p = Path(ov.origin).resolve()
        out.append(os.path.relpath(p, base) if p.is_file() else ov.origin)
    return out


def render_spec(w: Workload, c: Candidate, path: Path, overlays: Sequence[Overlay] = ()) -> str:
    """The file text: a header saying where it came from, then the spec or stack config."""
    spec = fleet_spec(w, c)
    what = (
        f"{c.tpu.count} x TPU {c.tpu.version.version} {c.tpu.slice.topology} ({c.accelerators} chips)"
        if c.tpu is not None
        else f"{c.nodes} x {c.machine} ({c.accelerators} {c.accelerator})"
    )
    header = (
        f"# Emitted by `aiinfra size {w.file}`: {w.kind} of {count_text(w.parameters)} parameters on {what}, "
        f"{c.cloud}.\n"
        f"# Sized for {c.wall_hours:,.1f} wall hours at ${c.hourly_usd:,.2f}/h (${c.total_usd:,.0f} in total).\n"
    )
    if _STACK_FILE.match(path.name):
        config: dict[str, Any] = {_REGION_KEY[c.cloud]: c.region, "aiinfra:fleet": spec}
        if overlays:
            config[STACK_KEY] = _prices_setting(overlays, path)
        doc: Mapping[str, Any] = {"config": config}
        if c.cloud == "gcp":
            header += "# Set gcp:project before `pulumi up` (the offline plan does not need it).\n"
    else:
        doc = spec
        if overlays:
            names = " ".join(f"--prices {ov.origin}" for ov in overlays)
            header += f"# Priced with price overlays: plan it with `aiinfra plan {path.name} {names}`.\n"
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
    w: Workload,
    c: Candidate,
    path: str | Path,
    policy_config: Mapping[str, Any] | None = None,
    overlays: Sequence[Overlay] = (),
) -> EmitResult:
    """Write the spec for ``c`` to ``path``, then validate and plan it as ``aiinfra plan`` does,
    priced by the same ``overlays`` (``size --prices``) that priced the candidate."""
    from components.plan.engine import plan_file

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render_spec(w, c, p, overlays), encoding="utf-8")
    plan = plan_file(p, policy_config, prices=list(overlays) or None)
    result = EmitResult(path=str(p), verdict=plan.verdict, exit_code=plan.exit_code, error=plan.error)
    result.issues = [i.format() for i in plan.issues if i.severity == "error"]
    result.violations = [
        {"policy": v.policy, "enforcementLevel": v.enforcement_level, "message": v.message} for v in plan.violations
    ]
    if plan.status == "ok":
        result.hourly_usd = round(plan.cost.hourly_usd, 2)
    return result
