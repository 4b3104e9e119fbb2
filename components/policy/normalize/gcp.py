"""GCP: GKE node pools and clusters, TPU VMs and queued resources, GCE instances, templates, groups.

Property names are pulumi-gcp's camelCase inputs (``container.NodePoolArgs``,
``tpu.V2VmArgs``, ``tpu.V2QueuedResourceArgs``, ``compute.InstanceArgs`` ...).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from components.catalog import get_catalog
from components.catalog.model import TpuVersion
from components.policy.normalize.common import (
    CATALOG_FIX,
    Ctx,
    capacity_pool,
    count,
    env_labels,
    inline_volume,
    machine_shape,
    nodes_for,
    offers_matching,
    policy_data,
    shape_of_offers,
)
from components.policy.normalize.views import Pool, Shape, Template, Volume
from components.policy.values import UNKNOWN, as_list, flag, get, is_unknown, quote, text
from components.terminal import counted

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
        present.append(f"accelerator network profile {quote(profile)}")
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


def _gke_pool(ctx: Ctx, np: Mapping[str, Any], name: str, kind: str, cluster: Mapping[str, Any] | None) -> None:
    raw = ctx.raw
    nc = get(np, "nodeConfig", {})
    if nc is UNKNOWN:
        ctx.note(f"{kind} {quote(name)}: nodeConfig is unknown at preview; not checked")
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
    shape = machine_shape(
        ctx,
        "gcp",
        get(nc, "machineType", "e2-medium"),
        f"{kind} {quote(name)}",
        guest=get(nc, "guestAccelerators"),
        spot=spot,
        reserved=reserved,
    )
    if shape is None:
        return
    zones, _ = _gke_zones(np, get(cluster or {}, "location"))
    auto = get(np, "autoscaling")
    what = f"{kind} {quote(name)}"
    if isinstance(auto, Mapping) and auto:
        tmax = count(ctx, get(auto, "totalMaxNodeCount"), f"{what}: autoscaling.totalMaxNodeCount")
        tmin = count(ctx, get(auto, "totalMinNodeCount"), f"{what}: autoscaling.totalMinNodeCount")
        pmax = count(ctx, get(auto, "maxNodeCount"), f"{what}: autoscaling.maxNodeCount")
        pmin = count(ctx, get(auto, "minNodeCount"), f"{what}: autoscaling.minNodeCount", 0.0)
        max_nodes = tmax if tmax is not None else (pmax * zones if pmax is not None else None)
        min_nodes = tmin if tmin is not None else (pmin * zones if pmin is not None else None)
        per_zone = tmax is None and pmax is not None
        if max_nodes is None and tmax is None and pmax is None and not is_unknown(get(auto, "maxNodeCount")):
            ctx.note(
                f"{what}: autoscaling has no maximum; its size at max scale is not checked",
                "set autoscaling.maxNodeCount or totalMaxNodeCount",
            )
        scalable = True
    else:
        fixed = get(np, "nodeCount")
        if fixed is None:
            fixed = get(np, "initialNodeCount", 1)
        n = count(ctx, fixed, f"{what}: nodeCount")
        max_nodes = min_nodes = (n * zones) if n is not None else None
        per_zone = True
        # A fixed-size TPU node pool is a slice: all its VMs or none, like a TPU VM or a queued
        # resource. It is not an autoscaling pool (scale-to-zero and pool-max-nodes do not apply;
        # tpu-slice-size and stack-ceilings do), whichever way the slice is built.
        scalable = shape.tpu is None
    if shape.tpu is not None:
        topo = text(get(np, "placementPolicy.tpuTopology"))
        if isinstance(topo, str):
            try:
                chips = math.prod(int(d) for d in topo.lower().split("x"))
                shape = replace(shape, tpu_chips=chips)
            except ValueError:
                ctx.note(
                    f"{what}: TPU topology {quote(topo)} is not AxB or AxBxC; slice size not checked",
                    "write placementPolicy.tpuTopology as AxB or AxBxC",
                )
        else:
            # no topology: single-host TPU nodes, each its own slice of one VM's chips
            shape = replace(shape, tpu_chips=shape.per_node)
    else:
        shape = _gke_fabric(shape, np)
    labels = env_labels(get(nc, "resourceLabels"), get(nc, "labels"), get(cluster or {}, "resourceLabels"))
    values = as_list(get(nc, "reservationAffinity.values"))
    consumes = tuple(v for v in values if isinstance(v, str)) if isinstance(values, list) and reserved else ()
    ctx.view.pools.append(
        Pool(
            raw.urn,
            name,
            raw.type,
            kind,
            shape,
            min_nodes,
            max_nodes,
            scalable,
            labels,
            raw.parent,
            zones,
            per_zone_bounds=per_zone,
            reservation_ref=consumes,
        )
    )
    inline_volume(
        ctx,
        name,
        "gcp",
        get(nc, "bootDisk.provisionedIops"),
        get(nc, "bootDisk.provisionedThroughput"),
        shape,
        labels,
        f"boot disk of {kind} {quote(name)}",
    )


def _gcp_node_pool(ctx: Ctx) -> None:
    _gke_pool(ctx, ctx.raw.props, ctx.raw.name, "node pool", None)


def _nap_shape(ctx: Ctx, resource_type: str, what: str) -> Shape | None:
    """The worst-case node an auto-provisioning limit on ``resource_type`` allows (None: CPU / memory)."""
    rtype = resource_type.lower()
    if rtype in ("cpu", "memory"):
        return None
    tpu_version = policy_data()["gkeTpuAccelerators"].get(rtype)
    if isinstance(tpu_version, str):
        version = get_catalog().tpu(tpu_version)
        if version is not None and version.gke_machine_types:
            # the largest TPU VM of the version: the fewest nodes for the chips allowed
            machine = max(version.gke_machine_types, key=lambda m: version.gke_machine_types[m])
            return machine_shape(ctx, "gcp", machine, what)
    offers = offers_matching("gcp", lambda o: (o.accelerator_type or "").lower() == rtype)
    shape = shape_of_offers(ctx, "gcp", offers, what)
    if shape is None:
        ctx.note(f"{what}: accelerator {quote(resource_type)} is not in the catalog; its accelerators are not counted")
    return shape


def _gke_auto_provisioning(ctx: Ctx, props: Mapping[str, Any]) -> None:
    """Node auto-provisioning: each accelerator resource limit is a pool GKE may create, sized by
    the limit (accelerators) over the largest catalog machine carrying that accelerator."""
    ca = get(props, "clusterAutoscaling")
    if not isinstance(ca, Mapping) or flag(get(ca, "enabled")) is not True:
        return
    limits = as_list(get(ca, "resourceLimits"))
    if limits is UNKNOWN:
        ctx.note(f"cluster {quote(ctx.raw.name)}: clusterAutoscaling.resourceLimits unknown at preview; not counted")
        return
    labels = env_labels(get(props, "resourceLabels"))
    for lim in limits:
        rtype = text(get(lim, "resourceType"))
        if not isinstance(rtype, str):
            continue
        name = f"{ctx.raw.name}/{rtype}"
        what = f"auto-provisioning limit {quote(name)}"
        shape = _nap_shape(ctx, rtype, what)
        if shape is None or not shape.per_node:
            continue
        top = count(ctx, get(lim, "maximum"), f"{what}: maximum")
        low = count(ctx, get(lim, "minimum"), f"{what}: minimum", 0.0)
        ctx.view.pools.append(
            Pool(
                ctx.raw.urn,
                name,
                ctx.raw.type,
                "auto-provisioning limit",
                shape,
                nodes_for(low, shape.per_node) if low is not None else None,
                nodes_for(top, shape.per_node) if top is not None else None,
                True,
                labels,
                ctx.raw.parent,
                fabric_applies=False,
            )
        )


def _gcp_cluster(ctx: Ctx) -> None:
    props = ctx.raw.props
    _gke_auto_provisioning(ctx, props)
    pools = as_list(get(props, "nodePools"))
    if pools is UNKNOWN:
        ctx.note(f"cluster {quote(ctx.raw.name)}: nodePools unknown at preview; inline pools not checked")
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
    ctx: Ctx, what: str, node: Mapping[str, Any], spot: bool | None, labels: Mapping[str, str], name: str, kind: str
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
            ctx.note(
                f"{what}: TPU type {quote(label)} is not in the catalog; its chips and cost are not counted",
                CATALOG_FIX,
            )
        else:
            ctx.note(f"{what}: no TPU accelerator type given; not counted", "set acceleratorType or acceleratorConfig")
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


def _gcp_tpu_vm(ctx: Ctx) -> None:
    p = ctx.raw.props
    spot = bool(flag(get(p, "schedulingConfig.spot")) or flag(get(p, "schedulingConfig.preemptible")))
    _tpu_slice_pool(ctx, f"TPU VM {quote(ctx.raw.name)}", p, spot, env_labels(get(p, "labels")), ctx.raw.name, "TPU VM")


def _gcp_tpu_node(ctx: Ctx) -> None:
    """The legacy ``tpu.Node`` (pulumi-gcp 8 and earlier): acceleratorType, preemptible scheduling."""
    p = ctx.raw.props
    spot = bool(flag(get(p, "schedulingConfig.preemptible")))
    _tpu_slice_pool(
        ctx, f"TPU node {quote(ctx.raw.name)}", p, spot, env_labels(get(p, "labels")), ctx.raw.name, "TPU node"
    )


def _gcp_tpu_queued(ctx: Ctx) -> None:
    p = ctx.raw.props
    specs = as_list(get(p, "tpu.nodeSpecs"))
    if specs is UNKNOWN:
        ctx.note(f"queued resource {quote(ctx.raw.name)}: tpu.nodeSpecs unknown at preview; not counted")
        return
    for i, spec in enumerate(specs):
        name = ctx.raw.name if len(specs) == 1 else f"{ctx.raw.name}[{i}]"
        # The queued resource's spot / guaranteed choice is not an input of this provider
        # version (pulumi_gcp tpu.V2QueuedResourceArgs), so capacity is "not stated".
        _tpu_slice_pool(
            ctx, f"queued resource {quote(name)}", get(spec, "node", {}) or {}, None, {}, name, "TPU queued resource"
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
        present.append(counted(len(nics), "network interface"))
    else:
        missing.append(
            f"{counted(len(nics), 'network interface')} where the fabric needs {need} (1 host + {need - 1} GPU NICs)"
        )
    if pols:
        present.append("placement resource policy")
    else:
        missing.append("no compact placement resource policy (resourcePolicies)")
    return replace(shape, fabric_missing=tuple(missing), fabric_present=tuple(present))


def _gce_shape(ctx: Ctx, props: Mapping[str, Any], what: str) -> Shape | None:
    model = text(get(props, "scheduling.provisioningModel"))
    spot = (isinstance(model, str) and model.upper() == "SPOT") or bool(flag(get(props, "scheduling.preemptible")))
    shape = machine_shape(ctx, "gcp", get(props, "machineType"), what, guest=get(props, "guestAccelerators"), spot=spot)
    return _gce_fabric(shape, props) if shape is not None else None


def _gcp_instance(ctx: Ctx) -> None:
    r = ctx.raw
    shape = _gce_shape(ctx, r.props, f"instance {quote(r.name)}")
    if shape is None:
        return
    labels = env_labels(get(r.props, "labels"))
    ctx.view.pools.append(
        Pool(r.urn, r.name, r.type, "instance", shape, 1, 1, False, labels, r.parent, node_word="instance")
    )
    inline_volume(
        ctx,
        r.name,
        "gcp",
        get(r.props, "bootDisk.initializeParams.provisionedIops"),
        get(r.props, "bootDisk.initializeParams.provisionedThroughput"),
        shape,
        labels,
        f"boot disk of instance {quote(r.name)}",
    )


def _gcp_instance_from_template(ctx: Ctx) -> None:
    """An instance made from a template: its own machineType overrides the template's."""
    r = ctx.raw
    if get(r.props, "machineType") is not None:
        _gcp_instance(ctx)
        return
    ref = text(get(r.props, "sourceInstanceTemplate"))
    labels = env_labels(get(r.props, "labels"))
    ctx.view.pools.append(
        Pool(
            r.urn,
            r.name,
            r.type,
            "instance",
            Shape("gcp", None),
            1,
            1,
            False,
            labels,
            r.parent,
            node_word="instance",
            template_ref=(ref,) if isinstance(ref, str) else (),
            template_deps=tuple(r.property_dependencies.get("sourceInstanceTemplate", ())),
            needs_template=True,
        )
    )


