"""Spec objects shared by tests: the gcp-train fleet (as in stacks/Pulumi.gcp-train.yaml).

Tests that change it take a ``copy.deepcopy`` first.
"""

from __future__ import annotations

from typing import Any

GCP_TRAIN: dict[str, Any] = {
    "environment": "prod",
    "labels": {"team": "research"},
    "budget": {"maxHourlyUsd": 2500, "maxAccelerators": 256},
    "clusters": [
        {
            "name": "train",
            "cloud": "gcp",
            "region": "us-central1",
            "zone": "us-central1-a",
            "kubernetes": {"version": "1.35"},
            "network": {"cidr": "10.20.0.0/16", "fabric": "auto"},
            "gpuPools": [
                {
                    "name": "h100",
                    "accelerator": "H100-80GB",
                    "acceleratorsPerNode": 8,
                    "minNodes": 0,
                    "maxNodes": 4,
                    "capacity": "on-demand",
                    "localSsd": "raid0",
                }
            ],
            "tpuSlices": [{"name": "v5p", "version": "v5p", "topology": "2x2x4", "capacity": "spot"}],
            "storage": [
                {
                    "name": "datasets",
                    "kind": "lustre",
                    "capacityGiB": 36000,
                    "throughputMBpsPerTiB": 250,
                    "lustrePort": 6988,
                }
            ],
        }
    ],
}
