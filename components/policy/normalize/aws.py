"""AWS: EKS node groups, EC2 launch templates / configurations, auto scaling groups, EC2 Fleet and
Spot Fleet, instances, capacity reservations, SageMaker and Batch compute.

Property names are pulumi-aws's camelCase inputs (``eks.NodeGroupArgs``,
``ec2.LaunchTemplateArgs``, ``autoscaling.GroupArgs``, ``ec2.InstanceArgs``, ``ec2.FleetArgs``,
``ec2.SpotFleetRequestArgs``, ``sagemaker.EndpointConfigurationArgs``,
``batch.ComputeEnvironmentArgs`` ...). A group's instance type and EFA interfaces may live on its
launch template: the stack join (``components.policy.normalize.normalize_stack``) merges them.
Attribute-based selection (``instanceRequirements``) resolves to the catalog offers it allows,
sized at the worst case (most accelerators per instance).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import Any

from components.catalog import get_catalog
from components.catalog.model import Offer
from components.policy.normalize.common import (
    Ctx,
    accelerators_named,
    capacity_pool,
    count,
    env_labels,
    inline_volume,
    looks_like_accelerator,
    machine_shape,
    nodes_for,
    offers_matching,
    shape_of_offers,
    worst_shape,
)
from components.policy.normalize.views import (
    GroupMember,
    Pool,
    RawResource,
    ReservationGroup,
    Shape,
    Template,
    Volume,
)
from components.policy.values import UNKNOWN, as_list, clip, flag, get, is_unknown, num, quote, text
from components.terminal import counted


# ----- AWS ---------------------------------------------------------------------------------
def efa_fabric(shape: Shape, interfaces: Any, placement: Any) -> Shape:
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
        present.append(f"placement group {quote(placement)}")
    else:
        missing.append("no cluster placement group")
    return replace(shape, fabric_missing=tuple(missing), fabric_present=tuple(present))


# ----- attribute-based instance selection -------------------------------------------------------
_MAKERS = {"nvidia": "nvidia", "amd": "amd", "amazon-web-services": "aws"}
_ACC_TYPES = {"gpu": ("gpu",), "inference": ("neuron",)}


def _range(ctx: Ctx, value: Any, what: str) -> tuple[float | None, float | None]:
    lo = count(ctx, get(value, "min"), f"{what}.min")
    hi = count(ctx, get(value, "max"), f"{what}.max")
    return lo, hi


def _in(v: float, lo: float | None, hi: float | None) -> bool:
    return (lo is None or v >= lo) and (hi is None or v <= hi)


def _strings(value: Any) -> list[str]:
    items = as_list(value)
    return [str(x) for x in items if isinstance(x, str)] if isinstance(items, list) else []


def requirements_offers(ctx: Ctx, req: Mapping[str, Any], what: str) -> list[Offer] | None:
    """Catalog offers an EC2 ``instanceRequirements`` block allows; None when it does not ask for
    accelerators (no accelerator count, name, type, manufacturer or accelerator instance type:
    EC2 then picks by price among general-purpose types)."""
    acc_lo, acc_hi = _range(ctx, get(req, "acceleratorCount"), f"{what}: instanceRequirements.acceleratorCount")
    names = _strings(get(req, "acceleratorNames"))
    kinds = _strings(get(req, "acceleratorTypes"))
    makers = _strings(get(req, "acceleratorManufacturers"))
    allowed = _strings(get(req, "allowedInstanceTypes"))
    excluded = _strings(get(req, "excludedInstanceTypes"))
    if acc_hi == 0:
        return None
    asks = bool((acc_lo or 0) > 0 or names or kinds or makers)
    asks = asks or any(looks_like_accelerator("aws", pat) for pat in allowed)
    if not asks:
        return None
    vcpu_lo, vcpu_hi = _range(ctx, get(req, "vcpuCount"), f"{what}: instanceRequirements.vcpuCount")
    mem_lo, mem_hi = _range(ctx, get(req, "memoryMib"), f"{what}: instanceRequirements.memoryMib")
    wanted = {a for n in names for a in accelerators_named(n)}
    cat = get_catalog()

    def keep(o: Offer) -> bool:
        acc = cat.accelerators[o.accelerator]
        return (
            (not allowed or any(fnmatchcase(o.machine_type, pat) for pat in allowed))
            and not any(fnmatchcase(o.machine_type, pat) for pat in excluded)
            and _in(o.accelerators_per_node, acc_lo, acc_hi)
            and (not names or o.accelerator in wanted)
            and (not kinds or any(acc.kind in _ACC_TYPES.get(k, ()) for k in kinds))
            and (not makers or any(_MAKERS.get(m) == acc.vendor for m in makers))
            and _in(o.vcpu, vcpu_lo, vcpu_hi)
            and _in(o.memory_gib * 1024, mem_lo, mem_hi)
        )

    return offers_matching("aws", keep)


def requirements_shape(ctx: Ctx, req: Any, what: str, *, spot: bool | None = None) -> Shape | None:
    """The worst-case shape an ``instanceRequirements`` block allows (None: a CPU selection)."""
    if req is UNKNOWN:
        ctx.note(f"{what}: instanceRequirements is unknown at preview, so its accelerators are not counted")
        return Shape("aws", None, spot=spot)
    if not isinstance(req, Mapping):
        return None
    offers = requirements_offers(ctx, req, what)
    if offers is None:
        return None
    shape = shape_of_offers(ctx, "aws", offers, what, spot=spot)
    if shape is None:
        ctx.note(
            f"{what}: instanceRequirements ask for accelerators but match no instance type in the catalog, "
            "so its accelerators and cost are not counted; add the instance type to components/catalog/data"
        )
        return Shape("aws", "instanceRequirements", spot=spot)
    return shape


def _override_shape(ctx: Ctx, override: Any, what: str, *, spot: bool | None = None) -> Shape | None:
    """An ASG / EC2 Fleet / Spot Fleet override: an instance type or instance requirements."""
    if get(override, "instanceType") is not None:
        return machine_shape(ctx, "aws", get(override, "instanceType"), what, spot=spot)
    if get(override, "instanceRequirements") is not None:
        return requirements_shape(ctx, get(override, "instanceRequirements"), what, spot=spot)
    return None


def _aws_launch_template(ctx: Ctx) -> None:
    r = ctx.raw
    market = text(get(r.props, "instanceMarketOptions.marketType"))
    spot = True if (isinstance(market, str) and market.lower() == "spot") else None
    target = _reservation_target(r)
    # a Capacity Block or a targeted reservation: capacity paid for already, not on-demand
    reserved = (isinstance(market, str) and market.lower() == "capacity-block") or bool(
        target.refs or target.deps or target.unknown
    )
    what = f"launch template {quote(r.name)}"
    shape = machine_shape(ctx, "aws", get(r.props, "instanceType"), what, spot=spot, reserved=reserved)
    if shape is None and get(r.props, "instanceRequirements") is not None:
        shape = requirements_shape(ctx, get(r.props, "instanceRequirements"), what, spot=spot)
    if shape is None:
        shape = Shape("aws", None, spot=spot)  # the group may name the instance type
    shape = replace(shape, reserved=shape.reserved or reserved)
    shape = efa_fabric(shape, get(r.props, "networkInterfaces"), get(r.props, "placement.groupName"))
    tags = [get(r.props, "tags")]
    specs = as_list(get(r.props, "tagSpecifications"))
    for s in specs if isinstance(specs, list) else []:
        tags.append(get(s, "tags"))
    labels = env_labels(*tags)
    vols: list[Volume] = []
    bdms = as_list(get(r.props, "blockDeviceMappings"))
    for i, b in enumerate(bdms if isinstance(bdms, list) else []):
        dev = text(get(b, "deviceName"))
        inline_volume(
            ctx,
            r.name,
            "aws",
            get(b, "ebs.iops"),
            get(b, "ebs.throughput"),
            shape,
            labels,
            f"volume {clip(dev) if isinstance(dev, str) else i} of launch template {quote(r.name)}",
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
            reservation_ref=target.refs,
            reservation_deps=target.deps,
            reservation_unknown=target.unknown,
        )
    )


def _lt_ref(spec: Any) -> tuple[str, ...]:
    out = []
    for key in ("id", "name", "launchTemplateId", "launchTemplateName"):
        v = text(get(spec, key))
        if isinstance(v, str):
            out.append(v)
    return tuple(out)


@dataclass(frozen=True)
class _Target:
    """The capacity reservations a launch template / instance / group targets."""

    refs: tuple[str, ...] = ()  # reservation IDs / ARNs and reservation group ARNs
    deps: tuple[str, ...] = ()  # URNs that property depends on (the join while IDs are unknown)
    unknown: bool = False  # a target whose ID is unknown at preview


def _reservation_target(r: RawResource, plural: bool = False) -> _Target:
    """``capacityReservationSpecification.capacityReservationTarget``: one ID or group ARN
    (launch templates, instances) or lists of them (auto scaling groups).

    https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/capacity-reservations-launch.html
    """
    spec = get(r.props, "capacityReservationSpecification")
    target = get(spec, "capacityReservationTarget")
    if spec is None or target is None:
        return _Target()
    keys = (
        ("capacityReservationIds", "capacityReservationResourceGroupArns")
        if plural
        else ("capacityReservationId", "capacityReservationResourceGroupArn")
    )
    values: list[Any] = []
    for key in keys:
        v = get(target, key)
        values += (as_list(v) if isinstance(as_list(v), list) else [UNKNOWN]) if plural else [v]
    unknown = spec is UNKNOWN or target is UNKNOWN or any(is_unknown(v) for v in values)
    refs = tuple(v for v in values if isinstance(text(v), str))
    deps = tuple(r.property_dependencies.get("capacityReservationSpecification", ()))
    return _Target(refs, deps, unknown)


def _aws_node_group(ctx: Ctx) -> None:
    r = ctx.raw
    what = f"node group {quote(r.name)}"
    cap = text(get(r.props, "capacityType"))
    spot = isinstance(cap, str) and cap.upper() == "SPOT"
    reserved = isinstance(cap, str) and cap.upper() == "CAPACITY_BLOCK"
    types = as_list(get(r.props, "instanceTypes"))
    lt = get(r.props, "launchTemplate")
    shape: Shape | None
    if types is UNKNOWN:
        shape = machine_shape(ctx, "aws", UNKNOWN, what)
    elif types:
        shapes = [s for s in (machine_shape(ctx, "aws", t, what, spot=spot, reserved=reserved) for t in types) if s]
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
    min_n = count(ctx, get(r.props, "scalingConfig.minSize"), f"{what}: scalingConfig.minSize")
    max_n = count(ctx, get(r.props, "scalingConfig.maxSize"), f"{what}: scalingConfig.maxSize")
    labels = env_labels(get(r.props, "tags"), get(r.props, "labels"))
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


def _aws_asg(ctx: Ctx) -> None:
    r = ctx.raw
    what = f"auto scaling group {quote(r.name)}"
    lt = get(r.props, "launchTemplate")
    mip = get(r.props, "mixedInstancesPolicy")
    shape = Shape("aws", None)
    if isinstance(mip, Mapping):
        lt = get(mip, "launchTemplate.launchTemplateSpecification")
        overrides = as_list(get(mip, "launchTemplate.overrides"))
        shapes = []
        for o in overrides if isinstance(overrides, list) else []:
            shapes.append(_override_shape(ctx, o, what))
        shape = worst_shape(shapes) or shape
        pct = num(get(mip, "instancesDistribution.onDemandPercentageAboveBaseCapacity"))
        if isinstance(pct, float):
            shape = replace(shape, spot=pct == 0)
    refs = _lt_ref(lt) if lt is not None else ()
    lc = text(get(r.props, "launchConfiguration"))
    if lt is None and isinstance(lc, str):
        refs = (lc,)
    placement = text(get(r.props, "placementGroup"))
    min_n = count(ctx, get(r.props, "minSize"), f"{what}: minSize")
    max_n = count(ctx, get(r.props, "maxSize"), f"{what}: maxSize")
    labels = env_labels(get(r.props, "tags"))
    deps = tuple(
        d
        for key in ("launchTemplate", "mixedInstancesPolicy", "launchConfiguration")
        for d in r.property_dependencies.get(key, ())
    )
    target = _reservation_target(r, plural=True)
    if target.refs or target.deps or target.unknown:
        shape = replace(shape, reserved=True)
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
        template_ref=refs,
        template_deps=deps,
        needs_template=lt is not None or lc is not None,
        reservation_ref=target.refs,
        reservation_deps=target.deps,
        reservation_unknown=target.unknown,
    )
    if isinstance(placement, str) and placement:
        pool = replace(pool, placement_group=placement)
    ctx.view.pools.append(pool)


def _aws_launch_configuration(ctx: Ctx) -> None:
    """A (legacy) launch configuration: the template an auto scaling group names in launchConfiguration."""
    r = ctx.raw
    spot = True if isinstance(text(get(r.props, "spotPrice")), str) else None
    shape = machine_shape(ctx, "aws", get(r.props, "instanceType"), f"launch configuration {quote(r.name)}", spot=spot)
    shape = shape or Shape("aws", None, spot=spot)
    vols: list[Volume] = []
    devices = [("root volume", get(r.props, "rootBlockDevice"))]
    ebs = as_list(get(r.props, "ebsBlockDevices"))
    devices += [(f"volume {i}", d) for i, d in enumerate(ebs if isinstance(ebs, list) else [])]
    for label, d in devices:
        inline_volume(
            ctx,
            r.name,
            "aws",
            get(d, "iops"),
            get(d, "throughput"),
            shape,
            {},
            f"{label} of launch configuration {quote(r.name)}",
            into=vols,
        )
    names = tuple(
        n for n in (text(get(r.props, "name")), text(get(r.props, "namePrefix")), r.name) if isinstance(n, str)
    )
    ctx.view.templates.append(
        Template(r.urn, r.name, r.type, "launch configuration", shape, {}, r.parent, names, tuple(vols))
    )


def _fleet_pool(
    ctx: Ctx,
    kind: str,
    target: Any,
    unit: Any,
    configs: Any,
    specs: Any,
    spot: bool,
    reserved: bool,
    labels: Mapping[str, str],
) -> None:
    """EC2 Fleet / Spot Fleet: target capacity over the smallest weight of the launch
    specifications and template overrides, each shape sized at the worst case."""
    r = ctx.raw
    what = f"{kind} {quote(r.name)}"
    shapes: list[Shape | None] = []
    weights: list[float] = []
    refs: list[str] = []
    deps: list[str] = []
    cfgs = as_list(configs)
    for cfg in cfgs if isinstance(cfgs, list) else []:
        spec = get(cfg, "launchTemplateSpecification")
        refs += _lt_ref(spec)
        overrides = as_list(get(cfg, "overrides"))
        for o in overrides if isinstance(overrides, list) else []:
            shapes.append(_override_shape(ctx, o, what, spot=spot))
            w = num(get(o, "weightedCapacity"))
            if isinstance(w, float) and w > 0:
                weights.append(w)
    items = as_list(specs)
    for item in items if isinstance(items, list) else []:
        shapes.append(machine_shape(ctx, "aws", get(item, "instanceType"), what, spot=spot))
        w = num(get(item, "weightedCapacity"))
        if isinstance(w, float) and w > 0:
            weights.append(w)
    for key in ("launchTemplateConfigs", "launchSpecifications"):
        deps += r.property_dependencies.get(key, ())
    shape = worst_shape(shapes) or Shape("aws", None)
    shape = replace(shape, spot=spot, reserved=reserved)
    total = count(ctx, target, f"{what}: target capacity")
    nodes = total
    unit_s = text(unit)
    if total is not None:
        if isinstance(unit_s, str) and unit_s in ("vcpu", "memory-mib"):
            offer = shape.offer
            per = (offer.vcpu if unit_s == "vcpu" else offer.memory_gib * 1024) if offer is not None else 0
            if per:
                nodes = nodes_for(total, per)
            else:
                ctx.note(f"{what}: target capacity is in {unit_s}; counted as that many instances (an upper bound)")
        elif weights:
            nodes = nodes_for(total, min(weights))
    if shape.machine_type is None and not refs and not deps:
        if shapes:
            return  # CPU instance types only
        ctx.note(f"{what}: no instance type or launch template found, so its accelerators are not counted")
        return
    ctx.view.pools.append(
        Pool(
            r.urn,
            r.name,
            r.type,
            kind,
            shape,
            nodes,
            nodes,
            True,
            labels,
            r.parent,
            node_word="instance",
            template_ref=tuple(refs),
            template_deps=tuple(deps),
            needs_template=bool(refs or deps),
        )
    )


def _aws_fleet(ctx: Ctx) -> None:
    p = ctx.raw.props
    tcs = get(p, "targetCapacitySpecification", {})
    default = text(get(tcs, "defaultTargetCapacityType"))
    mode = default.lower() if isinstance(default, str) else "on-demand"
    on_demand = num(get(tcs, "onDemandTargetCapacity"))
    spot = mode == "spot" and not (isinstance(on_demand, float) and on_demand > 0)
    _fleet_pool(
        ctx,
        "EC2 fleet",
        get(tcs, "totalTargetCapacity"),
        get(tcs, "targetCapacityUnitType"),
        get(p, "launchTemplateConfigs"),
        None,
        spot,
        mode == "capacity-block",
        env_labels(get(p, "tags")),
    )


def _aws_spot_fleet(ctx: Ctx) -> None:
    p = ctx.raw.props
    on_demand = num(get(p, "onDemandTargetCapacity"))
    labels = [get(p, "tags")]
    specs = as_list(get(p, "launchSpecifications"))
    labels += [get(x, "tags") for x in (specs if isinstance(specs, list) else [])]
    _fleet_pool(
        ctx,
        "spot fleet",
        get(p, "targetCapacity"),
        get(p, "targetCapacityUnitType"),
        get(p, "launchTemplateConfigs"),
        get(p, "launchSpecifications"),
        not (isinstance(on_demand, float) and on_demand > 0),
        False,
        env_labels(*labels),
    )


def _aws_capacity_reservation(ctx: Ctx) -> None:
    """A capacity reservation (``ec2.CapacityReservation``), or a purchased Capacity Block
    (``ec2.CapacityBlockReservation``, whose instance type and count are outputs: known once
    bought, so at the first preview its consumers count instead and a note says so)."""
    r = ctx.raw
    block = r.type == "aws:ec2/capacityBlockReservation:CapacityBlockReservation"
    kind = "Capacity Block" if block else "capacity reservation"
    what = f"{kind} {quote(r.name)}"
    shape = machine_shape(ctx, "aws", get(r.props, "instanceType"), what, reserved=True)
    # Consumers name it by ID (cr-...) or ARN: outputs, which the engine sends stack policies
    # once the reservation exists; before that the join is by property dependency.
    names = [text(get(r.props, "id")), text(get(r.props, "arn"))]
    capacity_pool(ctx, shape, get(r.props, "instanceCount"), what, kind, env_labels(get(r.props, "tags")), names)


def _aws_resource_group(ctx: Ctx) -> None:
    """A resource group: consumers that target its ARN use the capacity reservations in it."""
    r = ctx.raw
    names = (text(get(r.props, "arn")), text(get(r.props, "name")), r.name)
    ctx.view.groups.append(ReservationGroup(r.urn, r.name, tuple(n for n in names if isinstance(n, str))))


def _aws_resource_group_member(ctx: Ctx) -> None:
    """One resource put into a resource group (``resourcegroups.Resource``: ``groupArn``, ``resourceArn``)."""
    r = ctx.raw
    group, member = text(get(r.props, "groupArn")), text(get(r.props, "resourceArn"))
    ctx.view.members.append(
        GroupMember(
            r.urn,
            (group,) if isinstance(group, str) else (),
            tuple(r.property_dependencies.get("groupArn", ())),
            (member,) if isinstance(member, str) else (),
            tuple(r.property_dependencies.get("resourceArn", ())),
        )
    )


def _ml_type(value: Any) -> Any:
    """SageMaker's ``ml.p5.48xlarge`` -> EC2's ``p5.48xlarge`` (priced at the EC2 rate: a lower bound)."""
    t = text(value)
    return t[3:] if isinstance(t, str) and t.startswith("ml.") else t


def _aws_sagemaker_endpoint(ctx: Ctx) -> None:
    r = ctx.raw
    labels = env_labels(get(r.props, "tags"))
    variants = as_list(get(r.props, "productionVariants"))
    if variants is UNKNOWN:
        ctx.note(f"endpoint configuration {quote(r.name)}: productionVariants unknown at preview; not counted")
        return
    for i, v in enumerate(variants):
        vname = text(get(v, "variantName"))
        name = f"{r.name}/{vname if isinstance(vname, str) else i}"
        what = f"SageMaker endpoint variant {quote(name)}"
        if get(v, "instanceType") is None:
            continue  # serverless: no instances of its own
        shape = machine_shape(ctx, "aws", _ml_type(get(v, "instanceType")), what)
        if shape is None:
            continue
        initial = count(ctx, get(v, "initialInstanceCount"), f"{what}: initialInstanceCount", 1.0)
        scaling = get(v, "managedInstanceScaling")
        low = high = initial
        status = text(get(scaling, "status"))
        if isinstance(scaling, Mapping) and not (isinstance(status, str) and status.upper() == "DISABLED"):
            high = count(
                ctx, get(scaling, "maxInstanceCount"), f"{what}: managedInstanceScaling.maxInstanceCount", initial
            )
            low = count(
                ctx, get(scaling, "minInstanceCount"), f"{what}: managedInstanceScaling.minInstanceCount", initial
            )
        ctx.view.pools.append(
            Pool(
                r.urn,
                name,
                r.type,
                "SageMaker endpoint variant",
                shape,
                low,
                high,
                True,
                labels,
                r.parent,
                node_word="instance",
            )
        )


def _aws_sagemaker_notebook(ctx: Ctx) -> None:
    r = ctx.raw
    what = f"SageMaker notebook {quote(r.name)}"
    shape = machine_shape(ctx, "aws", _ml_type(get(r.props, "instanceType")), what)
    if shape is not None:
        labels = env_labels(get(r.props, "tags"))
        ctx.view.pools.append(
            Pool(
                r.urn,
                r.name,
                r.type,
                "SageMaker notebook",
                shape,
                1,
                1,
                False,
                labels,
                r.parent,
                node_word="instance",
                fabric_applies=False,
            )
        )


def _aws_sagemaker_training(ctx: Ctx) -> None:
    r = ctx.raw
    labels = env_labels(get(r.props, "tags"))
    spot = flag(get(r.props, "enableManagedSpotTraining")) is True
    rc = get(r.props, "resourceConfig", {})
    groups = as_list(get(rc, "instanceGroups"))
    parts = [(r.name, rc)] if get(rc, "instanceType") is not None else []
    for g in groups if isinstance(groups, list) else []:
        gname = text(get(g, "instanceGroupName"))
        parts.append((f"{r.name}/{gname if isinstance(gname, str) else len(parts)}", g))
    for name, part in parts:
        what = f"SageMaker training job {quote(name)}"
        shape = machine_shape(ctx, "aws", _ml_type(get(part, "instanceType")), what, spot=spot)
        if shape is None:
            continue
        n = count(ctx, get(part, "instanceCount"), f"{what}: instanceCount", 1.0)
        # SageMaker provides the cluster network (EFA on supported types) itself
        ctx.view.pools.append(
            Pool(
                r.urn,
                name,
                r.type,
                "SageMaker training job",
                shape,
                n,
                n,
                True,
                labels,
                r.parent,
                node_word="instance",
                fabric_applies=False,
            )
        )


def _aws_batch(ctx: Ctx) -> None:
    """A Batch compute environment: up to ``maxVcpus`` of the instance types (or families) it allows."""
    r = ctx.raw
    cr = get(r.props, "computeResources")
    what = f"Batch compute environment {quote(r.name)}"
    if cr is UNKNOWN:
        ctx.note(f"{what}: computeResources unknown at preview; not counted")
        return
    if not isinstance(cr, Mapping):
        return
    kind = text(get(cr, "type"))
    if isinstance(kind, str) and kind.upper().startswith("FARGATE"):
        return  # Fargate has no accelerators
    types = as_list(get(cr, "instanceTypes"))
    if types is UNKNOWN:
        ctx.note(f"{what}: computeResources.instanceTypes unknown at preview; not counted")
        return
    wanted = [t for t in types if isinstance(t, str)]

    def keep(o: Offer) -> bool:
        return any(o.machine_type == t or o.machine_type.split(".")[0] == t for t in wanted)

    offers = offers_matching("aws", keep)
    if not offers:
        odd = [t for t in wanted if looks_like_accelerator("aws", t)]
        if odd:
            odd_types = counted(len(odd), "instance type")
            ctx.note(f"{what}: {odd_types} not in the catalog ({', '.join(odd)}), so not counted")
        return
    # the offer with the most accelerators per vCPU gives the most accelerators under maxVcpus
    best = max(offers, key=lambda o: (o.accelerators_per_node / max(o.vcpu, 1), o.price.on_demand_usd or 0))
    spot = isinstance(kind, str) and kind.upper() == "SPOT"
    shape = shape_of_offers(ctx, "aws", [best], what, spot=spot)
    if shape is None:
        return
    high = count(ctx, get(cr, "maxVcpus"), f"{what}: computeResources.maxVcpus")
    low = count(ctx, get(cr, "minVcpus"), f"{what}: computeResources.minVcpus", 0.0)
    labels = env_labels(get(r.props, "tags"), get(cr, "tags"))
    ctx.view.pools.append(
        Pool(
            r.urn,
            r.name,
            r.type,
            "Batch compute environment",
            shape,
            nodes_for(low, best.vcpu) if low is not None else None,
            nodes_for(high, best.vcpu) if high is not None else None,
            True,
            labels,
            r.parent,
            node_word="instance",
            fabric_applies=False,
        )
    )


def _aws_instance(ctx: Ctx) -> None:
    r = ctx.raw
    what = f"instance {quote(r.name)}"
    market = text(get(r.props, "instanceMarketOptions.marketType"))
    spot = isinstance(market, str) and market.lower() == "spot"
    lt = get(r.props, "launchTemplate")
    itype = get(r.props, "instanceType")
    target = _reservation_target(r)
    reserved = bool(target.refs or target.deps or target.unknown)
    shape = (
        machine_shape(ctx, "aws", itype, what, spot=spot, reserved=reserved)
        if itype is not None
        else Shape("aws", None, spot=spot, reserved=reserved)
    )
    if shape is None:
        return
    nics = as_list(get(r.props, "networkInterfaces"))
    placement = get(r.props, "placementGroup")
    if shape.fabric_kind == "efa":
        # An instance's EFA interfaces are separate NetworkInterface resources attached by id
        # (or come from its launch template), so only their presence can be seen here.
        has_nics = isinstance(nics, list) and bool(nics)
        missing: list[str] = []
        if not has_nics and lt is None:
            missing.append("no EFA network interfaces")
        if not ((isinstance(placement, str) and placement) or is_unknown(placement)):
            missing.append("no cluster placement group")
        shape = replace(
            shape,
            fabric_missing=tuple(missing),
            fabric_present=("EFA network interfaces",) if has_nics else (),
        )
    labels = env_labels(get(r.props, "tags"))
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
            reservation_ref=target.refs,
            reservation_deps=target.deps,
            reservation_unknown=target.unknown,
        )
    )
    inline_volume(
        ctx,
        r.name,
        "aws",
        get(r.props, "rootBlockDevice.iops"),
        get(r.props, "rootBlockDevice.throughput"),
        shape,
        labels,
        f"root volume of instance {quote(r.name)}",
    )
    devs = as_list(get(r.props, "ebsBlockDevices"))
    for i, d in enumerate(devs if isinstance(devs, list) else []):
        inline_volume(
            ctx,
            r.name,
            "aws",
            get(d, "iops"),
            get(d, "throughput"),
            shape,
            labels,
            f"volume {i} of instance {quote(r.name)}",
        )


NORMALIZERS: Mapping[str, Callable[[Ctx], None]] = {
    "aws:eks/nodeGroup:NodeGroup": _aws_node_group,
    "aws:ec2/launchTemplate:LaunchTemplate": _aws_launch_template,
    "aws:autoscaling/group:Group": _aws_asg,
    "aws:ec2/instance:Instance": _aws_instance,
    "aws:ec2/launchConfiguration:LaunchConfiguration": _aws_launch_configuration,
    "aws:ec2/fleet:Fleet": _aws_fleet,
    "aws:ec2/spotFleetRequest:SpotFleetRequest": _aws_spot_fleet,
    "aws:ec2/capacityReservation:CapacityReservation": _aws_capacity_reservation,
    "aws:ec2/capacityBlockReservation:CapacityBlockReservation": _aws_capacity_reservation,
    "aws:resourcegroups/group:Group": _aws_resource_group,
    "aws:resourcegroups/resource:Resource": _aws_resource_group_member,
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": _aws_sagemaker_endpoint,
    "aws:sagemaker/notebookInstance:NotebookInstance": _aws_sagemaker_notebook,
    "aws:sagemaker/trainingJob:TrainingJob": _aws_sagemaker_training,
    "aws:batch/computeEnvironment:ComputeEnvironment": _aws_batch,
}
