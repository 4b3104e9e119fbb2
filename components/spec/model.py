"""The typed fleet spec: frozen dataclasses built from a schema-valid document.

Defaults here equal the defaults in ``fleet.schema.json`` (a test keeps them in step).
Every object remembers its spec ``path`` so later stages (resolution, cloud builders) can
name the exact place in an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from components.spec.errors import join_path

_EMPTY: Mapping[str, str] = MappingProxyType({})


def _labels(raw: Mapping[str, Any] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(raw or {}))


@dataclass(frozen=True)
class Budget:
    """Self-declared fleet ceilings (None = no ceiling)."""

    max_hourly_usd: int | None = None
    max_accelerators: int | None = None


@dataclass(frozen=True)
class Kubernetes:
    """Create a cluster at ``version`` or attach to ``existing_cluster``."""

    version: str | None = None
    existing_cluster: str | None = None
    release_channel: str = "regular"
    resource_group: str | None = None


@dataclass(frozen=True)
class Network:
    """Cluster network: primary CIDR and fabric mode (auto | none | rdma)."""

    cidr: str = "10.0.0.0/16"
    fabric: str = "auto"


@dataclass(frozen=True)
class Access:
    """Who reaches the Kubernetes API endpoint (``endpoint`` None: chosen by environment)."""

    endpoint: str | None = None
    authorized_cidrs: tuple[str, ...] = ()
    deploy_from: str = "internet"  # internet | network: where `pulumi up` runs


@dataclass(frozen=True)
class Encryption:
    """Customer-managed key (secrets, disks, storage) and Azure encryption at host."""

    kms_key: str | None = None
    key_vault: str | None = None
    at_host: bool = False


@dataclass(frozen=True)
class AuditLogs:
    """Kubernetes API audit log retention."""

    retention_days: int = 365


@dataclass(frozen=True)
class SystemPool:
    """The small CPU pool for add-ons (machine type None = the cloud's default)."""

    machine_type: str | None = None
    nodes: int = 2


@dataclass(frozen=True)
class GpuPool:
    """An accelerator node pool (GPU, Trainium, Inferentia)."""

    name: str
    accelerator: str
    path: str
    accelerators_per_node: int | None = None
    machine_type: str | None = None
    min_nodes: int = 0
    max_nodes: int = 1
    capacity: str = "on-demand"
    reservation: str | None = None
    reservation_kind: str = "reservation"
    local_ssd: str = "none"
    placement: str = "auto"
    gpu_driver: str = "default"
    disk_size_gib: int = 200
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True)
class TpuSlice:
    """A Cloud TPU slice (or ``count`` identical slices for multislice)."""

    name: str
    version: str
    topology: str
    path: str
    count: int = 1
    capacity: str = "on-demand"
    reservation: str | None = None
    mode: str = "gke"
    runtime_version: str | None = None


@dataclass(frozen=True)
class Storage:
    """A shared file system or block volume."""

    name: str
    kind: str
    capacity_gib: int
    path: str
    throughput_mbps_per_tib: int | None = None
    iops: int | None = None
    throughput_mbps: int | None = None
    protect: bool = True
    subnet_cidr: str | None = None  # Azure Managed Lustre: a pinned subnet
    lustre_port: int | None = None


#: Spec keys of ``clusters[].addons`` in schema order, with their dataclass field names.
ADDON_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "nvidiaDevicePlugin": "nvidia_device_plugin",
        "gpuOperator": "gpu_operator",
        "neuronDevicePlugin": "neuron_device_plugin",
        "efaDevicePlugin": "efa_device_plugin",
        "networkOperator": "network_operator",
        "gpuDirect": "gpu_direct",
        "lustreCsi": "lustre_csi",
        "nfsCsi": "nfs_csi",
        "kueue": "kueue",
        "jobset": "jobset",
        "gpuMonitoring": "gpu_monitoring",
    }
)


@dataclass(frozen=True)
class Addons:
    """Add-on switches of a cluster (each ``auto`` | ``enabled`` | ``disabled``) and the
    namespaces its jobs run in."""

    nvidia_device_plugin: str = "auto"
    gpu_operator: str = "auto"
    neuron_device_plugin: str = "auto"
    efa_device_plugin: str = "auto"
    network_operator: str = "auto"
    gpu_direct: str = "auto"
    lustre_csi: str = "auto"
    nfs_csi: str = "auto"
    kueue: str = "auto"
    jobset: str = "auto"
    gpu_monitoring: str = "auto"
    # Where LocalQueues and PersistentVolumeClaims go (``workloadNamespaces``).
    workload_namespaces: tuple[str, ...] = ("default",)

    def mode(self, name: str) -> str:
        """The mode of the add-on with spec key ``name`` (``efaDevicePlugin``)."""
        value: str = getattr(self, ADDON_FIELDS[name])
        return value


@dataclass(frozen=True)
class Cluster:
    """One Kubernetes cluster on one cloud and region."""

    name: str
    cloud: str
    region: str
    path: str
    zone: str | None = None
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    kubernetes: Kubernetes = field(default_factory=Kubernetes)
    network: Network = field(default_factory=Network)
    system_pool: SystemPool = field(default_factory=SystemPool)
    access: Access = field(default_factory=Access)
    encryption: Encryption = field(default_factory=Encryption)
    audit_logs: AuditLogs = field(default_factory=AuditLogs)
    gpu_pools: tuple[GpuPool, ...] = ()
    tpu_slices: tuple[TpuSlice, ...] = ()
    storage: tuple[Storage, ...] = ()
    addons: Addons = field(default_factory=Addons)


