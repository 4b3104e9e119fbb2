"""Which add-ons a cluster gets, and where their pods go: pure functions over the resolved cluster.

``addon_plan(cluster)`` turns ``clusters[].addons`` (each ``auto | enabled | disabled``) into one
``Decision`` per add-on: on or off, why, and the pools it serves. ``auto`` follows what the
pools and storage need (an EFA pool needs the EFA device plugin; an AKS pool whose driver
install is skipped needs the GPU Operator); ``enabled`` installs it even when nothing needs
it, except an add-on that only ever runs on the pools it serves (a device plugin), which has
nothing to install without one. The rules are the ``RULES`` table below, facts
come from the catalog (accelerator vendor and kind, the fabric's add-on) and the cloud
translate modules (the taints and driver choice each pool is built with).

``pool_targets(cluster)`` says how to place a pod on each pool: the node selector (the
``aiinfra-pool`` label every pool carries) and tolerations for exactly the taints the cloud
module puts on that pool's nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from components.catalog import get_catalog
from components.catalog.addons import Addon
from components.spec.model import ADDON_FIELDS
from components.spec.resolved import LABEL_POOL, ResolvedCluster, ResolvedPool

# Kubernetes extended resource per accelerator kind/vendor, as each device plugin advertises it.
RESOURCE_NVIDIA = "nvidia.com/gpu"
RESOURCE_NEURON = "aws.amazon.com/neuron"
RESOURCE_TPU = "google.com/tpu"
# GKE taints TPU nodes itself: https://cloud.google.com/kubernetes-engine/docs/concepts/tpus#taints
GKE_TPU_TAINT = {"key": RESOURCE_TPU, "value": "present", "effect": "NoSchedule"}
# AKS taints spot nodes itself: https://learn.microsoft.com/azure/aks/spot-node-pool
AKS_SPOT_TAINT = {"key": "kubernetes.azure.com/scalesetpriority", "value": "spot", "effect": "NoSchedule"}
_EFFECT = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}


@dataclass(frozen=True)
class PoolTarget:
    """How pods reach one GPU pool or TPU slice, and what it holds at max scale."""

    name: str
    kind: str  # gpu | neuron | tpu
    vendor: str  # nvidia | amd | aws | google
    taints: tuple[Mapping[str, str], ...]  # key, value, effect (Kubernetes spelling)
    resource: str  # the accelerator's extended resource
    accelerators_per_node: int
    max_nodes: int
    vcpu_per_node: int
    memory_gib_per_node: int
    fabric: str | None  # fabric kind, None without one
    fabric_resource: tuple[str, int] | None  # (resource, per node) pods request for the fabric
    machine_type: str
    accelerator_label: str | None = None  # GKE: cloud.google.com/gke-accelerator value
    pool: ResolvedPool | None = None

    @property
    def node_selector(self) -> dict[str, str]:
        return {LABEL_POOL: self.name}

    @property
    def tolerations(self) -> list[dict[str, str]]:
        """Tolerations for exactly this pool's taints."""
        return [{"key": t["key"], "operator": "Equal", "value": t["value"], "effect": t["effect"]} for t in self.taints]


def _pool_taints(cluster: ResolvedCluster, pool: ResolvedPool) -> list[dict[str, str]]:
    """The taints the cloud module puts on this pool's nodes (Kubernetes spelling)."""
    if cluster.cloud == "gcp":
        from components.gcp.translate import GPU_TAINT

        raw = [GPU_TAINT]
    elif cluster.cloud == "aws":
        from components.aws.translate import node_taints

        raw = node_taints(pool.offer)
    else:
        from components.azure.translate import device_resource

        raw = [{"key": device_resource(pool), "value": "present", "effect": "NoSchedule"}]
        if pool.spec.capacity == "spot":
            raw = [*raw, AKS_SPOT_TAINT]
    return [{"key": t["key"], "value": t["value"], "effect": _EFFECT.get(t["effect"], t["effect"])} for t in raw]


