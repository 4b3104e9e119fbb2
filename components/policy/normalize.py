"""Normalize raw provider resources into one accelerator / storage view, using the catalog.

Any Pulumi program's resources are covered, not only ai-infra's: GKE node pools (and a
cluster's inline pools), TPU VMs and queued resources, GCE instances / templates / groups, AKS
agent pools (and a managed cluster's ``agentPoolProfiles``), Azure VMs and scale sets, EKS node
groups, EC2 instances / launch templates / auto scaling groups, the managed Lustre / NFS /
Parallelstore file systems, and block volumes.

Three kinds of view come out:

- ``Pool``: a group of accelerator machines that scales between ``min_nodes`` and ``max_nodes``
  (a standalone VM or TPU slice is a pool of one that cannot scale), with its catalog offer,
  accelerators per node, price, capacity type, and whether its fabric is configured.
- ``SharedStorage`` (a shared file system with its read throughput) and ``Volume`` (a block
  volume, or one defined inline on an instance / template, with provisioned IOPS / throughput).
- ``Note``: what could not be read (an unknown machine type, a value unknown at preview, a
  launch template not found): the pack reports these as advisories, never passes them silently.

``normalize_resource`` reads one resource alone (the pack's per-resource policies);
``normalize_stack`` reads them all and joins node groups / scaling groups / instance groups to
the launch or instance templates that carry their machine type and network interfaces.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

import yaml

from components.catalog import get_catalog
from components.catalog.model import Offer, TpuVersion
from components.policy.values import UNKNOWN, as_list, flag, get, is_unknown, num, plain, tag_map, text

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
    node_word: str = "node"  # node | instance | slice
    # a reference to the template that carries the shape (AWS launch template, GCE template)
    template_ref: tuple[str, ...] = ()
    template_deps: tuple[str, ...] = ()
    needs_template: bool = False
    placement_group: str | None = None  # AWS ASG placementGroup (overrides its template's)

    @property
    def label(self) -> str:
        return f"{self.kind} '{self.name}'"

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

    @property
    def label(self) -> str:
        return f"{self.kind} '{self.name}'"


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
        return f"{self.kind} '{self.name}'"


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
class Note:
    """Something the pack could not read: reported as an advisory, never passed silently."""

    urn: str
    name: str
    type: str
    message: str


@dataclass
class View:
    """Everything normalized from a set of resources."""

    pools: list[Pool] = field(default_factory=list)
    templates: list[Template] = field(default_factory=list)
    storage: list[SharedStorage] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def extend(self, other: View) -> None:
        self.pools += other.pools
        self.templates += other.templates
        self.storage += other.storage
        self.volumes += other.volumes
        self.notes += other.notes


# ----- policy data (beyond the catalog) -------------------------------------------------
@functools.cache
def policy_data() -> Mapping[str, Any]:
    """``components/policy/data/policy.yaml``: machine patterns, storage model, disk limits."""
    raw = resources.files("components.policy").joinpath("data", "policy.yaml").read_text("utf-8")
    data: Mapping[str, Any] = yaml.safe_load(raw)
    return data


@functools.cache
def _patterns(cloud: str) -> tuple[re.Pattern[str], ...]:
    pats = policy_data()["acceleratorMachinePatterns"].get(cloud, [])
    return tuple(re.compile(p, re.IGNORECASE) for p in pats)


def looks_like_accelerator(cloud: str, machine_type: str) -> bool:
    """True when the machine family carries accelerators (policy.yaml acceleratorMachinePatterns)."""
    return any(p.search(machine_type) for p in _patterns(cloud))


def disk_limits(cloud: str, machine_type: str) -> tuple[float, float] | None:
    """(max IOPS, max MB/s) one instance of ``machine_type`` can drive to its volumes, or None."""
    rows = policy_data()["instanceDiskLimits"].get(cloud, {})
    for key, row in rows.items():
        if key.lower() == machine_type.lower():
            return float(row["maxIops"]), float(row["maxThroughputMBps"])
    return None


# ----- shapes from the catalog ------------------------------------------------------------
def _basename(value: str) -> str:
    """``zones/us-central1-a/machineTypes/a3-highgpu-8g`` -> ``a3-highgpu-8g``."""
    return value.rstrip("/").rsplit("/", 1)[-1]


class _Ctx:
    """Per-resource collector of notes."""

    def __init__(self, raw: RawResource) -> None:
        self.raw = raw
        self.view = View()

    def note(self, message: str) -> None:
        self.view.notes.append(Note(self.raw.urn, self.raw.name, self.raw.type, message))


def _machine_shape(
    ctx: _Ctx,
    cloud: str,
    machine: Any,
    what: str,
    *,
    guest: Any = None,
    spot: bool | None = None,
    reserved: bool = False,
) -> Shape | None:
    """The shape of a machine type (+ GCP guest accelerators); None when it is a CPU machine.

    Unknown values and machine types that look like accelerators but are not in the catalog
    produce a note and a shape without accelerators (so they are never silently counted as 0).
    """
    cat = get_catalog()
    machine_s = text(machine)
    if machine_s is UNKNOWN:
        ctx.note(f"{what}: the machine type is unknown at preview, so its accelerators and cost are not counted")
        return Shape(cloud, None, spot=spot, reserved=reserved)
    guests = as_list(guest)
    if guests is UNKNOWN:
        ctx.note(f"{what}: the guest accelerators are unknown at preview, so they are not counted")
        guests = []
    mt = _basename(machine_s) if isinstance(machine_s, str) else None

    # GCP guest accelerators (N1 + T4 and friends; bundled machines may repeat them).
    guest_acc: str | None = None
    guest_count = 0
    guest_offer: Offer | None = None
    for g in guests:
        gtype = text(get(g, "type"))
        gcount = num(get(g, "count"))
        if gtype is UNKNOWN or gcount is UNKNOWN:
            ctx.note(f"{what}: a guest accelerator's type or count is unknown at preview, so it is not counted")
            continue
        if not isinstance(gtype, str):
            continue
        gtype = _basename(gtype)
        found = cat.offer_by_accelerator_type(gtype)
        if found is None:
            ctx.note(f"{what}: guest accelerator type '{gtype}' is not in the catalog; it is not counted")
            continue
        guest_offer = found
        guest_acc = found.accelerator
        guest_count += int(gcount or 0)

    if mt is None:
        if guest_acc is None:
            return None
        mt = None

    offer = cat.offer_by_machine_type(cloud, mt) if mt else None
    if offer is not None and (not offer.bundled) and guest_acc is None:
        offer = None  # an N1 machine without guest accelerators is a CPU machine
    if offer is not None:
        acc = cat.accelerators[offer.accelerator]
        per_node = offer.accelerators_per_node
        if not offer.bundled and guest_count:
            per_node = guest_count
        return Shape(
            cloud,
            offer.machine_type,
            offer,
            acc.name,
            acc.accel_class,
            per_node,
            offer.price.on_demand_usd,
            offer.price.spot_usd,
            spot,
            reserved,
        )
    tpu = cat.tpu_by_machine_type(mt) if (cloud == "gcp" and mt) else None
    if tpu is not None:
        version, chips = tpu
        acc = cat.accelerators[version.accelerator]
        return Shape(
            cloud,
            mt,
            None,
            acc.name,
            acc.accel_class,
            chips,
            (version.price.on_demand_usd or 0) * chips,
            (version.price.spot_usd * chips) if version.price.spot_usd is not None else None,
            spot,
            reserved,
            tpu=version,
        )
    if guest_acc is not None and guest_offer is not None:
        # A general-purpose host with catalogued guest GPUs: price from the catalog row that
        # has the same accelerator count (else scale the per-GPU figure).
        acc = cat.accelerators[guest_acc]
        row = cat.offer_for("gcp", guest_acc, guest_count) or guest_offer
        scale = guest_count / row.accelerators_per_node if row.accelerators_per_node else 1
        od = row.price.on_demand_usd * scale if row.price.on_demand_usd is not None else None
        sp = row.price.spot_usd * scale if row.price.spot_usd is not None else None
        return Shape(cloud, mt, None, acc.name, acc.accel_class, guest_count, od, sp, spot, reserved)
    if mt and looks_like_accelerator(cloud, mt):
        ctx.note(
            f"{what}: machine type '{mt}' looks like an accelerator machine but is not in the catalog, "
            "so its accelerators and cost are not counted; add it to components/catalog/data"
        )
        return Shape(cloud, mt, spot=spot, reserved=reserved)
    return None


def _count(ctx: _Ctx, value: Any, what: str, default: float | None = None) -> float | None:
    n = num(value)
    if n is UNKNOWN:
        ctx.note(f"{what} is unknown at preview; figures that depend on it are not checked")
        return None
    if n is None:
        return default
    assert isinstance(n, float)
    return n


def _env_labels(*maps: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in maps:
        for k, v in tag_map(m).items():
            out.setdefault(k, v)
    return out


# ----- GCP -------------------------------------------------------------------------------
_REGION_RE = re.compile(r"^[a-z]+-[a-z]+\d+$")


def _gke_fabric(shape: Shape, np: Mapping[str, Any]) -> Shape:
    """Which GPUDirect parts a GKE pool has: additional node networks and compact placement."""
    if shape.offer is None or shape.fabric_kind == "none":
        return shape
    missing: list[str] = []
    present: list[str] = []
    extra = as_list(get(np, "networkConfig.additionalNodeNetworkConfigs"))
    profile = text(get(np, "networkConfig.acceleratorNetworkProfile"))
    if extra is UNKNOWN or profile is UNKNOWN:
        return replace(shape, fabric_missing=None)
    need = shape.offer.fabric.gpu_nics
    if profile:
        present.append(f"accelerator network profile '{profile}'")
    elif len(extra) >= need:
        present.append(f"{len(extra)} additional node networks")
    elif extra:
        missing.append(f"only {len(extra)} of the {need} additional GPU networks")
        present.append(f"{len(extra)} additional node networks")
    else:
        missing.append(f"no additional GPU networks (networkConfig.additionalNodeNetworkConfigs, {need} needed)")
    ptype = text(get(np, "placementPolicy.type"))
    if (isinstance(ptype, str) and ptype.upper() == "COMPACT") or isinstance(
        text(get(np, "placementPolicy.policyName")), str
    ):
        present.append("compact placement")
    elif ptype is not UNKNOWN:
        missing.append("no compact placement (placementPolicy.type: COMPACT)")
    return replace(shape, fabric_missing=tuple(missing), fabric_present=tuple(present))


def _gke_zones(np: Mapping[str, Any], cluster_location: Any = None) -> tuple[int, str]:
    locs = as_list(get(np, "nodeLocations"))
    if isinstance(locs, list) and locs:
        return len(locs), f" across {len(locs)} zones"
    loc = text(get(np, "location")) or text(cluster_location)
    if isinstance(loc, str) and _REGION_RE.match(loc):
        # a regional pool without nodeLocations runs in the region's default zones (three)
        return 3, " across 3 zones (regional pool)"
    return 1, ""


def _gke_pool(ctx: _Ctx, np: Mapping[str, Any], name: str, kind: str, cluster: Mapping[str, Any] | None) -> None:
    raw = ctx.raw
    nc = get(np, "nodeConfig", {})
    if nc is UNKNOWN:
        ctx.note(f"{kind} '{name}': nodeConfig is unknown at preview; not checked")
        return
    spot = bool(flag(get(nc, "spot")) or flag(get(nc, "preemptible")))
    rtype = text(get(nc, "reservationAffinity.consumeReservationType"))
    # a specific reservation, or DWS capacity (flex-start / queued provisioning): not always-on
    # on-demand capacity, so spot-outside-prod does not ask for spot
    reserved = (
        (isinstance(rtype, str) and rtype.upper() == "SPECIFIC_RESERVATION")
        or flag(get(nc, "flexStart")) is True
        or flag(get(np, "queuedProvisioning.enabled")) is True
    )
    shape = _machine_shape(
        ctx,
        "gcp",
        get(nc, "machineType", "e2-medium"),
        f"{kind} '{name}'",
        guest=get(nc, "guestAccelerators"),
        spot=spot,
        reserved=reserved,
    )
    if shape is None:
        return
    zones, _ = _gke_zones(np, get(cluster or {}, "location"))
    auto = get(np, "autoscaling")
    what = f"{kind} '{name}'"
    if isinstance(auto, Mapping) and auto:
        tmax = _count(ctx, get(auto, "totalMaxNodeCount"), f"{what}: autoscaling.totalMaxNodeCount")
        tmin = _count(ctx, get(auto, "totalMinNodeCount"), f"{what}: autoscaling.totalMinNodeCount")
        pmax = _count(ctx, get(auto, "maxNodeCount"), f"{what}: autoscaling.maxNodeCount")
        pmin = _count(ctx, get(auto, "minNodeCount"), f"{what}: autoscaling.minNodeCount", 0.0)
        max_nodes = tmax if tmax is not None else (pmax * zones if pmax is not None else None)
        min_nodes = tmin if tmin is not None else (pmin * zones if pmin is not None else None)
        if max_nodes is None and tmax is None and pmax is None and not is_unknown(get(auto, "maxNodeCount")):
            ctx.note(f"{what}: autoscaling has no maximum; its size at max scale is not checked")
        scalable = True
    else:
        fixed = get(np, "nodeCount")
        if fixed is None:
            fixed = get(np, "initialNodeCount", 1)
        n = _count(ctx, fixed, f"{what}: nodeCount")
        max_nodes = min_nodes = (n * zones) if n is not None else None
        scalable = True
    if shape.tpu is not None:
        topo = text(get(np, "placementPolicy.tpuTopology"))
        if isinstance(topo, str):
            try:
                chips = math.prod(int(d) for d in topo.lower().split("x"))
                shape = replace(shape, tpu_chips=chips)
            except ValueError:
                ctx.note(f"{what}: TPU topology '{topo}' is not AxB or AxBxC; slice size not checked")
        elif max_nodes is not None:
            shape = replace(shape, tpu_chips=int(max_nodes * shape.per_node))
    else:
        shape = _gke_fabric(shape, np)
    labels = _env_labels(get(nc, "resourceLabels"), get(nc, "labels"), get(cluster or {}, "resourceLabels"))
    ctx.view.pools.append(
        Pool(raw.urn, name, raw.type, kind, shape, min_nodes, max_nodes, scalable, labels, raw.parent, zones)
    )
    _inline_volume(
        ctx,
        name,
        "gcp",
        get(nc, "bootDisk.provisionedIops"),
        get(nc, "bootDisk.provisionedThroughput"),
        shape,
        labels,
        f"boot disk of {kind} '{name}'",
    )


def _inline_volume(
    ctx: _Ctx,
    name: str,
    cloud: str,
    iops: Any,
    throughput: Any,
    shape: Shape | None,
    labels: Mapping[str, str],
    kind: str,
    into: list[Volume] | None = None,
) -> None:
    i = num(iops)
    t = num(throughput)
    if i is UNKNOWN or t is UNKNOWN:
        ctx.note(f"{kind}: provisioned IOPS / throughput unknown at preview; not checked")
        return
    if i is None and t is None:
        return
    vol = Volume(
        ctx.raw.urn,
        name,
        ctx.raw.type,
        kind,
        cloud,
        i if isinstance(i, float) else None,
        t if isinstance(t, float) else None,
        shape.machine_type if shape else None,
        labels,
    )
    (into if into is not None else ctx.view.volumes).append(vol)


def _gcp_node_pool(ctx: _Ctx) -> None:
    _gke_pool(ctx, ctx.raw.props, ctx.raw.name, "node pool", None)


def _gcp_cluster(ctx: _Ctx) -> None:
    props = ctx.raw.props
    pools = as_list(get(props, "nodePools"))
    if pools is UNKNOWN:
        ctx.note(f"cluster '{ctx.raw.name}': nodePools unknown at preview; inline pools not checked")
        return
    if pools:
        for i, np in enumerate(pools):
            if not isinstance(np, Mapping):
                continue
            pname = text(get(np, "name"))
            label = f"{ctx.raw.name}/{pname if isinstance(pname, str) else i}"
            _gke_pool(ctx, np, label, "node pool", props)
        return
    if flag(get(props, "removeDefaultNodePool")) is True:
        return
    if get(props, "nodeConfig") is not None:
        default = {
            "nodeConfig": get(props, "nodeConfig"),
            "nodeCount": get(props, "initialNodeCount", 1),
            "nodeLocations": get(props, "nodeLocations"),
            "location": get(props, "location"),
        }
        _gke_pool(ctx, default, f"{ctx.raw.name}/default-pool", "node pool", props)


def _tpu_from_accelerator_type(acc_type: str) -> tuple[TpuVersion, int] | None:
    """``v5p-32`` -> (v5p, 16 chips); ``v5litepod-16`` -> (v5e, 16)."""
    prefix, _, count = acc_type.rpartition("-")
    if not count.isdigit():
        return None
    for v in get_catalog().tpus.values():
        if v.vm_prefix == prefix:
            n = int(count)
            return v, (n // 2 if v.vm_count_unit == "tensorcores" else n)
    return None


def _tpu_from_config(cfg_type: str, topology: str) -> tuple[TpuVersion, int] | None:
    for v in get_catalog().tpus.values():
        if v.vm_config_type.upper() == cfg_type.upper():
            try:
                return v, math.prod(int(d) for d in topology.lower().split("x"))
            except ValueError:
                return None
    return None


def _tpu_slice_pool(
    ctx: _Ctx, what: str, node: Mapping[str, Any], spot: bool | None, labels: Mapping[str, str], name: str, kind: str
) -> None:
    acc_type = text(get(node, "acceleratorType"))
    cfg_type = text(get(node, "acceleratorConfig.type"))
    topo = text(get(node, "acceleratorConfig.topology"))
    if acc_type is UNKNOWN or cfg_type is UNKNOWN or topo is UNKNOWN:
        ctx.note(f"{what}: the TPU accelerator type is unknown at preview; its chips and cost are not counted")
        ctx.view.pools.append(
            Pool(
                ctx.raw.urn,
                name,
                ctx.raw.type,
                kind,
                Shape("gcp", None, spot=spot),
                1,
                1,
                False,
                labels,
                ctx.raw.parent,
                node_word="slice",
            )
        )
        return
    found = None
    label = ""
    if isinstance(acc_type, str):
        found = _tpu_from_accelerator_type(acc_type)
        label = acc_type
    elif isinstance(cfg_type, str) and isinstance(topo, str):
        found = _tpu_from_config(cfg_type, topo)
        label = f"{cfg_type} {topo}"
    if found is None:
        if label:
            ctx.note(f"{what}: TPU type '{label}' is not in the catalog; its chips and cost are not counted")
        else:
            ctx.note(f"{what}: no TPU accelerator type given; not counted")
        ctx.view.pools.append(
            Pool(
                ctx.raw.urn,
                name,
                ctx.raw.type,
                kind,
                Shape("gcp", label or None, spot=spot),
                1,
                1,
                False,
                labels,
                ctx.raw.parent,
                node_word="slice",
            )
        )
        return
    version, chips = found
    acc = get_catalog().accelerators[version.accelerator]
    od = (version.price.on_demand_usd or 0) * chips
    sp = version.price.spot_usd * chips if version.price.spot_usd is not None else None
    shape = Shape("gcp", label, None, acc.name, acc.accel_class, chips, od, sp, spot, tpu=version, tpu_chips=chips)
    ctx.view.pools.append(
        Pool(ctx.raw.urn, name, ctx.raw.type, kind, shape, 1, 1, False, labels, ctx.raw.parent, node_word="slice")
    )


def _gcp_tpu_vm(ctx: _Ctx) -> None:
    p = ctx.raw.props
    spot = bool(flag(get(p, "schedulingConfig.spot")) or flag(get(p, "schedulingConfig.preemptible")))
    _tpu_slice_pool(ctx, f"TPU VM '{ctx.raw.name}'", p, spot, _env_labels(get(p, "labels")), ctx.raw.name, "TPU VM")


def _gcp_tpu_queued(ctx: _Ctx) -> None:
    p = ctx.raw.props
    specs = as_list(get(p, "tpu.nodeSpecs"))
    if specs is UNKNOWN:
        ctx.note(f"queued resource '{ctx.raw.name}': tpu.nodeSpecs unknown at preview; not counted")
        return
    for i, spec in enumerate(specs):
        name = ctx.raw.name if len(specs) == 1 else f"{ctx.raw.name}[{i}]"
        # The queued resource's spot / guaranteed choice is not an input of this provider
        # version (pulumi_gcp tpu.V2QueuedResourceArgs), so capacity is "not stated".
        _tpu_slice_pool(
            ctx, f"queued resource '{name}'", get(spec, "node", {}) or {}, None, {}, name, "TPU queued resource"
        )


def _gce_fabric(shape: Shape, props: Mapping[str, Any]) -> Shape:
    if shape.offer is None or shape.fabric_kind == "none":
        return shape
    nics = as_list(get(props, "networkInterfaces"))
    pols = as_list(get(props, "resourcePolicies"))
    if nics is UNKNOWN or pols is UNKNOWN:
        return replace(shape, fabric_missing=None)
    need = 1 + shape.offer.fabric.gpu_nics
    missing: list[str] = []
    present: list[str] = []
    if len(nics) >= need:
        present.append(f"{len(nics)} network interfaces")
    else:
        missing.append(f"{len(nics)} network interface(s) where the fabric needs {need} (1 host + {need - 1} GPU NICs)")
    if pols:
        present.append("a placement resource policy")
    else:
        missing.append("no compact placement resource policy (resourcePolicies)")
    return replace(shape, fabric_missing=tuple(missing), fabric_present=tuple(present))


def _gce_shape(ctx: _Ctx, props: Mapping[str, Any], what: str) -> Shape | None:
    model = text(get(props, "scheduling.provisioningModel"))
    spot = (isinstance(model, str) and model.upper() == "SPOT") or bool(flag(get(props, "scheduling.preemptible")))
    shape = _machine_shape(
        ctx, "gcp", get(props, "machineType"), what, guest=get(props, "guestAccelerators"), spot=spot
    )
    return _gce_fabric(shape, props) if shape is not None else None


def _gcp_instance(ctx: _Ctx) -> None:
    r = ctx.raw
    shape = _gce_shape(ctx, r.props, f"instance '{r.name}'")
    if shape is None:
        return
    labels = _env_labels(get(r.props, "labels"))
    ctx.view.pools.append(
        Pool(r.urn, r.name, r.type, "instance", shape, 1, 1, False, labels, r.parent, node_word="instance")
    )
    _inline_volume(
        ctx,
        r.name,
        "gcp",
        get(r.props, "bootDisk.initializeParams.provisionedIops"),
        get(r.props, "bootDisk.initializeParams.provisionedThroughput"),
        shape,
        labels,
        f"boot disk of instance '{r.name}'",
    )


def _gcp_instance_template(ctx: _Ctx) -> None:
    r = ctx.raw
    shape = _gce_shape(ctx, r.props, f"instance template '{r.name}'")
    if shape is None:
        return
    labels = _env_labels(get(r.props, "labels"))
    vols: list[Volume] = []
    disks = as_list(get(r.props, "disks"))
    for i, d in enumerate(disks if isinstance(disks, list) else []):
        _inline_volume(
            ctx,
            r.name,
            "gcp",
            get(d, "provisionedIops"),
            get(d, "provisionedThroughput"),
            shape,
            labels,
            f"disk {i} of instance template '{r.name}'",
            into=vols,
        )
    names = tuple(n for n in (text(get(r.props, "name")), r.name) if isinstance(n, str))
    ctx.view.templates.append(
        Template(r.urn, r.name, r.type, "instance template", shape, labels, r.parent, names, tuple(vols))
    )


def _gcp_instance_group(ctx: _Ctx) -> None:
    r = ctx.raw
    size = _count(ctx, get(r.props, "targetSize"), f"instance group '{r.name}': targetSize")
    refs: list[str] = []
    versions = as_list(get(r.props, "versions"))
    for v in versions if isinstance(versions, list) else []:
        ref = text(get(v, "instanceTemplate"))
        if isinstance(ref, str):
            refs.append(ref)
    deps = tuple(r.property_dependencies.get("versions", ()))
    ctx.view.pools.append(
        Pool(
            r.urn,
            r.name,
            r.type,
            "instance group",
            Shape("gcp", None),
            size,
            size,
            True,
            {},
            r.parent,
            node_word="instance",
            template_ref=tuple(refs),
            template_deps=deps,
            needs_template=True,
        )
    )


# ----- Azure -------------------------------------------------------------------------------
def _azure_fabric(shape: Shape, ppg: Any) -> Shape:
    if shape.offer is None or shape.fabric_kind == "none":
        return shape
    if is_unknown(ppg):
        return replace(shape, fabric_present=("a proximity placement group",), fabric_missing=())
    if isinstance(ppg, str) and ppg:
        return replace(shape, fabric_missing=(), fabric_present=("a proximity placement group",))
    return replace(
        shape,
        fabric_missing=("no proximity placement group (proximityPlacementGroupID)",),
        fabric_present=("InfiniBand",),
    )


def _aks_pool(ctx: _Ctx, p: Mapping[str, Any], name: str, cluster_tags: Any = None) -> None:
    what = f"agent pool '{name}'"
    prio = text(get(p, "scaleSetPriority"))
    shape = _machine_shape(ctx, "azure", get(p, "vmSize"), what, spot=isinstance(prio, str) and prio.lower() == "spot")
    if shape is None:
        return
    shape = _azure_fabric(shape, get(p, "proximityPlacementGroupID"))
    auto = flag(get(p, "enableAutoScaling"))
    if auto is True:
        min_n = _count(ctx, get(p, "minCount"), f"{what}: minCount", 0.0)
        max_n = _count(ctx, get(p, "maxCount"), f"{what}: maxCount")
    else:
        n = _count(ctx, get(p, "count"), f"{what}: count", 1.0)
        min_n = max_n = n
    labels = _env_labels(get(p, "tags"), get(p, "nodeLabels"), cluster_tags)
    ctx.view.pools.append(
        Pool(ctx.raw.urn, name, ctx.raw.type, "agent pool", shape, min_n, max_n, True, labels, ctx.raw.parent)
    )


def _azure_agent_pool(ctx: _Ctx) -> None:
    name = text(get(ctx.raw.props, "agentPoolName"))
    _aks_pool(ctx, ctx.raw.props, name if isinstance(name, str) else ctx.raw.name)


def _azure_managed_cluster(ctx: _Ctx) -> None:
    profiles = as_list(get(ctx.raw.props, "agentPoolProfiles"))
    if profiles is UNKNOWN:
        ctx.note(f"managed cluster '{ctx.raw.name}': agentPoolProfiles unknown at preview; not checked")
        return
    for i, p in enumerate(profiles):
        pname = text(get(p, "name"))
        _aks_pool(ctx, p, f"{ctx.raw.name}/{pname if isinstance(pname, str) else i}", get(ctx.raw.props, "tags"))


def _azure_vm(ctx: _Ctx) -> None:
    r = ctx.raw
    prio = text(get(r.props, "priority"))
    shape = _machine_shape(
        ctx,
        "azure",
        get(r.props, "hardwareProfile.vmSize"),
        f"VM '{r.name}'",
        spot=isinstance(prio, str) and prio.lower() == "spot",
    )
    if shape is None:
        return
    shape = _azure_fabric(shape, get(r.props, "proximityPlacementGroup.id"))
    labels = _env_labels(get(r.props, "tags"))
    ctx.view.pools.append(Pool(r.urn, r.name, r.type, "VM", shape, 1, 1, False, labels, r.parent, node_word="VM"))


def _azure_vmss(ctx: _Ctx) -> None:
    r = ctx.raw
    what = f"scale set '{r.name}'"
    prio = text(get(r.props, "virtualMachineProfile.priority"))
    shape = _machine_shape(
        ctx, "azure", get(r.props, "sku.name"), what, spot=isinstance(prio, str) and prio.lower() == "spot"
    )
    if shape is None:
        return
    shape = _azure_fabric(shape, get(r.props, "proximityPlacementGroup.id"))
    n = _count(ctx, get(r.props, "sku.capacity"), f"{what}: sku.capacity", 0.0)
    labels = _env_labels(get(r.props, "tags"))
    ctx.view.pools.append(Pool(r.urn, r.name, r.type, "scale set", shape, n, n, True, labels, r.parent, node_word="VM"))


# ----- AWS ---------------------------------------------------------------------------------
def _efa_fabric(shape: Shape, interfaces: Any, placement: Any) -> Shape:
    if shape.offer is None or shape.fabric_kind != "efa":
        return shape
    nics = as_list(interfaces)
    if nics is UNKNOWN or is_unknown(placement):
        return replace(shape, fabric_missing=None)
    efa = [
        n
        for n in nics
        if isinstance(text(get(n, "interfaceType")), str) and str(get(n, "interfaceType")).startswith("efa")
    ]
    need = shape.offer.fabric.efa_interfaces
    missing: list[str] = []
    present: list[str] = []
    if not efa:
        missing.append(f"no EFA interfaces (networkInterfaces with interfaceType efa / efa-only; {need} available)")
    elif len(efa) < need:
        missing.append(f"only {len(efa)} of the {need} EFA interfaces")
        present.append(f"{len(efa)} EFA interfaces")
    else:
        present.append(f"{len(efa)} EFA interfaces")
    if isinstance(placement, str) and placement:
        present.append(f"placement group '{placement}'")
    else:
        missing.append("no cluster placement group")
    return replace(shape, fabric_missing=tuple(missing), fabric_present=tuple(present))


def _aws_launch_template(ctx: _Ctx) -> None:
    r = ctx.raw
    market = text(get(r.props, "instanceMarketOptions.marketType"))
    spot = True if (isinstance(market, str) and market.lower() == "spot") else None
    shape = _machine_shape(ctx, "aws", get(r.props, "instanceType"), f"launch template '{r.name}'", spot=spot)
    if shape is None:
        shape = Shape("aws", None, spot=spot)  # the group may name the instance type
    shape = _efa_fabric(shape, get(r.props, "networkInterfaces"), get(r.props, "placement.groupName"))
    tags = [get(r.props, "tags")]
    specs = as_list(get(r.props, "tagSpecifications"))
    for s in specs if isinstance(specs, list) else []:
        tags.append(get(s, "tags"))
    labels = _env_labels(*tags)
    vols: list[Volume] = []
    bdms = as_list(get(r.props, "blockDeviceMappings"))
    for i, b in enumerate(bdms if isinstance(bdms, list) else []):
        dev = text(get(b, "deviceName"))
        _inline_volume(
            ctx,
            r.name,
            "aws",
            get(b, "ebs.iops"),
            get(b, "ebs.throughput"),
            shape,
            labels,
            f"volume {dev if isinstance(dev, str) else i} of launch template '{r.name}'",
            into=vols,
        )
    names = tuple(
        n for n in (text(get(r.props, "name")), text(get(r.props, "namePrefix")), r.name) if isinstance(n, str)
    )
    ctx.view.templates.append(
        Template(
            r.urn,
            r.name,
            r.type,
            "launch template",
            shape,
            labels,
            r.parent,
            names,
            tuple(vols),
            fabric_inputs=(get(r.props, "networkInterfaces"), get(r.props, "placement.groupName")),
        )
    )


def _lt_ref(spec: Any) -> tuple[str, ...]:
    out = []
    for key in ("id", "name", "launchTemplateId", "launchTemplateName"):
        v = text(get(spec, key))
        if isinstance(v, str):
            out.append(v)
    return tuple(out)


def _aws_node_group(ctx: _Ctx) -> None:
    r = ctx.raw
    what = f"node group '{r.name}'"
    cap = text(get(r.props, "capacityType"))
    spot = isinstance(cap, str) and cap.upper() == "SPOT"
    reserved = isinstance(cap, str) and cap.upper() == "CAPACITY_BLOCK"
    types = as_list(get(r.props, "instanceTypes"))
    lt = get(r.props, "launchTemplate")
    shape: Shape | None
    if types is UNKNOWN:
        shape = _machine_shape(ctx, "aws", UNKNOWN, what)
    elif types:
        shapes = [s for s in (_machine_shape(ctx, "aws", t, what, spot=spot, reserved=reserved) for t in types) if s]
        # several instance types: size the group by the largest (the worst case at max scale)
        shape = max(shapes, key=lambda s: (s.per_node, s.on_demand_usd or 0), default=None)
        if shape is None:
            return
    elif lt is None:
        shape = None  # EKS's default instance type (t3.medium): a CPU group
        return
    else:
        shape = Shape("aws", None, spot=spot, reserved=reserved)
    assert shape is not None
    shape = replace(shape, spot=spot, reserved=reserved)
    if lt is None and shape.fabric_kind == "efa":
        shape = replace(
            shape, fabric_missing=("no launch template, so no EFA interfaces and no cluster placement group",)
        )
    min_n = _count(ctx, get(r.props, "scalingConfig.minSize"), f"{what}: scalingConfig.minSize")
    max_n = _count(ctx, get(r.props, "scalingConfig.maxSize"), f"{what}: scalingConfig.maxSize")
    labels = _env_labels(get(r.props, "tags"), get(r.props, "labels"))
    ctx.view.pools.append(
        Pool(
            r.urn,
            r.name,
            r.type,
            "node group",
            shape,
            min_n,
            max_n,
            True,
            labels,
            r.parent,
            template_ref=_lt_ref(lt) if lt is not None else (),
            template_deps=tuple(r.property_dependencies.get("launchTemplate", ())),
            needs_template=lt is not None,
        )
    )


def _aws_asg(ctx: _Ctx) -> None:
    r = ctx.raw
    what = f"auto scaling group '{r.name}'"
    lt = get(r.props, "launchTemplate")
    mip = get(r.props, "mixedInstancesPolicy")
    shape = Shape("aws", None)
    if isinstance(mip, Mapping):
        lt = get(mip, "launchTemplate.launchTemplateSpecification")
        overrides = as_list(get(mip, "launchTemplate.overrides"))
        shapes = []
        for o in overrides if isinstance(overrides, list) else []:
            s = _machine_shape(ctx, "aws", get(o, "instanceType"), what)
            if s is not None:
                shapes.append(s)
        if shapes:
            shape = max(shapes, key=lambda s: (s.per_node, s.on_demand_usd or 0))
        pct = num(get(mip, "instancesDistribution.onDemandPercentageAboveBaseCapacity"))
        if isinstance(pct, float):
            shape = replace(shape, spot=pct == 0)
    placement = text(get(r.props, "placementGroup"))
    min_n = _count(ctx, get(r.props, "minSize"), f"{what}: minSize")
    max_n = _count(ctx, get(r.props, "maxSize"), f"{what}: maxSize")
    labels = _env_labels(get(r.props, "tags"))
    deps = tuple(r.property_dependencies.get("launchTemplate", ())) + tuple(
        r.property_dependencies.get("mixedInstancesPolicy", ())
    )
    pool = Pool(
        r.urn,
        r.name,
        r.type,
        "auto scaling group",
        shape,
        min_n,
        max_n,
        True,
        labels,
        r.parent,
        node_word="instance",
        template_ref=_lt_ref(lt) if lt is not None else (),
        template_deps=deps,
        needs_template=lt is not None,
    )
    if isinstance(placement, str) and placement:
        pool = replace(pool, placement_group=placement)
    ctx.view.pools.append(pool)


def _aws_instance(ctx: _Ctx) -> None:
    r = ctx.raw
    what = f"instance '{r.name}'"
    market = text(get(r.props, "instanceMarketOptions.marketType"))
    spot = isinstance(market, str) and market.lower() == "spot"
    lt = get(r.props, "launchTemplate")
    itype = get(r.props, "instanceType")
    shape = _machine_shape(ctx, "aws", itype, what, spot=spot) if itype is not None else Shape("aws", None, spot=spot)
    if shape is None:
        return
    nics = as_list(get(r.props, "networkInterfaces"))
    placement = get(r.props, "placementGroup")
    if shape.fabric_kind == "efa":
        # EFA interfaces of an instance are separate NetworkInterface resources (or its launch
        # template's); count attached interfaces, the stack join refines with the template.
        shape = replace(
            shape,
            fabric_missing=tuple(
                m
                for m in (
                    None if (isinstance(nics, list) and nics) or lt is not None else "no EFA network interfaces",
                    None
                    if (isinstance(placement, str) and placement) or is_unknown(placement)
                    else "no cluster placement group",
                )
                if m
            ),
            fabric_present=tuple(
                p for p in ("EFA network interfaces" if isinstance(nics, list) and nics else "",) if p
            ),
        )
    labels = _env_labels(get(r.props, "tags"))
    ctx.view.pools.append(
        Pool(
            r.urn,
            r.name,
            r.type,
            "instance",
            shape,
            1,
            1,
            False,
            labels,
            r.parent,
            node_word="instance",
            template_ref=_lt_ref(lt) if lt is not None else (),
            template_deps=tuple(r.property_dependencies.get("launchTemplate", ())),
            needs_template=lt is not None and shape.machine_type is None,
        )
    )
    _inline_volume(
        ctx,
        r.name,
        "aws",
        get(r.props, "rootBlockDevice.iops"),
        get(r.props, "rootBlockDevice.throughput"),
        shape,
        labels,
        f"root volume of instance '{r.name}'",
    )
    devs = as_list(get(r.props, "ebsBlockDevices"))
    for i, d in enumerate(devs if isinstance(devs, list) else []):
        _inline_volume(
            ctx,
            r.name,
            "aws",
            get(d, "iops"),
            get(d, "throughput"),
            shape,
            labels,
            f"volume {i} of instance '{r.name}'",
        )


# ----- storage -------------------------------------------------------------------------------
def _storage(
    ctx: _Ctx, kind: str, cloud: str, cap_tib: Any, per_tib: Any, labels: Any, *, floor: float = 0.0, what: str = ""
) -> None:
    r = ctx.raw
    cap = num(cap_tib)
    tier = num(per_tib)
    if cap is UNKNOWN or tier is UNKNOWN:
        ctx.note(
            f"{kind} '{r.name}': {what or 'capacity or throughput tier'} unknown at preview; "
            "its throughput is not checked"
        )
        return
    if cap is None:
        return
    assert isinstance(cap, float)
    through = None
    per = tier if isinstance(tier, float) else None
    if per is not None:
        through = max(cap * per, floor)
    elif floor:
        through = floor
    ctx.view.storage.append(SharedStorage(r.urn, r.name, r.type, kind, cloud, cap, through, per, _env_labels(labels)))


def _gib_to_tib(v: Any) -> Any:
    n = num(v)
    return n / 1024 if isinstance(n, float) else n


def _gcp_lustre(ctx: _Ctx) -> None:
    p = ctx.raw.props
    _storage(
        ctx,
        "Managed Lustre",
        "gcp",
        _gib_to_tib(get(p, "capacityGib")),
        get(p, "perUnitStorageThroughput"),
        get(p, "labels"),
    )


def _gcp_parallelstore(ctx: _Ctx) -> None:
    p = ctx.raw.props
    per = policy_data()["fileThroughput"]["parallelstorePerTiB"]
    _storage(ctx, "Parallelstore", "gcp", _gib_to_tib(get(p, "capacityGib")), per, get(p, "labels"))


def _gcp_filestore(ctx: _Ctx) -> None:
    p = ctx.raw.props
    tier = text(get(p, "tier"))
    shares_raw = get(p, "fileShares")
    shares = [shares_raw] if isinstance(shares_raw, Mapping) else as_list(shares_raw)
    cap: Any = UNKNOWN if shares is UNKNOWN else None
    if isinstance(shares, list):
        total = 0.0
        for s in shares:
            c = num(get(s, "capacityGb"))
            if c is UNKNOWN:
                cap = UNKNOWN
                break
            total += c or 0.0
        else:
            cap = total / 1024
    if tier is UNKNOWN:
        cap = UNKNOWN
    bands = policy_data()["fileThroughput"]["filestore"].get(tier.upper() if isinstance(tier, str) else "", None)
    if bands is None and isinstance(tier, str):
        ctx.note(f"Filestore '{ctx.raw.name}': tier '{tier}' has no throughput figure; not checked")
        return
    per: float | None = None
    floor = 0.0
    if bands and isinstance(cap, float):
        band = [b for b in bands if cap >= b["fromTiB"]][-1]
        per = float(band["perTiB"]) if "perTiB" in band else None
        floor = float(band.get("flatMBps", 0))
    _storage(ctx, "Filestore", "gcp", cap, per, get(p, "labels"), floor=floor)


def _azure_amlfs(ctx: _Ctx) -> None:
    p = ctx.raw.props
    sku = text(get(p, "sku.name"))
    per: Any = None
    if sku is UNKNOWN:
        per = UNKNOWN
    elif isinstance(sku, str):
        m = re.search(r"-(\d+)$", sku)
        per = float(m.group(1)) if m else None
        if per is None:
            ctx.note(f"Azure Managed Lustre '{ctx.raw.name}': SKU '{sku}' has no MB/s-per-TiB suffix; not checked")
            return
    _storage(ctx, "Azure Managed Lustre", "azure", get(p, "storageCapacityTiB"), per, get(p, "tags"))


def _aws_fsx(ctx: _Ctx) -> None:
    p = ctx.raw.props
    dep = text(get(p, "deploymentType"))
    per: Any = get(p, "perUnitStorageThroughput")
    if per is None and isinstance(dep, str) and dep.upper().startswith("SCRATCH"):
        per = policy_data()["fileThroughput"]["fsxScratchPerTiB"]
    elif per is None and dep is UNKNOWN:
        per = UNKNOWN
    _storage(ctx, "FSx for Lustre", "aws", _gib_to_tib(get(p, "storageCapacity")), per, get(p, "tags"))


def _volume(ctx: _Ctx, cloud: str, kind: str, iops: Any, through: Any, labels: Any) -> None:
    _inline_volume(ctx, ctx.raw.name, cloud, iops, through, None, _env_labels(labels), f"{kind} '{ctx.raw.name}'")


def _gcp_disk(ctx: _Ctx) -> None:
    p = ctx.raw.props
    _volume(ctx, "gcp", "disk", get(p, "provisionedIops"), get(p, "provisionedThroughput"), get(p, "labels"))


def _azure_disk(ctx: _Ctx) -> None:
    p = ctx.raw.props
    _volume(ctx, "azure", "disk", get(p, "diskIOPSReadWrite"), get(p, "diskMBpsReadWrite"), get(p, "tags"))


def _aws_volume(ctx: _Ctx) -> None:
    p = ctx.raw.props
    _volume(ctx, "aws", "EBS volume", get(p, "iops"), get(p, "throughput"), get(p, "tags"))


NORMALIZERS: Mapping[str, Callable[[_Ctx], None]] = {
    "gcp:container/nodePool:NodePool": _gcp_node_pool,
    "gcp:container/cluster:Cluster": _gcp_cluster,
    "gcp:tpu/v2Vm:V2Vm": _gcp_tpu_vm,
    "gcp:tpu/v2QueuedResource:V2QueuedResource": _gcp_tpu_queued,
    "gcp:compute/instance:Instance": _gcp_instance,
    "gcp:compute/instanceTemplate:InstanceTemplate": _gcp_instance_template,
    "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate": _gcp_instance_template,
    "gcp:compute/instanceGroupManager:InstanceGroupManager": _gcp_instance_group,
    "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager": _gcp_instance_group,
    "gcp:lustre/instance:Instance": _gcp_lustre,
    "gcp:parallelstore/instance:Instance": _gcp_parallelstore,
    "gcp:filestore/instance:Instance": _gcp_filestore,
    "gcp:compute/disk:Disk": _gcp_disk,
    "gcp:compute/regionDisk:RegionDisk": _gcp_disk,
    "azure-native:containerservice:AgentPool": _azure_agent_pool,
    "azure-native:containerservice:ManagedCluster": _azure_managed_cluster,
    "azure-native:compute:VirtualMachine": _azure_vm,
    "azure-native:compute:VirtualMachineScaleSet": _azure_vmss,
    "azure-native:storagecache:AmlFilesystem": _azure_amlfs,
    "azure-native:compute:Disk": _azure_disk,
    "aws:eks/nodeGroup:NodeGroup": _aws_node_group,
    "aws:ec2/launchTemplate:LaunchTemplate": _aws_launch_template,
    "aws:autoscaling/group:Group": _aws_asg,
    "aws:ec2/instance:Instance": _aws_instance,
    "aws:fsx/lustreFileSystem:LustreFileSystem": _aws_fsx,
    "aws:ebs/volume:Volume": _aws_volume,
}

SUPPORTED_TYPES: tuple[str, ...] = tuple(NORMALIZERS)


def normalize_resource(raw: RawResource) -> View:
    """The view of one resource on its own (no joins). Unsupported types give an empty view."""
    fn = NORMALIZERS.get(raw.type)
    if fn is None:
        return View()
    ctx = _Ctx(replace(raw, props=plain(raw.props) or {}))
    try:
        fn(ctx)
    except Exception as err:
        ctx.note(f"could not read this {raw.type} ({type(err).__name__}: {err}); it is not checked")
    return ctx.view


# ----- the stack: joins ------------------------------------------------------------------------
def _find_template(pool: Pool, templates: list[Template]) -> Template | None:
    """The template a group uses: by the engine's property dependencies, by name, or the only sibling."""
    if not templates:
        return None
    by_urn = {t.urn: t for t in templates}
    for dep in pool.template_deps:
        if dep in by_urn:
            return by_urn[dep]
    for ref in pool.template_ref:
        for t in templates:
            if any(n and (ref == n or ref.endswith("/" + n) or ref.startswith(n)) for n in t.ref_names):
                return t
    same_cloud = [t for t in templates if t.shape.cloud == pool.shape.cloud]
    siblings = [t for t in same_cloud if t.parent is not None and t.parent == pool.parent]
    if len(siblings) == 1:
        return siblings[0]
    if len(same_cloud) == 1:
        return same_cloud[0]
    return None