@dataclass(frozen=True)
class FleetSpec:
    """The whole fleet spec (v1)."""

    clusters: tuple[Cluster, ...]
    environment: str = "dev"
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    budget: Budget = field(default_factory=Budget)
    source: str = "<spec>"


def _pool(raw: Mapping[str, Any], path: str) -> GpuPool:
    return GpuPool(
        name=raw["name"],
        accelerator=raw["accelerator"],
        path=path,
        accelerators_per_node=raw.get("acceleratorsPerNode"),
        machine_type=raw.get("machineType"),
        min_nodes=raw.get("minNodes", 0),
        max_nodes=raw.get("maxNodes", 1),
        capacity=raw.get("capacity", "on-demand"),
        reservation=raw.get("reservation"),
        reservation_kind=raw.get("reservationKind", "reservation"),
        local_ssd=raw.get("localSsd", "none"),
        placement=raw.get("placement", "auto"),
        gpu_driver=raw.get("gpuDriver", "default"),
        disk_size_gib=raw.get("diskSizeGiB", 200),
        labels=_labels(raw.get("labels")),
    )


def _slice(raw: Mapping[str, Any], path: str) -> TpuSlice:
    return TpuSlice(
        name=raw["name"],
        version=raw["version"],
        topology=raw["topology"],
        path=path,
        count=raw.get("count", 1),
        capacity=raw.get("capacity", "on-demand"),
        reservation=raw.get("reservation"),
        mode=raw.get("mode", "gke"),
        runtime_version=raw.get("runtimeVersion"),
    )


def _storage(raw: Mapping[str, Any], path: str) -> Storage:
    return Storage(
        name=raw["name"],
        kind=raw["kind"],
        capacity_gib=raw["capacityGiB"],
        path=path,
        throughput_mbps_per_tib=raw.get("throughputMBpsPerTiB"),
        iops=raw.get("iops"),
        throughput_mbps=raw.get("throughputMBps"),
        protect=raw.get("protect", True),
        subnet_cidr=raw.get("subnetCidr"),
        lustre_port=raw.get("lustrePort"),
    )


def _addons(raw: Mapping[str, Any]) -> Addons:
    return Addons(
        **{attr: raw.get(key, "auto") for key, attr in ADDON_FIELDS.items()},
        workload_namespaces=tuple(raw.get("workloadNamespaces") or ("default",)),
    )


def _cluster(raw: Mapping[str, Any], path: str) -> Cluster:
    k8s = raw.get("kubernetes") or {}
    net = raw.get("network") or {}
    sysp = raw.get("systemPool") or {}
    access = raw.get("access") or {}
    enc = raw.get("encryption") or {}
    return Cluster(
        name=raw["name"],
        cloud=raw["cloud"],
        region=raw["region"],
        path=path,
        zone=raw.get("zone"),
        labels=_labels(raw.get("labels")),
        kubernetes=Kubernetes(
            version=k8s.get("version"),
            existing_cluster=k8s.get("existingCluster"),
            release_channel=k8s.get("releaseChannel", "regular"),
            resource_group=k8s.get("resourceGroup"),
        ),
        network=Network(cidr=net.get("cidr", "10.0.0.0/16"), fabric=net.get("fabric", "auto")),
        system_pool=SystemPool(machine_type=sysp.get("machineType"), nodes=sysp.get("nodes", 2)),
        access=Access(
            endpoint=access.get("endpoint"),
            authorized_cidrs=tuple(access.get("authorizedCidrs") or ()),
            deploy_from=access.get("deployFrom") or "internet",
        ),
        encryption=Encryption(
            kms_key=enc.get("kmsKey"), key_vault=enc.get("keyVault"), at_host=enc.get("atHost", False)
        ),
        audit_logs=AuditLogs(retention_days=(raw.get("auditLogs") or {}).get("retentionDays", 365)),
        gpu_pools=tuple(_pool(p, join_path(path, "gpuPools", i)) for i, p in enumerate(raw.get("gpuPools") or [])),
        tpu_slices=tuple(_slice(s, join_path(path, "tpuSlices", i)) for i, s in enumerate(raw.get("tpuSlices") or [])),
        storage=tuple(_storage(s, join_path(path, "storage", i)) for i, s in enumerate(raw.get("storage") or [])),
        addons=_addons(raw.get("addons") or {}),
    )


def build_model(doc: Mapping[str, Any], source: str = "<spec>") -> FleetSpec:
    """Build the typed spec from a document that already passed the JSON Schema."""
    budget = doc.get("budget") or {}
    return FleetSpec(
        clusters=tuple(_cluster(c, join_path("clusters", i)) for i, c in enumerate(doc["clusters"])),
        environment=doc.get("environment", "dev"),
        labels=_labels(doc.get("labels")),
        budget=Budget(
            max_hourly_usd=budget.get("maxHourlyUsd"),
            max_accelerators=budget.get("maxAccelerators"),
        ),
        source=source,
    )