def pool_targets(cluster: ResolvedCluster) -> list[PoolTarget]:
    """One target per GPU pool and per TPU slice (GKE node pools only), in spec order."""
    cat = get_catalog()
    targets: list[PoolTarget] = []
    for pool in cluster.pools:
        accel = cat.accelerators[pool.offer.accelerator]
        resource = {"neuron": RESOURCE_NEURON}.get(accel.kind, f"{accel.vendor}.com/gpu")
        fabric_resource = pool.fabric.pod_resource_per_node(pool.offer) if pool.fabric is not None else None
        targets.append(
            PoolTarget(
                name=pool.name,
                kind=accel.kind,
                vendor=accel.vendor,
                taints=tuple(_pool_taints(cluster, pool)),
                resource=resource,
                accelerators_per_node=pool.offer.accelerators_per_node,
                max_nodes=pool.spec.max_nodes,
                vcpu_per_node=pool.offer.vcpu,
                memory_gib_per_node=pool.offer.memory_gib,
                fabric=pool.fabric.kind if pool.fabric is not None else None,
                fabric_resource=fabric_resource,
                machine_type=pool.offer.machine_type,
                accelerator_label=pool.offer.accelerator_type if cluster.cloud == "gcp" else None,
                pool=pool,
            )
        )
    for sl in cluster.slices:
        if sl.spec.mode != "gke":
            continue  # TPU VMs and queued resources are not Kubernetes nodes
        vm_chips = sl.version.gke_machine_types.get(sl.shape.machine_type, 0)
        targets.append(
            PoolTarget(
                name=sl.name,
                kind="tpu",
                vendor="google",
                taints=(GKE_TPU_TAINT,),
                resource=RESOURCE_TPU,
                accelerators_per_node=vm_chips,
                max_nodes=sl.shape.nodes * sl.spec.count,
                vcpu_per_node=0,
                memory_gib_per_node=0,
                fabric=None,
                fabric_resource=None,
                machine_type=sl.shape.machine_type,
            )
        )
    return targets


def _driver_by_cloud(cluster: ResolvedCluster, pool: ResolvedPool) -> bool:
    """True when the cloud installs this NVIDIA pool's driver (EKS accelerated AMI, AKS driver install)."""
    if cluster.cloud == "azure":
        from components.azure.translate import gpu_driver

        return gpu_driver(pool) == "Install"
    from components.aws.translate import driver_from_ami

    return driver_from_ami(pool)


def _nvidia(cluster: ResolvedCluster) -> list[ResolvedPool]:
    accels = get_catalog().accelerators
    return [
        p
        for p in cluster.pools
        if accels[p.offer.accelerator].vendor == "nvidia" and accels[p.offer.accelerator].kind == "gpu"
    ]


# The two NVIDIA enablements split the pools between them and never meet on a node: the
# standalone device plugin serves the pools whose driver and container toolkit the cloud's
# node image brings (what EKS and AKS document), its affinity limited to them; the GPU
# Operator serves the pools whose driver install is skipped, and the cloud modules label the
# other pools with the operator's opt-out label (catalog ``skipNodeLabels``), so it never
# reconfigures a container runtime the node image already set up.
def _needs_gpu_operator(cluster: ResolvedCluster) -> list[str]:
    if cluster.cloud == "gcp":
        return []
    return [p.name for p in _nvidia(cluster) if not _driver_by_cloud(cluster, p)]


def _needs_device_plugin(cluster: ResolvedCluster) -> list[str]:
    if cluster.cloud == "gcp":
        return []
    return [p.name for p in _nvidia(cluster) if _driver_by_cloud(cluster, p)]


def _fabric_pools(addon: str) -> Callable[[ResolvedCluster], list[str]]:
    def needs(cluster: ResolvedCluster) -> list[str]:
        return [p.name for p in cluster.pools if p.fabric is not None and p.fabric.addon == addon]

    return needs


def _storage(kind: str) -> Callable[[ResolvedCluster], list[str]]:
    def needs(cluster: ResolvedCluster) -> list[str]:
        return [s.name for s in cluster.storage if s.spec.kind == kind]

    return needs


def _accelerated(cluster: ResolvedCluster) -> list[str]:
    return [t.name for t in pool_targets(cluster)]


def _neuron(cluster: ResolvedCluster) -> list[str]:
    accels = get_catalog().accelerators
    return [p.name for p in cluster.pools if accels[p.offer.accelerator].kind == "neuron"]


@dataclass(frozen=True)
class Rule:
    """When an add-on is needed on a cluster.

    ``needs`` lists the pools (or storage items) that need it; ``wants`` says the same in the
    user's words (validate's messages, the "auto: on when" column of docs/addons.md). A
    ``pool_bound`` add-on is nothing but pods placed on the pools it serves (node affinity,
    ``neuronInstances``, operator opt-out labels): with no pool to serve there is nothing to
    install, even when the spec says ``enabled``; rendering it anyway would give an empty
    node-affinity list the API server rejects. The others (Kueue, JobSet, the CSI drivers,
    the managed Prometheus side of monitoring) are cluster-wide and install as asked.
    """

    needs: Callable[[ResolvedCluster], list[str]]
    wants: str
    pool_bound: bool = False


