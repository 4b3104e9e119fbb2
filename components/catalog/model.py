"""Typed rows of the catalog: accelerators, per-cloud offers, TPU versions, fabrics, storage.

These are plain frozen dataclasses built from the YAML files in ``data/``; nothing here
imports Pulumi or a cloud SDK, so the spec validator, the planner and the policy pack can all
use the catalog cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Accelerator:
    """A canonical accelerator (the same name on every cloud)."""

    name: str
    kind: str  # gpu | tpu | neuron
    vendor: str
    accel_class: str  # frontier | training | inference
    memory_gb: float
    aliases: tuple[str, ...]
    family: str
    source: str
    as_of: str


@dataclass(frozen=True)
class Price:
    """Per node-hour (or per chip-hour for TPUs) prices in one region, USD."""

    region: str
    on_demand_usd: float | None
    spot_usd: float | None = None
    # The prices' own provenance when it differs from the row's (a price refresh dates the
    # prices, not the machine's shape); None: the row's source and asOf apply.
    source: str | None = None
    as_of: str | None = None


@dataclass(frozen=True)
class LocalNvme:
    """Local NVMe disks bundled with a machine type."""

    count: int
    size_gib: int

    @property
    def total_gib(self) -> int:
        return self.count * self.size_gib


@dataclass(frozen=True)
class OfferFabric:
    """The fabric a machine type carries (see ``FabricKind`` for what it needs)."""

    kind: str = "none"
    efa_interfaces: int = 0
    gpu_nics: int = 0
    links: int = 0
    link_gbps: int = 0
    # Multi-node training on this machine needs the fabric; leaving it off is "under-networked".
    essential: bool = False


@dataclass(frozen=True)
class Offer:
    """One cloud machine type that carries accelerators."""

    cloud: str
    machine_type: str
    accelerator: str
    accelerators_per_node: int
    vcpu: int
    memory_gib: int
    local_nvme: LocalNvme | None
    fabric: OfferFabric
    default: bool
    price: Price
    source: str
    as_of: str
    verified: bool
    # GCP: guest accelerator type (nvidia-h100-80gb) and whether GPUs come with the machine.
    accelerator_type: str | None = None
    bundled: bool = True
    # GCP: boot disk type when the machine cannot use the default (A3 Ultra / A4: hyperdisk-balanced).
    boot_disk_type: str | None = None
    # AWS: EKS managed node group AMI type.
    ami_type: str | None = None
    # Azure: the VM size supports Trusted Launch (vTPM, secure boot).
    trusted_launch: bool = False
    # The spec capacities this machine can be had with (A3 High under 8 GPUs: spot/reserved).
    capacity_modes: tuple[str, ...] = ("on-demand", "spot", "reserved")

    @property
    def has_fabric(self) -> bool:
        return self.fabric.kind != "none"


@dataclass(frozen=True)
class TpuVersion:
    """A Cloud TPU version: topologies, GKE machine types, TPU VM types, prices."""

    version: str
    accelerator: str
    dims: int
    listed_topologies: tuple[str, ...]
    cube_rule: bool
    max_chips: int
    gke_single_host: Mapping[str, str]
    gke_multi_host: str
    gke_machine_types: Mapping[str, int]  # machine type -> chips per VM
    vm_prefix: str
    vm_count_unit: str  # chips | tensorcores
    vm_config_type: str
    vm_default_runtime: str
    price: Price  # per chip-hour
    source: str
    as_of: str
    verified: bool
    # Zones that offer the version (Cloud TPU regions and zones page), most established first.
    zones: tuple[str, ...] = ()

    def zone_in(self, region: str) -> str | None:
        """The first cataloged zone of ``region`` that offers this version, or None."""
        return next((z for z in self.zones if z.rsplit("-", 1)[0] == region), None)


@dataclass(frozen=True)
class FabricKind:
    """What a fabric kind needs from network and scheduler (one row of fabrics.yaml)."""

    kind: str
    cloud: str
    description: str
    single_zone: bool
    placement: str
    gpu_networks: bool = False
    rdma_network: bool = False
    rdma_subnets: int = 0
    network_profile: str | None = None
    mtu: int | None = None
    nic_type: str | None = None
    gvnic_networks: int = 0
    aks_feature: str | None = None
    operator: str | None = None
    security_group_self: bool = False
    # A specific reservation of these machines brings its own (dense) placement: a compact
    # placement policy on top of it is not used (Cluster Toolkit's A3 Ultra / A4 blueprints).
    reservation_placement: bool = False
    # The add-on that makes the fabric usable by pods, the vendor manifests it applies, and
    # the extended resource pods request (name, per node: a count or "efaInterfaces").
    addon: str | None = None
    manifests: tuple[str, ...] = ()
    pod_resource: tuple[str, int | str] | None = None

    def pod_resource_per_node(self, offer: Offer) -> tuple[str, int] | None:
        """The fabric's pod resource and how many one node of ``offer`` offers (None: none)."""
        if self.pod_resource is None:
            return None
        name, per_node = self.pod_resource
        count = offer.fabric.efa_interfaces if per_node == "efaInterfaces" else int(per_node)
        return name, count


