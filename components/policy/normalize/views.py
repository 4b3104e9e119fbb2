"""The normalized views: what the rules see of any program's accelerator and storage resources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.catalog.model import Offer, TpuVersion
from components.policy.values import quote

ENV_LABEL = "aiinfra-environment"  # components.spec.resolved.LABEL_ENVIRONMENT


# ----- the input record ----------------------------------------------------------------
@dataclass(frozen=True)
class RawResource:
    """One resource as a policy sees it: type token, logical name, URN, plain properties."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    parent: str | None = None
    # property name -> URNs it depends on (the engine sends these to stack policies)
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


# ----- views --------------------------------------------------------------------------
@dataclass(frozen=True)
class Shape:
    """What one node of a pool is: machine type, accelerators, price, fabric configuration."""

    cloud: str
    machine_type: str | None  # None: unknown (UNKNOWN at preview, or not given)
    offer: Offer | None = None
    accelerator: str | None = None  # canonical catalog name
    accel_class: str | None = None  # frontier | training | inference
    per_node: int = 0  # accelerators (GPUs / chips) per node
    on_demand_usd: float | None = None  # per node-hour
    spot_usd: float | None = None
    spot: bool | None = None  # None: not stated on this resource
    reserved: bool = False
    # Fabric configuration found on the resource: which parts are missing ([] = all there),
    # None when the machine has no fabric or it could not be read.
    fabric_missing: tuple[str, ...] | None = None
    fabric_present: tuple[str, ...] = ()  # fabric parts that are configured (for fabric-unused)
    tpu: TpuVersion | None = None
    tpu_chips: int | None = None  # chips per slice (TPU)

    @property
    def fabric_kind(self) -> str:
        return self.offer.fabric.kind if self.offer is not None else "none"

    @property
    def fabric_essential(self) -> bool:
        return self.offer is not None and self.offer.fabric.essential

    def node_usd(self) -> float | None:
        """Per node-hour: the spot price when on spot and known, else on-demand."""
        if self.spot and self.spot_usd is not None:
            return self.spot_usd
        return self.on_demand_usd


@dataclass(frozen=True)
class Pool:
    """Accelerator machines that scale together (a standalone VM / TPU slice: a pool of one)."""

    urn: str
    name: str
    type: str
    kind: str  # "node pool", "node group", "TPU VM", "instance", ... (for messages)
    shape: Shape
    min_nodes: float | None  # None: unknown at preview
    max_nodes: float | None
    scalable: bool  # autoscaling pool (vs standalone VM / TPU VM)
    labels: Mapping[str, str] = field(default_factory=dict)
    parent: str | None = None
    zones: int = 1
    # GKE: the bounds are per zone (autoscaling.maxNodeCount, nodeCount; x zones), not totals
    per_zone_bounds: bool = False
    node_word: str = "node"  # node | instance | slice
    # a reference to the template that carries the shape (AWS launch template, GCE template)
    template_ref: tuple[str, ...] = ()
    template_deps: tuple[str, ...] = ()
    needs_template: bool = False
    placement_group: str | None = None  # AWS ASG placementGroup (overrides its template's)
    # False where the resource names accelerators but not the machines' network configuration
    # (capacity reservations, auto-provisioning limits): the fabric rules do not judge it.
    fabric_applies: bool = True
    # A capacity reservation: paid for whether used or not, so it counts in the ceilings; pools
    # in the same stack that consume it (``reservation_ref`` naming one of its ``ref_names``)
    # are not counted twice.
    capacity: bool = False
    ref_names: tuple[str, ...] = ()
    reservation_ref: tuple[str, ...] = ()
    # URNs the property naming its reservation depends on (the engine's property dependencies):
    # the join at preview, when a new reservation's ID is not known yet.
    reservation_deps: tuple[str, ...] = ()
    # It targets a reservation whose ID is unknown at preview (a counted-twice risk to report
    # when no dependency names the reservation either).
    reservation_unknown: bool = False

    @property
    def label(self) -> str:
        return f"{self.kind} {quote(self.name)}"

    @property
    def cloud(self) -> str:
        return self.shape.cloud

    @property
    def accelerators_at_max(self) -> float | None:
        if self.max_nodes is None or self.shape.accelerator is None:
            return None
        return self.max_nodes * self.shape.per_node

    @property
    def accelerators_at_min(self) -> float | None:
        if self.min_nodes is None or self.shape.accelerator is None:
            return None
        return self.min_nodes * self.shape.per_node

    def usd_at(self, nodes: float | None) -> float | None:
        price = self.shape.node_usd()
        if nodes is None or price is None:
            return None
        return nodes * price


