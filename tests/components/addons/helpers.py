"""Fleets per cloud and fabric kind for the add-on tests, run on the mock engine, and what
the captured node pools say about each pool's taints."""

from __future__ import annotations

import copy
import functools
from typing import Any

import pulumi

from components.fleet import Fleet
from components.mockengine import Capture, CapturedResource, run_program
from components.spec import check_document
from components.spec.resolved import LABEL_POOL, ResolvedFleet

GCP_PROJECT = {"gcp:project": "proj-1"}


def cluster(cloud: str, pools: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    region, zone = {
        "gcp": ("us-central1", "us-central1-a"),
        "aws": ("us-east-1", "us-east-1a"),
        "azure": ("eastus", "1"),
    }[cloud]
    return {"name": f"c-{cloud}", "cloud": cloud, "region": region, "zone": zone, "gpuPools": pools, **extra}


# One spec per fabric kind (and the GPU-enablement cases), each a single cluster.
SPECS: dict[str, dict[str, Any]] = {
    "gcp-tcpx": {"clusters": [cluster("gcp", [{"name": "a3high", "accelerator": "H100-80GB", "maxNodes": 4}])]},
    "gcp-tcpxo": {
        "clusters": [
            cluster(
                "gcp", [{"name": "a3mega", "accelerator": "H100-80GB", "machineType": "a3-megagpu-8g", "maxNodes": 4}]
            )
        ]
    },
    "gcp-rdma": {
        "clusters": [
            cluster(
                "gcp",
                [
                    {"name": "a3ultra", "accelerator": "H200", "maxNodes": 2},
                    {"name": "a4", "accelerator": "B200", "maxNodes": 2},
                ],
                tpuSlices=[{"name": "v5p", "version": "v5p", "topology": "2x2x4"}],
                storage=[
                    {"name": "datasets", "kind": "lustre", "capacityGiB": 36000, "throughputMBpsPerTiB": 250},
                    {"name": "home", "kind": "nfs", "capacityGiB": 1024},
                ],
            )
        ]
    },
    "aws-efa": {
        "clusters": [
            cluster(
                "aws",
                [
                    {"name": "p5", "accelerator": "H100-80GB", "maxNodes": 4},
                    {"name": "trn", "accelerator": "Trainium", "maxNodes": 2},
                    {
                        "name": "plain",
                        "accelerator": "L4",
                        "acceleratorsPerNode": 1,
                        "maxNodes": 2,
                        "gpuDriver": "none",
                    },
                ],
                storage=[
                    {"name": "datasets", "kind": "lustre", "capacityGiB": 4800, "throughputMBpsPerTiB": 250},
                    {"name": "home", "kind": "nfs", "capacityGiB": 1024},
                ],
            )
        ]
    },
    "azure-ib": {
        "clusters": [
            cluster(
                "azure",
                [
                    {"name": "ndh100", "accelerator": "H100-80GB", "maxNodes": 4},
                    {
                        "name": "nca100",
                        "accelerator": "A100-80GB",
                        "acceleratorsPerNode": 1,
                        "maxNodes": 2,
                        "capacity": "spot",
                    },
                ],
                storage=[
                    {"name": "datasets", "kind": "lustre", "capacityGiB": 4096, "throughputMBpsPerTiB": 500},
                    {"name": "home", "kind": "nfs", "capacityGiB": 1024},
                ],
            )
        ]
    },
    "aws-accelerated": {"clusters": [cluster("aws", [{"name": "p5", "accelerator": "H100-80GB", "maxNodes": 2}])]},
    "azure-managed-driver": {
        "clusters": [
            cluster("azure", [{"name": "nca100", "accelerator": "A100-80GB", "acceleratorsPerNode": 1, "maxNodes": 2}])
        ]
    },
}


def resolved(name: str, addons: dict[str, Any] | None = None) -> ResolvedFleet:
    doc = copy.deepcopy(SPECS[name])
    if addons is not None:
        # run() passes hashable tuples; the spec has lists (workloadNamespaces).
        doc["clusters"][0]["addons"] = {k: list(v) if isinstance(v, tuple) else v for k, v in addons.items()}
    fleet, issues = check_document(doc)
    assert fleet is not None, [i.format() for i in issues]
    return fleet


@functools.cache
def run(name: str, addons: tuple[tuple[str, Any], ...] = (), preview: bool = True) -> Capture:
    fleet = resolved(name, dict(addons) if addons else None)

    def program() -> None:
        built = Fleet("fleet", fleet)
        for cluster_name, exports in built.outputs.items():
            pulumi.export(cluster_name, {"addons": exports["addons"]})

    return run_program(program, config=GCP_PROJECT, stack="test", preview=preview)


def addon_resources(capture: Capture) -> list[CapturedResource]:
    """Resources under the ClusterAddons component (Kubernetes objects, releases, cloud side)."""
    return [r for r in capture.resources if r.parent_name is not None and r.parent_name.endswith("-addons")]


def k8s(capture: Capture, kind: str | None = None) -> list[CapturedResource]:
    out = [r for r in addon_resources(capture) if r.type.startswith("kubernetes:")]
    return [r for r in out if kind is None or r.type.endswith(f":{kind}")]


def pool_taints(capture: Capture) -> dict[str, set[tuple[str, str, str]]]:
    """pool name -> taints (key, value, effect) from the captured node pool resources."""
    out: dict[str, set[tuple[str, str, str]]] = {}
    effect = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute"}
    for r in capture.resources:
        i = r.inputs
        if r.type == "gcp:container/nodePool:NodePool":
            labels = i["nodeConfig"].get("labels", {})
            taints = i["nodeConfig"].get("taints", [])
            if LABEL_POOL in labels and "guestAccelerators" in i["nodeConfig"]:
                out[labels[LABEL_POOL]] = {(t["key"], t["value"], effect[t["effect"]]) for t in taints}
        elif r.type == "aws:eks/nodeGroup:NodeGroup" and LABEL_POOL in (i.get("labels") or {}):
            if i["labels"][LABEL_POOL] != "system":
                out[i["labels"][LABEL_POOL]] = {(t["key"], t["value"], effect[t["effect"]]) for t in i["taints"]}
        elif r.type == "azure-native:containerservice:AgentPool":
            taints = set()
            for t in i.get("nodeTaints", []):
                kv, eff = t.split(":")
                k, v = kv.split("=")
                taints.add((k, v, eff))
            if i.get("scaleSetPriority") == "Spot":  # AKS adds this taint to spot nodes itself
                taints.add(("kubernetes.azure.com/scalesetpriority", "spot", "NoSchedule"))
            out[i["nodeLabels"][LABEL_POOL]] = taints
    return out


def pool_labels(capture: Capture) -> dict[str, dict[str, str]]:
    """pool name -> Kubernetes node labels, from the captured EKS node groups and AKS agent pools."""
    out: dict[str, dict[str, str]] = {}
    for r in capture.resources:
        labels = r.inputs.get("labels") if r.type == "aws:eks/nodeGroup:NodeGroup" else None
        if r.type == "azure-native:containerservice:AgentPool":
            labels = r.inputs.get("nodeLabels")
        if labels and labels.get(LABEL_POOL) not in (None, "system"):
            out[labels[LABEL_POOL]] = dict(labels)
    return out
