"""Raw provider resources of all three clouds, as property dicts the engine would send.

Numbers are floats (as they arrive over gRPC); ``UNK`` is the engine's unknown sentinel.
Each builder returns a list of ``RawResource`` (AWS groups come with their launch template).
"""

from __future__ import annotations

from typing import Any

from components.policy.normalize import ENV_LABEL, RawResource, normalize_resource

UNK = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
ENV = "aiinfra-environment"


def env_of(r: RawResource) -> str | None:
    """The ``aiinfra-environment`` label a raw resource carries (as the normalizers read it)."""
    view = normalize_resource(r)
    for item in (*view.pools, *view.templates):
        if ENV_LABEL in item.labels:
            return item.labels[ENV_LABEL]
    return None


def _r(type_: str, name: str, props: dict[str, Any], parent: str | None = "urn:parent") -> RawResource:
    return RawResource(type_, name, f"urn:pulumi:s::p::{type_}::{name}", props, parent)


def gke_pool(
    name: str = "h100",
    machine: str = "a3-highgpu-8g",
    min_nodes: Any = 0.0,
    max_nodes: Any = 4.0,
    env: str | None = "prod",
    *,
    spot: bool = False,
    networks: int = 4,
    compact: bool = True,
    guest: list[dict[str, Any]] | None = None,
    topology: str | None = None,
    boot_iops: float | None = None,
) -> list[RawResource]:
    nc: dict[str, Any] = {"machineType": machine, "spot": spot}
    if env:
        nc["resourceLabels"] = {ENV: env}
    if guest:
        nc["guestAccelerators"] = guest
    if boot_iops:
        nc["bootDisk"] = {"provisionedIops": boot_iops}
    props: dict[str, Any] = {
        "location": "us-central1-a",
        "autoscaling": {"minNodeCount": min_nodes, "maxNodeCount": max_nodes},
        "nodeConfig": nc,
    }
    if networks:
        props["networkConfig"] = {
            "additionalNodeNetworkConfigs": [{"network": f"gpu-{i}", "subnetwork": f"gpu-{i}"} for i in range(networks)]
        }
    if compact or topology:
        props["placementPolicy"] = {"type": "COMPACT", **({"tpuTopology": topology} if topology else {})}
    return [_r("gcp:container/nodePool:NodePool", name, props)]


def aks_pool(
    name: str = "h100",
    size: str = "Standard_ND96isr_H100_v5",
    min_nodes: Any = 0.0,
    max_nodes: Any = 4.0,
    env: str | None = "prod",
    *,
    spot: bool = False,
    ppg: bool = True,
) -> list[RawResource]:
    props: dict[str, Any] = {
        "agentPoolName": name,
        "vmSize": size,
        "enableAutoScaling": True,
        "minCount": min_nodes,
        "maxCount": max_nodes,
        "scaleSetPriority": "Spot" if spot else "Regular",
        "mode": "User",
    }
    if env:
        props["tags"] = {ENV: env}
    if ppg:
        props["proximityPlacementGroupID"] = (
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/proximityPlacementGroups/ib"
        )
    return [_r("azure-native:containerservice:AgentPool", name, props)]


def eks_group(
    name: str = "h100",
    itype: str = "p5.48xlarge",
    min_nodes: Any = 0.0,
    max_nodes: Any = 4.0,
    env: str | None = "prod",
    *,
    spot: bool = False,
    efa: int | None = None,
    placement: str | None = "train-cpg",
    iops: float | None = None,
    type_on_group: bool = True,
) -> list[RawResource]:
    efa_n = 32 if efa is None else efa
    lt: dict[str, Any] = {
        "name": f"{name}-lt",
        "networkInterfaces": [
            {
                "deviceIndex": float(0 if i == 0 else 1),
                "networkCardIndex": float(i),
                "interfaceType": "efa" if i == 0 else "efa-only",
            }
            for i in range(efa_n)
        ],
    }
    if not type_on_group:
        lt["instanceType"] = itype
    if placement:
        lt["placement"] = {"groupName": placement}
    if iops:
        lt["blockDeviceMappings"] = [{"deviceName": "/dev/xvda", "ebs": {"iops": iops, "volumeType": "io2"}}]
    if env:
        lt["tagSpecifications"] = [{"resourceType": "instance", "tags": {ENV: env}}]
    group: dict[str, Any] = {
        "clusterName": "train",
        "scalingConfig": {"minSize": min_nodes, "maxSize": max_nodes, "desiredSize": min_nodes},
        "capacityType": "SPOT" if spot else "ON_DEMAND",
        "launchTemplate": {"name": f"{name}-lt", "version": "1"},
    }
    if type_on_group:
        group["instanceTypes"] = [itype]
    if env:
        group["tags"] = {ENV: env}
    return [
        _r("aws:ec2/launchTemplate:LaunchTemplate", f"{name}-lt", lt),
        _r("aws:eks/nodeGroup:NodeGroup", name, group),
    ]


def tpu_vm(
    name: str = "v5p", acc_type: str = "v5p-32", env: str | None = "prod", *, spot: bool = True
) -> list[RawResource]:
    props: dict[str, Any] = {"acceleratorType": acc_type, "zone": "us-east5-a", "schedulingConfig": {"spot": spot}}
    if env:
        props["labels"] = {ENV: env}
    return [_r("gcp:tpu/v2Vm:V2Vm", name, props)]


def gcp_lustre(
    name: str = "datasets", gib: str = "36000", tier: str = "250", env: str | None = "prod"
) -> list[RawResource]:
    props: dict[str, Any] = {"capacityGib": gib, "perUnitStorageThroughput": tier, "location": "us-central1-a"}
    if env:
        props["labels"] = {ENV: env}
    return [_r("gcp:lustre/instance:Instance", name, props)]


def amlfs(name: str = "datasets", tib: float = 8.0, tier: int = 250, env: str | None = "prod") -> list[RawResource]:
    props: dict[str, Any] = {"storageCapacityTiB": tib, "sku": {"name": f"AMLFS-Durable-Premium-{tier}"}}
    if env:
        props["tags"] = {ENV: env}
    return [_r("azure-native:storagecache:AmlFilesystem", name, props)]


def fsx(
    name: str = "datasets", gib: float = 2400.0, tier: float = 250.0, env: str | None = "prod"
) -> list[RawResource]:
    props: dict[str, Any] = {"storageCapacity": gib, "perUnitStorageThroughput": tier, "deploymentType": "PERSISTENT_2"}
    if env:
        props["tags"] = {ENV: env}
    return [_r("aws:fsx/lustreFileSystem:LustreFileSystem", name, props)]