@dataclass(frozen=True)
class Template:
    """A launch / instance template: a shape that a group elsewhere instantiates."""

    urn: str
    name: str
    type: str
    kind: str
    shape: Shape
    labels: Mapping[str, str]
    parent: str | None
    ref_names: tuple[str, ...]  # names it can be referenced by
    volumes: tuple[Volume, ...] = ()
    # AWS: the template's networkInterfaces and placement group, to judge the fabric of the
    # instance type a group names (the group may carry the type, the template the interfaces)
    fabric_inputs: tuple[Any, Any] | None = None
    # The capacity reservation its instances launch into (AWS capacityReservationSpecification),
    # handed to the groups that use the template: as ``Pool.reservation_*``.
    reservation_ref: tuple[str, ...] = ()
    reservation_deps: tuple[str, ...] = ()
    reservation_unknown: bool = False

    @property
    def label(self) -> str:
        return f"{self.kind} {quote(self.name)}"


@dataclass(frozen=True)
class SharedStorage:
    """A shared file system and the read throughput it is provisioned for."""

    urn: str
    name: str
    type: str
    kind: str
    cloud: str
    capacity_tib: float | None
    throughput_mbps: float | None  # aggregate read MB/s
    per_tib: float | None  # MB/s per TiB (None for flat tiers)
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.kind} {quote(self.name)}"


@dataclass(frozen=True)
class Volume:
    """A block volume with provisioned performance (standalone, or inline on a machine)."""

    urn: str
    name: str
    type: str
    kind: str
    cloud: str
    iops: float | None
    throughput_mbps: float | None
    machine_type: str | None = None  # the instance it is defined on (inline volumes)
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.kind  # already "volume /dev/xvda of launch template 'lt'" / "EBS volume 'data'"


@dataclass(frozen=True)
class ReservationGroup:
    """A group of capacity reservations that consumers target as one (AWS ``resourcegroups.Group``
    with the ``AWS::EC2::CapacityReservationPool`` configuration): consumers that name it use
    the reservations its members (``GroupMember``) put in it."""

    urn: str
    name: str
    ref_names: tuple[str, ...]  # ARN and names it can be referenced by


@dataclass(frozen=True)
class GroupMember:
    """One reservation put into a reservation group (AWS ``resourcegroups.Resource``), by ARN or,
    at preview, by the engine's property dependencies."""

    urn: str
    group_refs: tuple[str, ...]
    group_deps: tuple[str, ...]
    member_refs: tuple[str, ...]
    member_deps: tuple[str, ...]


@dataclass(frozen=True)
class Note:
    """Something the pack could not read: reported as an advisory, never passed silently."""

    urn: str
    name: str
    type: str
    message: str
    fix: str = ""


@dataclass
class View:
    """Everything normalized from a set of resources."""

    pools: list[Pool] = field(default_factory=list)
    templates: list[Template] = field(default_factory=list)
    storage: list[SharedStorage] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    groups: list[ReservationGroup] = field(default_factory=list)
    members: list[GroupMember] = field(default_factory=list)

    def extend(self, other: View) -> None:
        self.pools += other.pools
        self.templates += other.templates
        self.storage += other.storage
        self.volumes += other.volumes
        self.notes += other.notes
        self.groups += other.groups
        self.members += other.members
