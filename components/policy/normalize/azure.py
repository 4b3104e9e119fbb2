"""Azure: AKS agent pools and managed clusters' ``agentPoolProfiles``, VMs and scale sets by size,
capacity reservations, Azure Machine Learning compute; and the same from the classic ``azure:``
provider (``KubernetesCluster`` default node pool, ``KubernetesClusterNodePool``, Linux / Windows /
orchestrated scale sets, ``CapacityReservation``, ML ``ComputeCluster`` / ``ComputeInstance``).

Property names are pulumi-azure-native's camelCase inputs (``containerservice.AgentPoolArgs``,
``compute.VirtualMachineArgs``, ``compute.VirtualMachineScaleSetArgs``,
``machinelearningservices.ComputeArgs`` ...) and pulumi-azure's
(``containerservice.KubernetesClusterNodePoolArgs``, ``compute.LinuxVirtualMachineScaleSetArgs`` ...).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from components.policy.normalize.common import Ctx, capacity_pool, count, env_labels, machine_shape
from components.policy.normalize.views import Pool, Shape
from components.policy.values import UNKNOWN, as_list, flag, get, is_unknown, quote, text


# ----- Azure -------------------------------------------------------------------------------
def _azure_fabric(shape: Shape, ppg: Any) -> Shape:
    if shape.offer is None or shape.fabric_kind == "none":
        return shape
    if is_unknown(ppg):
        return replace(shape, fabric_present=("proximity placement group",), fabric_missing=())
    if isinstance(ppg, str) and ppg:
        return replace(shape, fabric_missing=(), fabric_present=("proximity placement group",))
    return replace(
        shape,
        fabric_missing=("no proximity placement group (proximityPlacementGroupID)",),
        fabric_present=(),
    )


# Property names of an AKS pool: azure-native AgentPool / agentPoolProfiles, and the classic
# provider's KubernetesClusterNodePool / defaultNodePool.
_NATIVE = {
    "priority": "scaleSetPriority",
    "ppg": "proximityPlacementGroupID",
    "auto": "enableAutoScaling",
    "count": "count",
    "group": "capacityReservationGroupID",
}
_CLASSIC = {
    "priority": "priority",
    "ppg": "proximityPlacementGroupId",
    "auto": "autoScalingEnabled",
    "count": "nodeCount",
    "group": "capacityReservationGroupId",
}


def _aks_pool(
    ctx: Ctx, p: Mapping[str, Any], name: str, cluster_tags: Any = None, names: Mapping[str, str] = _NATIVE
) -> None:
    what = f"agent pool {quote(name)}"
    prio = text(get(p, names["priority"]))
    shape = machine_shape(ctx, "azure", get(p, "vmSize"), what, spot=isinstance(prio, str) and prio.lower() == "spot")
    if shape is None:
        return
    shape = _azure_fabric(shape, get(p, names["ppg"]))
    auto = flag(get(p, names["auto"]))
    if auto is True:
        min_n = count(ctx, get(p, "minCount"), f"{what}: minCount", 0.0)
        max_n = count(ctx, get(p, "maxCount"), f"{what}: maxCount")
    else:
        n = count(ctx, get(p, names["count"]), f"{what}: {names['count']}", 1.0)
        min_n = max_n = n
    group = text(get(p, names["group"]))
    if isinstance(group, str):
        shape = replace(shape, reserved=True)
    labels = env_labels(get(p, "tags"), get(p, "nodeLabels"), cluster_tags)
    ctx.view.pools.append(
        Pool(
            ctx.raw.urn,
            name,
            ctx.raw.type,
            "agent pool",
            shape,
            min_n,
            max_n,
            True,
            labels,
            ctx.raw.parent,
            reservation_ref=(group,) if isinstance(group, str) else (),
        )
    )


def _azure_agent_pool(ctx: Ctx) -> None:
    name = text(get(ctx.raw.props, "agentPoolName"))
    _aks_pool(ctx, ctx.raw.props, name if isinstance(name, str) else ctx.raw.name)


def _azure_managed_cluster(ctx: Ctx) -> None:
    profiles = as_list(get(ctx.raw.props, "agentPoolProfiles"))
    if profiles is UNKNOWN:
        ctx.note(f"managed cluster {quote(ctx.raw.name)}: agentPoolProfiles unknown at preview; not checked")
        return
    for i, p in enumerate(profiles):
        pname = text(get(p, "name"))
        _aks_pool(ctx, p, f"{ctx.raw.name}/{pname if isinstance(pname, str) else i}", get(ctx.raw.props, "tags"))


def _azure_vm(ctx: Ctx) -> None:
    r = ctx.raw
    prio = text(get(r.props, "priority"))
    shape = machine_shape(
        ctx,
        "azure",
        get(r.props, "hardwareProfile.vmSize"),
        f"VM {quote(r.name)}",
        spot=isinstance(prio, str) and prio.lower() == "spot",
    )
    if shape is None:
        return
    shape = _azure_fabric(shape, get(r.props, "proximityPlacementGroup.id"))
    labels = env_labels(get(r.props, "tags"))
    ctx.view.pools.append(Pool(r.urn, r.name, r.type, "VM", shape, 1, 1, False, labels, r.parent, node_word="VM"))


def _azure_vmss(ctx: Ctx) -> None:
    r = ctx.raw
    what = f"scale set {quote(r.name)}"
    prio = text(get(r.props, "virtualMachineProfile.priority"))
    shape = machine_shape(
        ctx, "azure", get(r.props, "sku.name"), what, spot=isinstance(prio, str) and prio.lower() == "spot"
    )
    if shape is None:
        return
    shape = _azure_fabric(shape, get(r.props, "proximityPlacementGroup.id"))
    n = count(ctx, get(r.props, "sku.capacity"), f"{what}: sku.capacity", 0.0)
    labels = env_labels(get(r.props, "tags"))
    ctx.view.pools.append(Pool(r.urn, r.name, r.type, "scale set", shape, n, n, True, labels, r.parent, node_word="VM"))


def _classic_node_pool(ctx: Ctx) -> None:
    name = text(get(ctx.raw.props, "name"))
    _aks_pool(ctx, ctx.raw.props, name if isinstance(name, str) else ctx.raw.name, names=_CLASSIC)


def _classic_cluster(ctx: Ctx) -> None:
    pool = get(ctx.raw.props, "defaultNodePool")
    if pool is UNKNOWN:
        ctx.note(f"Kubernetes cluster {quote(ctx.raw.name)}: defaultNodePool unknown at preview; not checked")
        return
    if isinstance(pool, Mapping):
        pname = text(get(pool, "name"))
        label = f"{ctx.raw.name}/{pname if isinstance(pname, str) else 'default'}"
        _aks_pool(ctx, pool, label, get(ctx.raw.props, "tags"), _CLASSIC)


def _classic_vmss(ctx: Ctx) -> None:
    """Linux / Windows (``sku``, ``instances``) and orchestrated (``skuName``) scale sets."""
    r = ctx.raw
    what = f"scale set {quote(r.name)}"
    prio = text(get(r.props, "priority"))
    size = get(r.props, "sku") if get(r.props, "sku") is not None else get(r.props, "skuName")
    shape = machine_shape(ctx, "azure", size, what, spot=isinstance(prio, str) and prio.lower() == "spot")
    if shape is None:
        return
    shape = _azure_fabric(shape, get(r.props, "proximityPlacementGroupId"))
    n = count(ctx, get(r.props, "instances"), f"{what}: instances", 0.0)
    labels = env_labels(get(r.props, "tags"))
    ctx.view.pools.append(Pool(r.urn, r.name, r.type, "scale set", shape, n, n, True, labels, r.parent, node_word="VM"))


def _capacity_reservation(ctx: Ctx) -> None:
    """A capacity reservation (azure-native or classic): ``sku.capacity`` VMs of ``sku.name``."""
    r = ctx.raw
    what = f"capacity reservation {quote(r.name)}"
    shape = machine_shape(ctx, "azure", get(r.props, "sku.name"), what, reserved=True)
    group = text(get(r.props, "capacityReservationGroupName")) or text(get(r.props, "capacityReservationGroupId"))
    names = [group, text(get(r.props, "capacityReservationName")), text(get(r.props, "name"))]
    capacity_pool(
        ctx, shape, get(r.props, "sku.capacity"), what, "capacity reservation", env_labels(get(r.props, "tags")), names
    )


def _ml_pool(
    ctx: Ctx, size: Any, priority: Any, scale: Any, labels: Mapping[str, str], kind: str, single: bool
) -> None:
    r = ctx.raw
    what = f"{kind} {quote(r.name)}"
    prio = text(priority)
    shape = machine_shape(ctx, "azure", size, what, spot=isinstance(prio, str) and prio.lower() == "lowpriority")
    if shape is None:
        return
    low: float | None
    high: float | None
    if single:
        low = high = 1.0
    else:
        high = count(ctx, get(scale, "maxNodeCount"), f"{what}: scaleSettings.maxNodeCount")
        low = count(ctx, get(scale, "minNodeCount"), f"{what}: scaleSettings.minNodeCount", 0.0)
    # Azure ML places its cluster nodes on InfiniBand itself where the size has it
    ctx.view.pools.append(
        Pool(
            r.urn,
            r.name,
            r.type,
            kind,
            shape,
            low,
            high,
            not single,
            dict(labels),
            r.parent,
            node_word="node",
            fabric_applies=False,
        )
    )


def _ml_compute(ctx: Ctx) -> None:
    """azure-native ``machinelearningservices:Compute``: AmlCompute clusters and compute instances."""
    p = ctx.raw.props
    inner = get(p, "properties", {})
    ctype = text(get(inner, "computeType"))
    body = get(inner, "properties", {})
    labels = env_labels(get(p, "tags"))
    if ctype == "AmlCompute":
        _ml_pool(
            ctx,
            get(body, "vmSize"),
            get(body, "vmPriority"),
            get(body, "scaleSettings"),
            labels,
            "ML compute cluster",
            False,
        )
    elif ctype == "ComputeInstance":
        _ml_pool(ctx, get(body, "vmSize"), None, None, labels, "ML compute instance", True)
    elif ctype is UNKNOWN:
        ctx.note(f"ML compute {quote(ctx.raw.name)}: computeType unknown at preview; not checked")


def _classic_ml_cluster(ctx: Ctx) -> None:
    p = ctx.raw.props
    _ml_pool(
        ctx,
        get(p, "vmSize"),
        get(p, "vmPriority"),
        get(p, "scaleSettings"),
        env_labels(get(p, "tags")),
        "ML compute cluster",
        False,
    )


def _classic_ml_instance(ctx: Ctx) -> None:
    p = ctx.raw.props
    _ml_pool(ctx, get(p, "virtualMachineSize"), None, None, env_labels(get(p, "tags")), "ML compute instance", True)


NORMALIZERS: Mapping[str, Callable[[Ctx], None]] = {
    "azure-native:containerservice:AgentPool": _azure_agent_pool,
    "azure-native:containerservice:ManagedCluster": _azure_managed_cluster,
    "azure-native:compute:VirtualMachine": _azure_vm,
    "azure-native:compute:VirtualMachineScaleSet": _azure_vmss,
    "azure-native:compute:CapacityReservation": _capacity_reservation,
    "azure-native:machinelearningservices:Compute": _ml_compute,
    "azure:containerservice/kubernetesCluster:KubernetesCluster": _classic_cluster,
    "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool": _classic_node_pool,
    "azure:compute/linuxVirtualMachineScaleSet:LinuxVirtualMachineScaleSet": _classic_vmss,
    "azure:compute/windowsVirtualMachineScaleSet:WindowsVirtualMachineScaleSet": _classic_vmss,
    "azure:compute/orchestratedVirtualMachineScaleSet:OrchestratedVirtualMachineScaleSet": _classic_vmss,
    "azure:compute/capacityReservation:CapacityReservation": _capacity_reservation,
    "azure:machinelearning/computeCluster:ComputeCluster": _classic_ml_cluster,
    "azure:machinelearning/computeInstance:ComputeInstance": _classic_ml_instance,
}
