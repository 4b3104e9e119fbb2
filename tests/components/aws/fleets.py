"""Helpers for the AWS tests: build small fleet specs and resolve them."""

from __future__ import annotations

import copy
from typing import Any

from components.spec import load_fleet_object
from components.spec.resolved import ResolvedCluster, ResolvedFleet

#: One instance type per AWS family in the catalog, with the pool fields that select it and
#: the EFA interfaces it gets with network.fabric: auto and several nodes.
FAMILIES: dict[str, dict[str, Any]] = {
    "p4d": {"pool": {"accelerator": "A100-40GB", "acceleratorsPerNode": 8}, "type": "p4d.24xlarge", "efa": 4},
    "p5": {"pool": {"accelerator": "H100-80GB", "acceleratorsPerNode": 8}, "type": "p5.48xlarge", "efa": 32},
    "p5en": {"pool": {"accelerator": "H200", "machineType": "p5en.48xlarge"}, "type": "p5en.48xlarge", "efa": 16},
    "p6-b200": {"pool": {"accelerator": "B200", "acceleratorsPerNode": 8}, "type": "p6-b200.48xlarge", "efa": 8},
    "g5": {"pool": {"accelerator": "A10G", "acceleratorsPerNode": 8}, "type": "g5.48xlarge", "efa": 0},
    "g6": {"pool": {"accelerator": "L4", "acceleratorsPerNode": 8}, "type": "g6.48xlarge", "efa": 0},
    "g4dn": {"pool": {"accelerator": "T4", "acceleratorsPerNode": 4}, "type": "g4dn.12xlarge", "efa": 0},
    "trn1": {"pool": {"accelerator": "Trainium", "acceleratorsPerNode": 16}, "type": "trn1.32xlarge", "efa": 8},
    "inf2": {"pool": {"accelerator": "Inferentia2", "acceleratorsPerNode": 12}, "type": "inf2.48xlarge", "efa": 0},
}

BASE_CLUSTER: dict[str, Any] = {
    "name": "ml",
    "cloud": "aws",
    "region": "us-east-1",
    "zone": "us-east-1a",
    "kubernetes": {"version": "1.35"},
    "network": {"cidr": "10.40.0.0/16", "fabric": "auto"},
}


def fleet_doc(
    pools: list[dict[str, Any]] | None = None,
    storage: list[dict[str, Any]] | None = None,
    environment: str = "dev",
    **cluster: Any,
) -> dict[str, Any]:
    """A fleet spec with one AWS cluster; ``cluster`` overrides fields of BASE_CLUSTER
    (a value of None removes the field)."""
    c = copy.deepcopy(BASE_CLUSTER)
    for key, value in cluster.items():
        if value is None:
            c.pop(key, None)
        else:
            c[key] = value
    if pools:
        c["gpuPools"] = pools
    if storage:
        c["storage"] = storage
    return {"environment": environment, "labels": {"team": "research"}, "clusters": [c]}


def family_pool(family: str, **overrides: Any) -> dict[str, Any]:
    return {"name": family.replace("-", ""), "minNodes": 0, "maxNodes": 4, **FAMILIES[family]["pool"], **overrides}


def resolve(doc: dict[str, Any]) -> ResolvedFleet:
    fleet, _warnings = load_fleet_object(doc, "<test>")
    return fleet


def resolve_cluster(doc: dict[str, Any]) -> ResolvedCluster:
    return resolve(doc).clusters[0]
