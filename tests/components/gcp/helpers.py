"""Spec fixtures for the GCP tests: one small cluster document, changed one field at a time."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from components.spec import load_fleet_object
from components.spec.resolved import ResolvedCluster

PROJECT = "test-project"
CONFIG = {"gcp:project": PROJECT, "gcp:region": "us-central1"}

BASE: dict[str, Any] = {
    "name": "c1",
    "cloud": "gcp",
    "region": "us-central1",
    "zone": "us-central1-a",
    "kubernetes": {"version": "1.35"},
    "network": {"cidr": "10.20.0.0/16", "fabric": "auto"},
}

# One GPU pool per accelerator family (maxNodes 2 so `fabric: auto` builds the fabric).
FAMILIES: dict[str, dict[str, Any]] = {
    "a2": {"name": "a2", "accelerator": "A100-40GB", "acceleratorsPerNode": 8, "maxNodes": 2},
    "a3-high": {"name": "a3high", "accelerator": "H100-80GB", "acceleratorsPerNode": 8, "maxNodes": 2},
    "a3-mega": {
        "name": "a3mega",
        "accelerator": "H100-80GB",
        "machineType": "a3-megagpu-8g",
        "acceleratorsPerNode": 8,
        "maxNodes": 2,
    },
    "a3-ultra": {"name": "a3ultra", "accelerator": "H200", "acceleratorsPerNode": 8, "maxNodes": 2},
    "a4": {"name": "a4", "accelerator": "B200", "acceleratorsPerNode": 8, "maxNodes": 2},
    "g2-l4": {"name": "l4", "accelerator": "L4", "acceleratorsPerNode": 4, "maxNodes": 2},
    "n1-t4": {"name": "t4", "accelerator": "T4", "acceleratorsPerNode": 1, "maxNodes": 2},
}

# (version, topology) at single-host and multi-host sizes.
TPUS: dict[str, tuple[str, str]] = {
    "v4-single": ("v4", "2x2x1"),
    "v4-multi": ("v4", "2x2x4"),
    "v5e-single": ("v5e", "2x4"),
    "v5e-multi": ("v5e", "4x4"),
    "v5p-single": ("v5p", "2x2x1"),
    "v5p-multi": ("v5p", "2x4x4"),
    "v6e-single": ("v6e", "2x2"),
    "v6e-multi": ("v6e", "8x8"),
}


def cluster_doc(**changes: Any) -> dict[str, Any]:
    """The base cluster document with ``changes`` applied (top-level keys; None removes a key)."""
    doc = copy.deepcopy(BASE)
    doc.update(copy.deepcopy(changes))
    return {k: v for k, v in doc.items() if v is not None}


def fleet_doc(*clusters: dict[str, Any], environment: str = "dev") -> dict[str, Any]:
    return {"environment": environment, "labels": {"team": "ml"}, "clusters": list(clusters)}


def resolve(cluster: dict[str, Any], environment: str = "dev") -> ResolvedCluster:
    fleet, _ = load_fleet_object(fleet_doc(cluster, environment=environment), "<test>")
    return fleet.clusters[0]


def config_for(*clusters: dict[str, Any], environment: str = "dev") -> dict[str, Any]:
    """Stack config that runs ``__main__.py`` over a fleet of ``clusters``."""
    return {**CONFIG, "aiinfra:fleet": fleet_doc(*clusters, environment=environment)}


def at_version(cluster: ResolvedCluster, version: str) -> ResolvedCluster:
    """``cluster`` at a Kubernetes version validate no longer accepts for a new cluster (for the
    translate functions, which still serve the clusters already running it)."""
    k8s = replace(cluster.spec.kubernetes, version=version)
    return replace(cluster, spec=replace(cluster.spec, kubernetes=k8s))
