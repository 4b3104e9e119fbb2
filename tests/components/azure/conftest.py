"""Spec builders for the Azure tests: a one-cluster fleet document, varied one field at a time."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.spec import load_fleet_object
from components.spec.resolved import ResolvedCluster

BASE: dict[str, Any] = {
    "environment": "prod",
    "labels": {"team": "research"},
    "clusters": [
        {
            "name": "train-az",
            "cloud": "azure",
            "region": "eastus",
            "zone": "1",
            "kubernetes": {"version": "1.35"},
            "network": {"cidr": "10.30.0.0/16", "fabric": "auto"},
            "gpuPools": [],
            "storage": [],
        }
    ],
}


def fleet_doc(**cluster_fields: Any) -> dict[str, Any]:
    """The base document with cluster fields replaced (``gpuPools=[...]``, ``zone=None`` removes)."""
    doc = copy.deepcopy(BASE)
    cluster = doc["clusters"][0]
    for key, value in cluster_fields.items():
        if value is None:
            cluster.pop(key, None)
        else:
            cluster[key] = value
    return doc


def resolve_cluster(**cluster_fields: Any) -> ResolvedCluster:
    fleet, _ = load_fleet_object(fleet_doc(**cluster_fields), "<test>")
    return fleet.clusters[0]


@pytest.fixture
def make_cluster() -> Any:
    return resolve_cluster