#: What each add-on serves on a cluster: the pools (or storage items) that need it.
RULES: Mapping[str, Rule] = {
    "nvidiaDevicePlugin": Rule(
        _needs_device_plugin,
        "an NVIDIA pool whose driver the cloud installs (EKS accelerated AMI, AKS driver install)",
        pool_bound=True,
    ),
    "gpuOperator": Rule(
        _needs_gpu_operator,
        "an NVIDIA pool whose driver install is skipped (AKS InfiniBand pools, gpuDriver: none)",
        pool_bound=True,
    ),
    "neuronDevicePlugin": Rule(_neuron, "a Trainium / Inferentia pool", pool_bound=True),
    "efaDevicePlugin": Rule(_fabric_pools("efaDevicePlugin"), "a pool built with EFA", pool_bound=True),
    "networkOperator": Rule(_fabric_pools("networkOperator"), "a pool built with InfiniBand", pool_bound=True),
    "gpuDirect": Rule(_fabric_pools("gpuDirect"), "a pool built with GPUDirect", pool_bound=True),
    "lustreCsi": Rule(_storage("lustre"), "lustre storage"),
    "nfsCsi": Rule(_storage("nfs"), "nfs storage"),
    "kueue": Rule(_accelerated, "an accelerator pool or TPU slice"),
    "jobset": Rule(_accelerated, "an accelerator pool or TPU slice"),
    "gpuMonitoring": Rule(lambda c: [p.name for p in _nvidia(c)], "an NVIDIA GPU pool"),
}
assert set(RULES) == set(ADDON_FIELDS), "every spec add-on has a rule"


@dataclass(frozen=True)
class Decision:
    """One add-on on one cluster: on or off, why, and what it serves."""

    name: str
    mode: str  # the spec's auto | enabled | disabled
    on: bool
    serves: tuple[str, ...]  # pool / slice / storage names that need it
    reason: str
    addon: Addon

    @property
    def path_key(self) -> str:
        return f"addons.{self.name}"


def available(cloud: str, addon: Addon) -> bool:
    """True when ai-infra installs (or wires) the add-on on ``cloud``."""
    return cloud in addon.clouds or cloud in addon.managed


def addon_plan(cluster: ResolvedCluster) -> dict[str, Decision]:
    """Every add-on's decision for ``cluster``, keyed by spec name (schema order)."""
    addons = get_catalog().addons.addons
    spec = cluster.spec.addons
    out: dict[str, Decision] = {}
    for name in ADDON_FIELDS:
        addon = addons[name]
        mode = spec.mode(name)
        rule = RULES[name]
        serves = tuple(rule.needs(cluster))
        if not available(cluster.cloud, addon):
            on, reason = False, f"not available on {cluster.cloud}"
        elif mode == "disabled":
            on, reason = False, "disabled in the spec"
        elif mode == "enabled" and rule.pool_bound and not serves:
            on, reason = False, f"enabled in the spec, but no pool needs it ({rule.wants}): nothing to install"
        elif mode == "enabled":
            on, reason = True, "enabled in the spec"
        elif serves:
            on, reason = True, "needed by " + ", ".join(serves)
        else:
            on, reason = False, "nothing on the cluster needs it"
        out[name] = Decision(name=name, mode=mode, on=on, serves=serves, reason=reason, addon=addon)
    return out


def enabled(cluster: ResolvedCluster) -> list[Decision]:
    """The add-ons that are on, in schema order."""
    return [d for d in addon_plan(cluster).values() if d.on]


def summary(cluster: ResolvedCluster) -> list[dict[str, Any]]:
    """The decisions as plain data (stack output, ``aiinfra smoke-test``, docs)."""
    rows: list[dict[str, Any]] = []
    for d in addon_plan(cluster).values():
        install = d.addon.install_on(cluster.cloud)
        rows.append(
            {
                "name": d.name,
                "on": d.on,
                "reason": d.reason,
                "kind": install.kind if install else ("managed" if cluster.cloud in d.addon.managed else None),
                "version": install.version if install else None,
            }
        )
    return rows