@dataclass(frozen=True)
class CapacityRange:
    """Capacities from ``min_gib`` to ``max_gib`` in steps of ``step_gib``."""

    min_gib: int
    step_gib: int
    max_gib: int

    def accepts(self, capacity_gib: int) -> bool:
        return self.min_gib <= capacity_gib <= self.max_gib and capacity_gib % self.step_gib == 0

    def nearest_at_or_above(self, capacity_gib: int) -> int | None:
        if capacity_gib > self.max_gib:
            return None
        if capacity_gib <= self.min_gib:
            return self.min_gib
        return min(-(-capacity_gib // self.step_gib) * self.step_gib, self.max_gib)

    def nearest_at_or_below(self, capacity_gib: int) -> int | None:
        if capacity_gib < self.min_gib:
            return None
        if capacity_gib >= self.max_gib:
            return self.max_gib
        return max(capacity_gib // self.step_gib * self.step_gib, self.min_gib)

    def describe(self) -> str:
        return f"{self.min_gib}-{self.max_gib} GiB in steps of {self.step_gib} GiB"


@dataclass(frozen=True)
class StorageTier:
    """Allowed capacities and price of one storage tier.

    A capacity is valid when it is listed in ``also_gib`` or falls in one of ``ranges``
    (Filestore zonal, for one, has two ranges with different steps, fixed at creation).
    """

    ranges: tuple[CapacityRange, ...]
    price_usd_per_gib_month: float
    also_gib: tuple[int, ...] = ()
    sku: str | None = None
    # The price's own provenance (the row's asOf dates the service's sizes and limits, which
    # are re-read more often than its prices); price_source None: the row's source applies.
    price_source: str | None = None
    price_as_of: str = ""

    @property
    def min_gib(self) -> int:
        return min([*self.also_gib, *(r.min_gib for r in self.ranges)])

    @property
    def max_gib(self) -> int:
        return max(r.max_gib for r in self.ranges)

    def accepts(self, capacity_gib: int) -> bool:
        """True when the service accepts this capacity in this tier."""
        return capacity_gib in self.also_gib or any(r.accepts(capacity_gib) for r in self.ranges)

    def valid_around(self, capacity_gib: int) -> tuple[int | None, int | None]:
        """The largest accepted capacity at or below ``capacity_gib`` and the smallest at or above it.

        Either side is None when there is none (below the minimum, above the maximum): a hint
        names both, since the nearer one may be the smaller (5000 GiB FSx: 4800, not 7200).
        """
        above = [a for a in self.also_gib if a >= capacity_gib]
        above += [n for r in self.ranges if (n := r.nearest_at_or_above(capacity_gib)) is not None]
        below = [a for a in self.also_gib if a <= capacity_gib]
        below += [n for r in self.ranges if (n := r.nearest_at_or_below(capacity_gib)) is not None]
        return (max(below) if below else None), (min(above) if above else None)

    def nearest_valid(self, capacity_gib: int) -> int:
        """The smallest accepted capacity at or above ``capacity_gib`` (the max when above it)."""
        above = self.valid_around(capacity_gib)[1]
        return above if above is not None else self.max_gib

    def size_hint(self, capacity_gib: int) -> str:
        """``nearest valid sizes: 4800 GiB (below) or 7200 GiB (above)``, or the one side there is."""
        below, above = self.valid_around(capacity_gib)
        if below is not None and above is not None:
            return f"nearest valid sizes: {below} GiB (below) or {above} GiB (above)"
        if above is not None:
            return f"smallest valid size: {above} GiB"
        return f"largest valid size: {below if below is not None else self.max_gib} GiB"

    def describe(self) -> str:
        """The accepted sizes in words, for error messages."""
        parts = [f"{a} GiB" for a in self.also_gib] + [r.describe() for r in self.ranges]
        return ", or ".join(parts)


@dataclass(frozen=True)
class StorageOffer:
    """A managed storage service for one cloud and spec ``kind``."""

    cloud: str
    kind: str
    service: str
    resource_type: str
    # Keyed by throughput (MB/s per TiB); empty for single-tier services (see ``base``).
    tiers: Mapping[int, StorageTier]
    base: StorageTier | None
    default_throughput: int | None
    max_iops: int | None
    max_throughput_mbps: int | None
    source: str
    as_of: str
    verified: bool

    def tier(self, throughput: int | None) -> StorageTier | None:
        """The tier for a throughput (None = the default tier), or None if not offered."""
        if not self.tiers:
            return self.base
        key = throughput if throughput is not None else self.default_throughput
        return self.tiers.get(key) if key is not None else None


@dataclass(frozen=True)
class AcceleratorPerf:
    """Peak dense tensor throughput and memory bandwidth of one accelerator (performance.yaml).

    ``None`` for a precision means the accelerator has no tensor path for it (T4 and BF16,
    A100 and FP8); sizing skips such an accelerator at that precision and says why.
    """

    name: str
    bf16_tflops: float | None
    fp8_tflops: float | None
    memory_tbps: float
    source: str
    as_of: str
    verified: bool
    # TPUs: inter-chip interconnect bandwidth per chip, Gbit/s (None: not cataloged / not a TPU)
    ici_gbps: float | None = None

    def tflops(self, precision: str) -> float | None:
        """Peak dense TFLOP/s at ``bf16`` or ``fp8``."""
        return {"bf16": self.bf16_tflops, "fp8": self.fp8_tflops}[precision]


@dataclass(frozen=True)
class FabricBandwidth:
    """One offer's accelerator fabric bandwidth per node, Gbit/s (0 without a fabric)."""

    cloud: str
    machine_type: str
    gbps: float
    source: str
    as_of: str
    verified: bool


@dataclass(frozen=True)
class NameRule:
    """A cloud naming rule for one kind of name."""

    pattern: str
    max_length: int
    rule: str


@dataclass(frozen=True)
class CloudInfo:
    """Per-cloud capabilities and naming rules."""

    cloud: str
    display_name: str
    unsupported: Mapping[str, str]
    names: Mapping[str, NameRule]
    region_pattern: str
    zone_pattern: str
    zone_in_region: bool
    extra: Mapping[str, object] = field(default_factory=dict)