def _gcp_reservation(ctx: Ctx) -> None:
    """A Compute Engine reservation: ``count`` machines paid for whether used or not."""
    r = ctx.raw
    spec = get(r.props, "specificReservation", {})
    what = f"reservation {quote(r.name)}"
    if spec is UNKNOWN:
        ctx.note(f"{what}: specificReservation is unknown at preview; not counted")
        return
    labels: dict[str, str] = {}
    names = [text(get(r.props, "name"))]
    template = text(get(spec, "sourceInstanceTemplate"))
    if isinstance(template, str) and get(spec, "instanceProperties") is None:
        n = count(ctx, get(spec, "count"), f"{what}: specificReservation.count")
        ctx.view.pools.append(
            Pool(
                r.urn,
                r.name,
                r.type,
                "reservation",
                Shape("gcp", None, reserved=True),
                n,
                n,
                False,
                labels,
                r.parent,
                node_word="instance",
                template_ref=(template,),
                template_deps=tuple(r.property_dependencies.get("specificReservation", ())),
                needs_template=True,
                fabric_applies=False,
                capacity=True,
                ref_names=(*(x for x in names if isinstance(x, str)), r.name),
            )
        )
        return
    props = get(spec, "instanceProperties", {})
    guests = as_list(get(props, "guestAccelerators"))
    guest = (
        [{"type": get(g, "acceleratorType"), "count": get(g, "acceleratorCount")} for g in guests]
        if isinstance(guests, list)
        else guests
    )
    shape = machine_shape(ctx, "gcp", get(props, "machineType"), what, guest=guest, reserved=True)
    capacity_pool(ctx, shape, get(spec, "count"), what, "reservation", labels, names)


