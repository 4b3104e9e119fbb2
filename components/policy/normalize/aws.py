"""AWS: EKS node groups, EC2 launch templates, auto scaling groups and instances.

Property names are pulumi-aws's camelCase inputs (``eks.NodeGroupArgs``,
``ec2.LaunchTemplateArgs``, ``autoscaling.GroupArgs``, ``ec2.InstanceArgs``). A group's
instance type and EFA interfaces may live on its launch template: the stack join
(``components.policy.normalize.normalize_stack``) merges them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from components.policy.normalize.common import Ctx, count, env_labels, inline_volume, machine_shape
from components.policy.normalize.views import Pool, Shape, Template, Volume
from components.policy.values import UNKNOWN, as_list, get, is_unknown, num, text


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
        present.append(f"placement group '{placement}'")
    else:
        missing.append("no cluster placement group")
    return replace(shape, fabric_missing=tuple(missing), fabric_present=tuple(present))


def _aws_launch_template(ctx: Ctx) -> None:
    r = ctx.raw
    market = text(get(r.props, "instanceMarketOptions.marketType"))
    spot = True if (isinstance(market, str) and market.lower() == "spot") else None
    shape = machine_shape(ctx, "aws", get(r.props, "instanceType"), f"launch template '{r.name}'", spot=spot)
    if shape is None:
        shape = Shape("aws", None, spot=spot)  # the group may name the instance type
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


def _aws_node_group(ctx: Ctx) -> None:
    r = ctx.raw
    what = f"node group '{r.name}'"
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
    what = f"auto scaling group '{r.name}'"
    lt = get(r.props, "launchTemplate")
    mip = get(r.props, "mixedInstancesPolicy")
    shape = Shape("aws", None)
    if isinstance(mip, Mapping):
        lt = get(mip, "launchTemplate.launchTemplateSpecification")
        overrides = as_list(get(mip, "launchTemplate.overrides"))
        shapes = []
        for o in overrides if isinstance(overrides, list) else []:
            s = machine_shape(ctx, "aws", get(o, "instanceType"), what)
            if s is not None:
                shapes.append(s)
        if shapes:
            shape = max(shapes, key=lambda s: (s.per_node, s.on_demand_usd or 0))
        pct = num(get(mip, "instancesDistribution.onDemandPercentageAboveBaseCapacity"))
        if isinstance(pct, float):
            shape = replace(shape, spot=pct == 0)
    placement = text(get(r.props, "placementGroup"))
    min_n = count(ctx, get(r.props, "minSize"), f"{what}: minSize")
    max_n = count(ctx, get(r.props, "maxSize"), f"{what}: maxSize")
    labels = env_labels(get(r.props, "tags"))
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


def _aws_instance(ctx: Ctx) -> None:
    r = ctx.raw
    what = f"instance '{r.name}'"
    market = text(get(r.props, "instanceMarketOptions.marketType"))
    spot = isinstance(market, str) and market.lower() == "spot"
    lt = get(r.props, "launchTemplate")
    itype = get(r.props, "instanceType")
    shape = machine_shape(ctx, "aws", itype, what, spot=spot) if itype is not None else Shape("aws", None, spot=spot)
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
        f"root volume of instance '{r.name}'",
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
            f"volume {i} of instance '{r.name}'",
        )


NORMALIZERS: Mapping[str, Callable[[Ctx], None]] = {
    "aws:eks/nodeGroup:NodeGroup": _aws_node_group,
    "aws:ec2/launchTemplate:LaunchTemplate": _aws_launch_template,
    "aws:autoscaling/group:Group": _aws_asg,
    "aws:ec2/instance:Instance": _aws_instance,
}
