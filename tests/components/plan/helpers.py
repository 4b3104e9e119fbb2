"""Shared helpers for the planner's tests: stack files, fleets, fake policy adapters."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from components.mockengine import CapturedResource
from components.plan.policies import PolicyVerdict
from tests.support.specs import GCP_TRAIN

REPO = Path(__file__).resolve().parents[3]
STACKS = sorted((REPO / "stacks").glob("Pulumi.*.yaml"))
FIXTURE = Path(__file__).with_name("fixture_program.py")

GCP_FLEET: dict[str, Any] = GCP_TRAIN

AWS_FLEET: dict[str, Any] = {
    "environment": "prod",
    "clusters": [
        {
            "name": "train-aws",
            "cloud": "aws",
            "region": "us-east-1",
            "zone": "us-east-1a",
            "kubernetes": {"version": "1.35"},
            "network": {"cidr": "10.40.0.0/16"},
            "gpuPools": [
                {"name": "p5", "accelerator": "H100-80GB", "acceleratorsPerNode": 8, "minNodes": 0, "maxNodes": 4}
            ],
            "storage": [{"name": "datasets", "kind": "lustre", "capacityGiB": 4800, "throughputMBpsPerTiB": 250}],
        }
    ],
}


def fleet(base: Mapping[str, Any], **cluster_changes: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with keys of its first cluster replaced."""
    out = copy.deepcopy(dict(base))
    out["clusters"][0].update(cluster_changes)
    return out


def write_stack(directory: Path, stack: str, spec: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> Path:
    """Write ``Pulumi.<stack>.yaml`` with the spec under config ``aiinfra:fleet``."""
    path = directory / f"Pulumi.{stack}.yaml"
    config = {**(extra or {}), "aiinfra:fleet": spec}
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False), encoding="utf-8")
    return path


def no_violations(
    resources: Sequence[CapturedResource], config: Mapping[str, Any], **context: Any
) -> list[PolicyVerdict]:
    return []


def mandatory_on_first_pool(
    resources: Sequence[CapturedResource], config: Mapping[str, Any], **context: Any
) -> list[PolicyVerdict]:
    """A mandatory verdict on the first GPU node pool / node group by name, and an advisory stack-wide one."""
    pool = min(
        (
            r
            for r in resources
            if r.type == "aws:eks/nodeGroup:NodeGroup"
            or (r.type == "gcp:container/nodePool:NodePool" and r.inputs.get("nodeConfig", {}).get("guestAccelerators"))
        ),
        key=lambda r: r.name,
    )
    return [
        PolicyVerdict(
            policy="gpu-pool-max-nodes",
            enforcement_level="mandatory",
            message=f"pool {pool.name} can scale to too many nodes for a prod fleet",
            type=pool.type,
            name=pool.name,
            urn=pool.urn,
            fix="lower maxNodes",
        ),
        PolicyVerdict(policy="fleet-budget", enforcement_level="advisory", message="close to budget"),
    ]


def node_price(cloud: str, machine_type: str, spot: bool = False) -> float:
    """The catalog's node-hour price (tests follow the catalog rather than copy its figures)."""
    from components.catalog import get_catalog

    offer = get_catalog().offer_by_machine_type(cloud, machine_type)
    assert offer is not None
    price = offer.price.spot_usd if spot else offer.price.on_demand_usd
    assert price is not None
    return price
