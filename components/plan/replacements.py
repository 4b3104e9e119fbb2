"""What a spec change does to running GPU pools and data-bearing storage: tables, not ifs.

Two tables hold the knowledge:

- :data:`SPEC_RULES`: for each spec field of a cluster, GPU pool, TPU slice or storage item,
  what changing it does on each cloud: ``replace`` (the cloud resource is deleted and
  created again: running jobs die, data on it is gone), ``recreate-nodes`` (the pool stays
  but every node is recreated in a rolling upgrade: running jobs are evicted), or nothing.
- :data:`RESOURCE_REPLACE_KEYS`: for raw provider resources the plan captured, the inputs
  whose change makes the provider replace the resource (the ForceNew properties of the
  bridged Terraform schemas, which Pulumi previews as ``replace``). This catches changes
  the spec rules cannot see, such as a component renamed in code (the URN changes: Pulumi
  deletes the old resource and creates a new one).

:func:`spec_changes` and :func:`resource_changes` apply them and return :class:`Change` rows
that ``aiinfra diff`` shows as loud warnings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from components.catalog import get_catalog
from components.mockengine import CapturedResource
from components.spec.resolved import ResolvedCluster, ResolvedFleet

REPLACE = "replace"
RECREATE_NODES = "recreate-nodes"
DELETE = "delete"
NOTE = "note"

# Ranking of how bad a change is, for sorting and the verdict line.
SEVERITY = {"danger": 0, "warning": 1, "info": 2}

ALL = ("gcp", "azure", "aws")


@dataclass(frozen=True)
class Rule:
    """What changing one spec field does, per cloud.

    ``attr`` is a dotted attribute path on the resolved item (``offer.machine_type``);
    ``when`` is ``changed``, ``decreased`` or ``increased``; ``effects`` maps a cloud to
    ``replace`` or ``recreate-nodes`` (clouds absent: updated in place, no warning).
    """

    kind: str  # cluster | gpu-pool | tpu-slice | storage
    field: str
    attr: str
    effects: Mapping[str, str]
    why: str | Mapping[str, str]  # one reason, or one per cloud (a GKE pool hears only about GKE)
    when: str = "changed"

    def why_for(self, cloud: str) -> str:
        return self.why if isinstance(self.why, str) else self.why.get(cloud, "")


def _every(effect: str) -> Mapping[str, str]:
    return dict.fromkeys(ALL, effect)


def _gcp(effect: str) -> Mapping[str, str]:
    return {"gcp": effect}


SPEC_RULES: tuple[Rule, ...] = (
    # --- clusters: everything inside goes with them
    Rule("cluster", "cloud", "spec.cloud", _every(REPLACE), "a cluster cannot move between clouds"),
    Rule("cluster", "region", "spec.region", _every(REPLACE), "clusters, networks and storage are regional"),
    Rule(
        "cluster",
        "zone",
        "spec.zone",
        _every(REPLACE),
        "fabric pools, compact placement, TPU slices and Lustre are zonal",
    ),
    Rule(
        "cluster",
        "network.cidr",
        "spec.network.cidr",
        _every(REPLACE),
        "a VPC/VNet subnet's primary range cannot change in place; the cluster on it is replaced",
    ),
    Rule(
        "cluster",
        "kubernetes.existingCluster",
        "spec.kubernetes.existing_cluster",
        _every(REPLACE),
        "the pools move to another cluster",
    ),
    # --- GPU pools
    Rule(
        "gpu-pool",
        "machineType",
        "offer.machine_type",
        {"gcp": RECREATE_NODES, "azure": REPLACE, "aws": REPLACE},
        {
            "gcp": "GKE migrates every node to the new machine type (google provider >= 6.8, magic-modules#9575)",
            "azure": "AKS cannot change an agent pool's vmSize: a new pool",
            "aws": "EKS cannot change a node group's instanceTypes: a new node group",
        },
    ),
    Rule(
        "gpu-pool",
        "accelerator",
        "offer.accelerator",
        _every(REPLACE),
        {
            "gcp": "the GPU model is fixed for a GKE node pool (guest_accelerator)",
            "azure": "the GPU model comes with the AKS agent pool's vmSize",
            "aws": "the GPU model comes with the EKS node group's instanceTypes",
        },
    ),
    Rule(
        "gpu-pool",
        "accelerator type",
        "offer.accelerator_type",
        {"gcp": REPLACE},
        "GKE node_config.guest_accelerator forces a new node pool",
    ),
    Rule(
        "gpu-pool",
        "acceleratorsPerNode",
        "offer.accelerators_per_node",
        _every(REPLACE),
        "GPUs per node come with the machine type / guest accelerator count",
    ),
    Rule(
        "gpu-pool",
        "gpuDriver",
        "spec.gpu_driver",
        {"gcp": REPLACE, "azure": REPLACE, "aws": RECREATE_NODES},
        {
            "gcp": "GKE gpu_driver_installation_config is fixed at pool creation",
            "azure": "the AKS GPU driver setting (gpuProfile) is fixed at pool creation",
            "aws": "on EKS the driver comes with the AMI: nodes roll",
        },
    ),
    Rule(
        "gpu-pool",
        "capacity",
        "spec.capacity",
        _every(REPLACE),
        {
            "gcp": "spot vs on-demand is fixed per GKE pool (node_config.spot / reservation_affinity)",
            "azure": "spot vs on-demand is fixed per AKS pool (scaleSetPriority)",
            "aws": "spot vs on-demand is fixed per EKS node group (capacityType)",
        },
    ),
    Rule(
        "gpu-pool",
        "reservation",
        "spec.reservation",
        {"gcp": REPLACE, "azure": REPLACE, "aws": RECREATE_NODES},
        {
            "gcp": "GKE reservation_affinity is fixed per pool",
            "azure": "AKS capacityReservationGroupID is fixed per pool",
            "aws": "EKS rolls nodes onto the launch template's new reservation",
        },
    ),
    Rule(
        "gpu-pool",
        "localSsd",
        "spec.local_ssd",
        {"gcp": REPLACE, "aws": RECREATE_NODES},
        {
            "gcp": "GKE ephemeral_storage_local_ssd_config forces a new pool",
            "aws": "EKS rolls nodes to the new launch template",
        },
    ),
    Rule(
        "gpu-pool",
        "diskSizeGiB",
        "spec.disk_size_gib",
        {"gcp": RECREATE_NODES, "azure": REPLACE, "aws": REPLACE},
        {
            "gcp": "GKE migrates nodes to the new disk size",
            "azure": "AKS osDiskSizeGB forces a new pool",
            "aws": "EKS diskSize forces a new node group",
        },
    ),
    Rule(
        "gpu-pool",
        "placement",
        "compact",
        {"gcp": REPLACE, "azure": REPLACE, "aws": RECREATE_NODES},
        {
            "gcp": "GKE placement_policy is fixed per pool",
            "azure": "AKS proximityPlacementGroupID is fixed per pool",
            "aws": "EKS rolls nodes into the new placement group",
        },
    ),
    Rule(
        "gpu-pool",
        "fabric",
        "fabric.kind",
        {"gcp": REPLACE, "aws": RECREATE_NODES},
        {
            "gcp": "GKE additional_node_network_configs force a new pool",
            "aws": "EKS rolls nodes to the new EFA launch template",
        },
    ),
    # scale: updated in place, shown so a reviewer sees capacity move (maxNodes 4 → 12)
    Rule("gpu-pool", "maxNodes", "spec.max_nodes", _every(NOTE), "the autoscaler's bounds change in place"),
    Rule("gpu-pool", "minNodes", "spec.min_nodes", _every(NOTE), "the autoscaler's bounds change in place"),
    # --- TPU slices (GCP only): TPU node pools and TPU VMs are immutable
    Rule("tpu-slice", "version", "version.version", _gcp(REPLACE), "a slice's TPU version is fixed"),
    Rule("tpu-slice", "topology", "spec.topology", _gcp(REPLACE), "a slice's topology is fixed"),
    Rule("tpu-slice", "capacity", "spec.capacity", _gcp(REPLACE), "spot vs on-demand is fixed per slice"),
    Rule("tpu-slice", "mode", "spec.mode", _gcp(REPLACE), "GKE TPU node pools and TPU VMs are different resources"),
    Rule("tpu-slice", "runtimeVersion", "spec.runtime_version", _gcp(REPLACE), "a TPU VM's runtime is fixed"),
    Rule(
        "tpu-slice",
        "count",
        "spec.count",
        _gcp(DELETE),
        "fewer slices: the surplus slices are deleted",
        when="decreased",
    ),
    Rule("tpu-slice", "count", "spec.count", _gcp(NOTE), "more slices are added", when="increased"),
    # --- storage (data-bearing)
    Rule("storage", "kind", "spec.kind", _every(REPLACE), "a different storage service: a new, empty file system"),
    Rule(
        "storage",
        "capacityGiB",
        "spec.capacity_gib",
        _every(REPLACE),
        {
            "gcp": "Managed Lustre, Filestore and disks grow but never shrink: a smaller size means a new, empty one",
            "azure": "Managed Lustre, file shares and disks grow but never shrink: a smaller one is new and empty",
            "aws": "FSx for Lustre and EBS volumes grow but never shrink: a smaller size means a new, empty one",
        },
        when="decreased",
    ),
    Rule(
        "storage",
        "capacityGiB",
        "spec.capacity_gib",
        {"azure": REPLACE},
        "Azure Managed Lustre capacity cannot be changed after creation "
        "(learn.microsoft.com/azure/azure-managed-lustre/create-file-system-portal)",
        when="increased",
    ),
    Rule(
        "storage",
        "throughputMBpsPerTiB",
        "throughput_mbps_per_tib",
        {"gcp": REPLACE, "azure": REPLACE},
        {
            "gcp": "the Managed Lustre performance tier is fixed at creation",
            "azure": "the Azure Managed Lustre SKU is fixed at creation",
        },
    ),
)

#: Kinds whose deletion or replacement loses data.
DATA_BEARING = frozenset({"storage"})


@dataclass(frozen=True)
class Change:
    """One change a reviewer must see before ``pulumi up``."""

    severity: str  # danger | warning | info
    effect: str  # replace | recreate-nodes | delete | note
    kind: str  # cluster | gpu-pool | tpu-slice | storage | resource
    cluster: str
    name: str
    field: str
    before: Any
    after: Any
    why: str
    protected: bool = False

    @property
    def title(self) -> str:
        what = {"gpu-pool": "GPU pool", "tpu-slice": "TPU slice", "storage": "storage", "cluster": "cluster"}.get(
            self.kind, self.kind
        )
        verb = {
            REPLACE: "is REPLACED",
            RECREATE_NODES: "has every node RECREATED",
            DELETE: "is DELETED",
            NOTE: "changes",
        }[self.effect]
        item = f"{self.cluster}/{self.name}" if self.name != self.cluster else self.cluster
        return f"{what} `{item}` {verb}"

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "effect": self.effect,
            "kind": self.kind,
            "cluster": self.cluster,
            "name": self.name,
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "why": self.why,
            "protected": self.protected,
        }


def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


def _triggered(rule: Rule, before: Any, after: Any) -> bool:
    if before == after:
        return False
    if rule.when == "changed":
        return True
    if before is None or after is None:
        return False
    return bool(after < before) if rule.when == "decreased" else bool(after > before)


def _severity(kind: str, effect: str) -> str:
    if kind in DATA_BEARING and effect in (REPLACE, DELETE):
        return "danger"
    if effect in (REPLACE, DELETE, RECREATE_NODES):
        return "warning"
    return "info"


def _items(cluster: ResolvedCluster) -> dict[tuple[str, str], Any]:
    out: dict[tuple[str, str], Any] = {}
    out.update({("gpu-pool", p.name): p for p in cluster.pools})
    out.update({("tpu-slice", s.name): s for s in cluster.slices})
    out.update({("storage", s.name): s for s in cluster.storage})
    return out


def _describe(kind: str, item: Any) -> str:
    if kind == "gpu-pool":
        return (
            f"{item.spec.max_nodes} x {item.offer.machine_type} ({item.accelerators_at_max} x {item.offer.accelerator})"
        )
    if kind == "tpu-slice":
        return f"TPU {item.version.version} {item.spec.topology} x {item.spec.count}"
    return f"{item.spec.kind} {item.spec.capacity_gib} GiB ({item.offer.service})"


def _rules_for(kind: str) -> Sequence[Rule]:
    return [r for r in SPEC_RULES if r.kind == kind]


def spec_changes(base: ResolvedFleet | None, head: ResolvedFleet | None) -> list[Change]:
    """Replacements and deletions between two resolved fleets, per the rules table."""
    changes: list[Change] = []
    bc = {c.name: c for c in (base.clusters if base else ())}
    hc = {c.name: c for c in (head.clusters if head else ())}
    for name, old in bc.items():
        new = hc.get(name)
        if new is None:
            changes.append(
                Change("warning", DELETE, "cluster", name, name, "", old.cloud, None, "the cluster is removed")
            )
            for (kind, item_name), item in _items(old).items():
                changes.append(_removed(kind, old, item_name, item, "its cluster is removed"))
            continue
        # a replaced cluster takes everything in it along
        cluster_hits = [r for r in _rules_for("cluster") if _triggered(r, _get(old, r.attr), _get(new, r.attr))]
        for r in cluster_hits:
            effect = r.effects.get(new.cloud) or r.effects.get(old.cloud)
            if effect:
                changes.append(
                    Change(
                        "warning",
                        effect,
                        "cluster",
                        name,
                        name,
                        r.field,
                        _get(old, r.attr),
                        _get(new, r.attr),
                        r.why_for(new.cloud),
                    )
                )
        old_items, new_items = _items(old), _items(new)
        for key, item in old_items.items():
            kind, item_name = key
            if key not in new_items:
                hint = _rename_hint(kind, item, old_items, new_items)
                changes.append(_removed(kind, old, item_name, item, "removed from the spec" + hint))
                continue
            # replaced with its cluster: the cluster's field that forces it, with that field's own
            # values (zone: us-central1-a → us-central1-b), then the item's own changes (a shrink)
            for r in cluster_hits:
                if r.effects.get(new.cloud) != REPLACE:
                    continue
                changes.append(
                    Change(
                        _severity(kind, REPLACE),
                        REPLACE,
                        kind,
                        name,
                        item_name,
                        r.field,
                        _get(old, r.attr),
                        _get(new, r.attr),
                        f"its cluster's {r.field} changes: {r.why_for(new.cloud)}",
                        protected=bool(getattr(item.spec, "protect", False)),
                    )
                )
            changes.extend(_item_changes(kind, new.cloud, name, item, new_items[key]))
    return sorted(changes, key=lambda c: (SEVERITY[c.severity], c.cluster, c.kind, c.name, c.field))


def _removed(kind: str, cluster: ResolvedCluster, name: str, item: Any, why: str) -> Change:
    protected = bool(getattr(item.spec, "protect", False))
    if kind in DATA_BEARING:
        why += (
            "; it is protected, so `pulumi up` stops until you run `pulumi state unprotect` (or restore it)"
            if protected
            else "; protect is off: the file system and its data are deleted"
        )
    else:
        why += "; running workloads on it are evicted"
    return Change(
        _severity(kind, DELETE), DELETE, kind, cluster.name, name, "", _describe(kind, item), None, why, protected
    )


def _rename_hint(
    kind: str, item: Any, old_items: Mapping[tuple[str, str], Any], new_items: Mapping[tuple[str, str], Any]
) -> str:
    """' (renamed to X?)' when an added item of the same kind looks like this one renamed."""
    added = [k for k in new_items if k not in old_items and k[0] == kind]
    for _, new_name in added:
        if _describe(kind, new_items[(kind, new_name)]) == _describe(kind, item):
            return f" (renamed to '{new_name}'? a rename is a delete and a create: add an alias to keep it)"
    return ""


def _item_changes(kind: str, cloud: str, cluster: str, old: Any, new: Any) -> list[Change]:
    out: list[Change] = []
    for r in _rules_for(kind):
        before, after = _get(old, r.attr), _get(new, r.attr)
        if not _triggered(r, before, after):
            continue
        effect = r.effects.get(cloud)
        if effect is None:
            continue
        out.append(
            Change(
                _severity(kind, effect),
                effect,
                kind,
                cluster,
                old.name,
                r.field,
                before,
                after,
                r.why_for(cloud),
                protected=bool(getattr(old.spec, "protect", False)),
            )
        )
    if kind in DATA_BEARING and old.spec.protect and not new.spec.protect:
        out.append(
            Change(
                "warning",
                NOTE,
                kind,
                cluster,
                old.name,
                "protect",
                True,
                False,
                "protection is turned off: a later replacement or removal deletes the data without a stop",
            )
        )
    return out


# --------------------------------------------------------------------------------------
# Raw provider resources: inputs that force a replacement (ForceNew in the provider schema).
# Checked against the Terraform provider schemas the Pulumi bridged providers inherit and the
# azure-native API specs; names are the camelCase input names the mock engine captures.
RESOURCE_REPLACE_KEYS: Mapping[str, tuple[str, ...]] = {
    "gcp:container/nodePool:NodePool": (
        "cluster",
        "location",
        "name",
        "nodeConfig.guestAccelerators",
        "nodeConfig.spot",
        "nodeConfig.reservationAffinity",
        "nodeConfig.ephemeralStorageLocalSsdConfig",
        "nodeConfig.localNvmeSsdBlockConfig",
        "nodeConfig.shieldedInstanceConfig",
        "nodeConfig.bootDiskKmsKey",
        "placementPolicy",
        "networkConfig.additionalNodeNetworkConfigs",
    ),
    "gcp:tpu/v2Vm:V2Vm": (
        "zone",
        "name",
        "acceleratorType",
        "acceleratorConfig",
        "runtimeVersion",
        "schedulingConfig",
        "serviceAccount",
        "shieldedInstanceConfig",
    ),
    "azure-native:containerservice:AgentPool": (
        "agentPoolName",
        "vmSize",
        "osDiskSizeGB",
        "osDiskType",
        "scaleSetPriority",
        "proximityPlacementGroupID",
        "vnetSubnetID",
        "availabilityZones",
        "gpuProfile",
        "securityProfile",
        "enableEncryptionAtHost",
    ),
    # The cluster itself: a new name (ai-infra names EKS clusters after the spec since its
    # audit log group must exist first) replaces the control plane.
    "aws:eks/cluster:Cluster": ("name",),
    "aws:eks/nodeGroup:NodeGroup": (
        "clusterName",
        "nodeGroupName",
        "instanceTypes",
        "amiType",
        "capacityType",
        "diskSize",
        "subnetIds",
    ),
    "gcp:lustre/instance:Instance": (
        "instanceId",
        "location",
        "network",
        "perUnitStorageThroughput",
        "filesystem",
        "gkeSupportEnabled",
        "kmsKey",
    ),
    "azure-native:storagecache:AmlFilesystem": (
        "amlFilesystemName",
        "location",
        "sku",
        "storageCapacityTiB",
        "filesystemSubnet",
        "zones",
    ),
    "aws:fsx/lustreFileSystem:LustreFileSystem": ("deploymentType", "storageType", "subnetIds", "kmsKeyId"),
    "gcp:filestore/instance:Instance": ("name", "location", "tier", "networks", "kmsKeyName"),
    "aws:efs/fileSystem:FileSystem": ("encrypted", "kmsKeyId", "performanceMode", "availabilityZoneName"),
    "gcp:compute/disk:Disk": ("name", "zone", "type", "image", "snapshot", "diskEncryptionKey"),
    "aws:ebs/volume:Volume": ("availabilityZone", "encrypted", "snapshotId", "kmsKeyId"),
    "azure-native:compute:Disk": ("diskName", "location", "zones", "creationData"),
    "azure-native:storage:FileShare": ("accountName", "shareName", "enabledProtocols"),
}

#: Keys whose decrease forces a replacement (sizes that only grow).
RESOURCE_SHRINK_KEYS: Mapping[str, tuple[str, ...]] = {
    "gcp:lustre/instance:Instance": ("capacityGib",),
    "aws:fsx/lustreFileSystem:LustreFileSystem": ("storageCapacity",),
    "gcp:filestore/instance:Instance": ("fileShares",),
    "gcp:compute/disk:Disk": ("size",),
    "aws:ebs/volume:Volume": ("size",),
    "azure-native:compute:Disk": ("diskSizeGB",),
}


def data_bearing_types() -> frozenset[str]:
    """Provider types that hold data: the catalog's storage services."""
    return frozenset(s.resource_type for s in get_catalog().storage.values())


