"""Azure: AKS agent pools and managed clusters' ``agentPoolProfiles``, VMs and scale sets by size.

Property names are pulumi-azure-native's camelCase inputs (``containerservice.AgentPoolArgs``,
``compute.VirtualMachineArgs``, ``compute.VirtualMachineScaleSetArgs``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from components.policy.normalize.common import Ctx, count, env_labels, machine_shape
from components.policy.normalize.views import Pool, Shape
from components.policy.values import UNKNOWN, as_list, flag, get, is_unknown, text


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


def _aks_pool(ctx: Ctx, p: Mapping[str, Any], name: str, cluster_tags: Any = None) -> None:
    what = f"agent pool '{name}'"
    prio = text(get(p, "scaleSetPriority"))
    shape = machine_shape(ctx, "azure", get(p, "vmSize"), what, spot=isinstance(prio, str) and prio.lower() == "spot")
    if shape is None:
        return
    shape = _azure_fabric(shape, get(p, "proximityPlacementGroupID"))
    auto = flag(get(p, "enableAutoScaling"))
    if auto is True:
        min_n = count(ctx, get(p, "minCount"), f"{what}: minCount", 0.0)
        max_n = count(ctx, get(p, "maxCount"), f"{what}: maxCount")
    else:
        n = count(ctx, get(p, "count"), f"{what}: count", 1.0)
        min_n = max_n = n
    labels = env_labels(get(p, "tags"), get(p, "nodeLabels"), cluster_tags)
    ctx.view.pools.append(
        Pool(ctx.raw.urn, name, ctx.raw.type, "agent pool", shape, min_n, max_n, True, labels, ctx.raw.parent)
    )


def _azure_agent_pool(ctx: Ctx) -> None:
    name = text(get(ctx.raw.props, "agentPoolName"))
    _aks_pool(ctx, ctx.raw.props, name if isinstance(name, str) else ctx.raw.name)


def _azure_managed_cluster(ctx: Ctx) -> None:
    profiles = as_list(get(ctx.raw.props, "agentPoolProfiles"))
    if profiles is UNKNOWN:
        ctx.note(f"managed cluster '{ctx.raw.name}': agentPoolProfiles unknown at preview; not checked")
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
        f"VM '{r.name}'",
        spot=isinstance(prio, str) and prio.lower() == "spot",
    )
    if shape is None:
        return
    shape = _azure_fabric(shape, get(r.props, "proximityPlacementGroup.id"))
    labels = env_labels(get(r.props, "tags"))
    ctx.view.pools.append(Pool(r.urn, r.name, r.type, "VM", shape, 1, 1, False, labels, r.parent, node_word="VM"))


def _azure_vmss(ctx: Ctx) -> None:
    r = ctx.raw
    what = f"scale set '{r.name}'"
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


NORMALIZERS: Mapping[str, Callable[[Ctx], None]] = {
    "azure-native:containerservice:AgentPool": _azure_agent_pool,
    "azure-native:containerservice:ManagedCluster": _azure_managed_cluster,
    "azure-native:compute:VirtualMachine": _azure_vm,
    "azure-native:compute:VirtualMachineScaleSet": _azure_vmss,
}