def _merge(pool: Pool, t: Template) -> Pool:
    """A group's pool with the shape its template carries (the group's own settings win)."""
    ps, ts = pool.shape, t.shape
    shape = ps if ps.machine_type is not None else replace(ts, spot=ps.spot, reserved=ps.reserved)
    if ps.spot is None and ts.spot is not None:
        shape = replace(shape, spot=ts.spot)
    if t.fabric_inputs is not None and shape.fabric_kind == "efa":
        shape = _efa_fabric(shape, *t.fabric_inputs)
    placement = pool.placement_group
    if placement and shape.fabric_missing:
        shape = replace(
            shape,
            fabric_missing=tuple(m for m in shape.fabric_missing if "placement group" not in m),
            fabric_present=(*shape.fabric_present, f"placement group '{placement}'"),
        )
    labels = {**t.labels, **pool.labels}
    return replace(pool, shape=shape, labels=labels, needs_template=False)


def normalize_stack(resources: Iterable[RawResource]) -> View:
    """The view of a whole stack: every resource normalized, groups joined to their templates."""
    view = View()
    for raw in resources:
        view.extend(normalize_resource(raw))
    used: set[str] = set()
    pools: list[Pool] = []
    for pool in view.pools:
        if pool.needs_template:
            t = _find_template(pool, view.templates)
            if t is None:
                if pool.shape.machine_type is None:
                    view.notes.append(
                        Note(
                            pool.urn,
                            pool.name,
                            pool.type,
                            f"{pool.label}: its launch / instance template is not in this stack (or could not be "
                            "matched), so its machine type, accelerators and cost are not counted",
                        )
                    )
                pools.append(replace(pool, needs_template=False))
                continue
            used.add(t.urn)
            merged = _merge(pool, t)
            if merged.shape.machine_type is None or (
                merged.shape.accelerator is None and merged.shape.offer is None and not _accel_machine(merged)
            ):
                continue  # a CPU group
            pools.append(merged)
            for v in t.volumes:
                view.volumes.append(replace(v, machine_type=merged.shape.machine_type))
        else:
            pools.append(pool)
    for t in view.templates:
        if t.urn not in used and t.shape.accelerator is not None:
            view.notes.append(
                Note(
                    t.urn,
                    t.name,
                    t.type,
                    f"{t.label} ({t.shape.machine_type}) is not used by a group in this stack, so its instances "
                    "are not counted in the ceilings",
                )
            )
            view.volumes.extend(t.volumes)
    view.pools = pools
    return view


def _accel_machine(pool: Pool) -> bool:
    mt = pool.shape.machine_type
    return bool(mt) and looks_like_accelerator(pool.cloud, str(mt))


def environment_of(labels: Mapping[str, str]) -> str | None:
    """The environment recorded on a resource (``aiinfra-environment`` label / tag)."""
    env = labels.get(ENV_LABEL)
    return env if isinstance(env, str) and env else None