def _gcp_instance_template(ctx: Ctx) -> None:
    r = ctx.raw
    # a CPU template still becomes a Template (shape without machine), so the group using it is
    # recognised as a CPU group rather than reported as "template not found"
    shape = _gce_shape(ctx, r.props, f"instance template {quote(r.name)}") or Shape("gcp", None)
    labels = env_labels(get(r.props, "labels"))
    vols: list[Volume] = []
    disks = as_list(get(r.props, "disks"))
    for i, d in enumerate(disks if isinstance(disks, list) else []):
        inline_volume(
            ctx,
            r.name,
            "gcp",
            get(d, "provisionedIops"),
            get(d, "provisionedThroughput"),
            shape,
            labels,
            f"disk {i} of instance template {quote(r.name)}",
            into=vols,
        )
    names = tuple(n for n in (text(get(r.props, "name")), r.name) if isinstance(n, str))
    ctx.view.templates.append(
        Template(r.urn, r.name, r.type, "instance template", shape, labels, r.parent, names, tuple(vols))
    )


def _gcp_instance_group(ctx: Ctx) -> None:
    r = ctx.raw
    size = count(ctx, get(r.props, "targetSize"), f"instance group {quote(r.name)}: targetSize")
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


NORMALIZERS: Mapping[str, Callable[[Ctx], None]] = {
    "gcp:container/nodePool:NodePool": _gcp_node_pool,
    "gcp:container/cluster:Cluster": _gcp_cluster,
    "gcp:tpu/v2Vm:V2Vm": _gcp_tpu_vm,
    "gcp:tpu/v2QueuedResource:V2QueuedResource": _gcp_tpu_queued,
    "gcp:tpu/node:Node": _gcp_tpu_node,
    "gcp:compute/instance:Instance": _gcp_instance,
    "gcp:compute/instanceFromTemplate:InstanceFromTemplate": _gcp_instance_from_template,
    "gcp:compute/reservation:Reservation": _gcp_reservation,
    "gcp:compute/instanceTemplate:InstanceTemplate": _gcp_instance_template,
    "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate": _gcp_instance_template,
    "gcp:compute/instanceGroupManager:InstanceGroupManager": _gcp_instance_group,
    "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager": _gcp_instance_group,
}