def _at(inputs: Mapping[str, Any], dotted: str) -> Any:
    cur: Any = inputs
    for part in dotted.split("."):
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(part)
    return cur


def _number(value: Any) -> float | None:
    """A size as a number: some SDKs take sizes as strings (GCP Lustre ``capacityGib``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _shrunk(before: Any, after: Any) -> bool:
    b, a = _number(before), _number(after)
    if b is not None and a is not None:
        return a < b
    if isinstance(before, Mapping) and isinstance(after, Mapping):  # Filestore fileShares {capacityGb}
        return _shrunk(before.get("capacityGb"), after.get("capacityGb"))
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return any(
            _shrunk(x.get("capacityGb"), y.get("capacityGb"))
            for x, y in zip(before, after, strict=True)
            if isinstance(x, Mapping) and isinstance(y, Mapping)
        )
    return False


def _changed(before: Any, after: Any) -> bool:
    """A ForceNew input changed (an input unknown at preview is not a known change)."""
    return before != after and "<unknown>" not in (before, after)


def _stackless(urn: str) -> str:
    """``urn:pulumi:<stack>::<project>::<type>::<name>`` without the stack.

    BASE and HEAD may be different files (so different stack names) describing the same
    stack; a resource is the same resource when everything but the stack matches.
    """
    return urn.split("::", 1)[-1]


def resource_changes(
    base: Sequence[CapturedResource],
    head: Sequence[CapturedResource],
    owner: Callable[[CapturedResource], tuple[str, str]] = lambda r: ("", r.name),
) -> list[Change]:
    """Replacements of captured provider resources: URN gone, or a ForceNew input changed.

    ``owner`` maps a resource to the (cluster, spec item) it belongs to, so the caller can
    drop rows the spec rules already explain; each row's ``field`` names the resource.
    """
    data = data_bearing_types()
    watched = set(RESOURCE_REPLACE_KEYS) | data
    new_by_urn = {_stackless(r.urn): r for r in head}
    out: list[Change] = []
    for old in base:
        if old.type not in watched:
            continue
        kind = "storage" if old.type in data else "resource"
        cluster, item = owner(old)
        new = new_by_urn.get(_stackless(old.urn))
        if new is None:
            why = "the resource's URN is gone (removed, or renamed in code: Pulumi deletes and recreates it)"
            if old.protect:
                why += "; it is protected, so `pulumi up` stops until it is unprotected"
            out.append(
                Change(
                    _severity(kind, DELETE),
                    DELETE,
                    kind,
                    cluster,
                    item,
                    f"{old.type} {old.name}",
                    old.urn,
                    None,
                    why,
                    old.protect,
                )
            )
            continue
        checks = [
            (key, _changed, f"changing {key} forces the provider to replace the resource")
            for key in RESOURCE_REPLACE_KEYS.get(old.type, ())
        ] + [
            (key, _shrunk, f"{key} can only grow: a smaller value replaces the resource")
            for key in RESOURCE_SHRINK_KEYS.get(old.type, ())
        ]
        ignored = set(new.ignore_changes)
        for key, replaces, why in checks:
            if key in ignored:  # `ignore_changes`: the engine never diffs it, so it never replaces
                continue
            before, after = _at(old.inputs, key), _at(new.inputs, key)
            if replaces(before, after):
                out.append(
                    Change(
                        _severity(kind, REPLACE),
                        REPLACE,
                        kind,
                        cluster,
                        item,
                        f"{old.type} {old.name}: {key}",
                        before,
                        after,
                        why,
                        old.protect,
                    )
                )
    return sorted(out, key=lambda c: (SEVERITY[c.severity], c.cluster, c.name, c.field))
