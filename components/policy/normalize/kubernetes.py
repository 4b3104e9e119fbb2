"""Kubernetes custom resources that create accelerator machines: the Karpenter ``NodePool``.

A NodePool (``kubernetes:karpenter.sh/v1:NodePool``, a ``CustomResource`` in any Pulumi program)
launches whatever instance types its ``spec.template.spec.requirements`` allow, up to its
``spec.limits``. It becomes a pool of the worst-case catalog offer the requirements allow (most
accelerators per node), with a maximum from the limits: accelerators (``nvidia.com/gpu``), CPU
or memory, whichever allows the fewest nodes. Requirement keys and accelerator resources are
data (``components/policy/data/policy.yaml`` ``karpenter``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from components.catalog.model import Offer
from components.policy.normalize.common import (
    Ctx,
    accelerators_named,
    count,
    env_labels,
    looks_like_accelerator,
    nodes_for,
    offers_matching,
    policy_data,
    shape_of_offers,
)
from components.policy.normalize.views import Pool
from components.policy.values import UNKNOWN, as_list, get, num, quote, text

_QUANTITY = re.compile(r"^\s*([0-9.]+)\s*([a-zA-Z]*)\s*$")
_SUFFIX = {
    "": 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
}


def quantity(value: Any) -> Any:
    """A Kubernetes quantity (``1000``, ``500m``, ``4Ti``) as a number; UNKNOWN; None if unreadable."""
    if value is UNKNOWN:
        return UNKNOWN
    n = num(value)
    if isinstance(n, float):
        return n
    if isinstance(value, str):
        m = _QUANTITY.match(value)
        if m and m.group(2) in _SUFFIX:
            try:
                return float(m.group(1)) * _SUFFIX[m.group(2)]
            except ValueError:
                return None
    return None


_ROLES = ("instanceType", "family", "category", "acceleratorName", "acceleratorCount", "cpu", "capacityType")


def _keys(role: str) -> tuple[str, ...]:
    return tuple(policy_data()["karpenter"][role])


def _family(cloud: str, o: Offer) -> str:
    if cloud == "aws":
        return o.machine_type.split(".")[0].lower()
    m = re.match(r"^(?:standard_)?([a-z]+)", o.machine_type.lower())
    return m.group(1) if m else ""


def _attribute(cloud: str, role: str, o: Offer) -> Any:
    if role == "instanceType":
        return o.machine_type.lower()
    if role == "family":
        return _family(cloud, o)
    if role == "category":
        m = re.match(r"^([a-z]+)", o.machine_type.lower())
        return m.group(1) if m else ""
    if role == "acceleratorCount":
        return float(o.accelerators_per_node)
    if role == "cpu":
        return float(o.vcpu)
    return None


def _matches(cloud: str, role: str, op: str, values: list[str], o: Offer) -> bool:
    """Whether offer ``o`` satisfies one requirement (Karpenter's operators)."""
    if role == "acceleratorName":
        named = {a for v in values for a in accelerators_named(v)}
        has = o.accelerator in named
        return {"In": has, "NotIn": not has, "Exists": True, "DoesNotExist": False}.get(op, True)
    attr = _attribute(cloud, role, o)
    if attr is None:
        return True
    if op in ("Exists",):
        return True
    if op == "DoesNotExist":
        return role not in ("acceleratorCount",)
    if op in ("Gt", "Lt"):
        bound = num(values[0]) if values else None
        if not isinstance(bound, float) or not isinstance(attr, float):
            return True
        return attr > bound if op == "Gt" else attr < bound
    if isinstance(attr, float):
        wanted = {num(v) for v in values}
    elif role == "family" and cloud == "azure":
        # sku-family N matches every N-series size (NC, ND, NV)
        hit = any(attr.startswith(v.lower()) for v in values)
        return hit if op == "In" else not hit if op == "NotIn" else True
    else:
        wanted = {v.lower() for v in values}
    hit = attr in wanted
    return hit if op == "In" else not hit if op == "NotIn" else True


def _asks_for_accelerators(cloud: str, reqs: list[tuple[str, str, list[str]]], limits: Mapping[str, Any]) -> bool:
    if any(k in limits for k in _keys("acceleratorResources")):
        return True
    for role, op, values in reqs:
        if role == "acceleratorName" and op in ("In", "Exists"):
            return True
        if role == "acceleratorCount" and (op == "Gt" or (op == "In" and any((num(v) or 0) > 0 for v in values))):
            return True
        if role in ("instanceType", "family", "category") and op == "In":
            if any(looks_like_accelerator(cloud, v) for v in values):
                return True
            if (
                role == "category"
                and cloud == "aws"
                and any(v.lower() in ("p", "g", "trn", "inf", "dl") for v in values)
            ):
                return True
    return False


def _cloud(spec: Mapping[str, Any], reqs: list[tuple[str, str, list[str]]]) -> str:
    groups: Mapping[str, str] = policy_data()["karpenter"]["nodeClassGroups"]
    group = text(get(spec, "template.spec.nodeClassRef.group"))
    if isinstance(group, str) and group in groups:
        return groups[group]
    raw = get(spec, "template.spec.requirements")
    keys = [str(get(r, "key")) for r in (raw if isinstance(raw, list) else [])]
    if any(k.startswith("karpenter.azure.com/") for k in keys):
        return "azure"
    for _role, _op, values in reqs:
        if any(v.lower().startswith("standard_") for v in values):
            return "azure"
    return "aws"


def _karpenter_node_pool(ctx: Ctx) -> None:
    r = ctx.raw
    what = f"Karpenter NodePool {quote(r.name)}"
    spec = get(r.props, "spec", {})
    if spec is UNKNOWN:
        ctx.note(f"{what}: spec unknown at preview; not checked")
        return
    raw_reqs = as_list(get(spec, "template.spec.requirements"))
    if raw_reqs is UNKNOWN:
        ctx.note(f"{what}: spec.template.spec.requirements unknown at preview, so its accelerators are not counted")
        return
    table = policy_data()["karpenter"]
    roles = {key: role for role in _ROLES for key in table[role]}
    reqs: list[tuple[str, str, list[str]]] = []
    for item in raw_reqs:
        key, op, values = text(get(item, "key")), text(get(item, "operator")), as_list(get(item, "values"))
        if not isinstance(key, str) or not isinstance(op, str):
            continue
        if values is UNKNOWN:
            ctx.note(f"{what}: the values of requirement {quote(key)} are unknown at preview; it is not applied")
            continue
        reqs.append((roles.get(key, key), op, [str(v) for v in values if isinstance(v, str | int | float)]))
    limits = get(spec, "limits", {})
    limits = limits if isinstance(limits, Mapping) else {}
    cloud = _cloud(spec, reqs)
    if not _asks_for_accelerators(cloud, reqs, limits):
        return
    capacity = [v.lower() for role, op, vals in reqs if role == "capacityType" and op == "In" for v in vals]
    spot = bool(capacity) and set(capacity) <= {"spot"}
    offers = offers_matching(cloud, lambda o: all(_matches(cloud, role, op, vals, o) for role, op, vals in reqs))
    shape = shape_of_offers(ctx, cloud, offers, what, spot=spot)
    if shape is None:
        ctx.note(
            f"{what}: its requirements allow accelerator instances but none in the catalog, so its accelerators "
            "and cost are not counted; add the instance types to components/catalog/data"
        )
        return
    offer = shape.offer
    bounds: list[float] = []
    unknown: list[str] = []
    for key, value in limits.items():
        q = quantity(value)
        if q is UNKNOWN:
            unknown.append(f"spec.limits.{key}")
            continue
        if not isinstance(q, float):
            continue
        if key in _keys("acceleratorResources"):
            bounds.append(nodes_for(q, shape.per_node))
        elif key == "cpu" and offer is not None:
            bounds.append(nodes_for(q, offer.vcpu))
        elif key == "memory" and offer is not None:
            bounds.append(nodes_for(q, offer.memory_gib * 2.0**30))
    for u in unknown:
        count(ctx, UNKNOWN, f"{what}: {u}")
    high: float | None = min(bounds) if bounds else None
    if high is None and not unknown:
        ctx.note(
            f"{what} has no spec.limits on accelerators, cpu or memory, so it can scale without bound and its "
            f"accelerators and cost at max scale are not counted; set spec.limits (e.g. nvidia.com/gpu)"
        )
    labels = env_labels(get(spec, "template.metadata.labels"), get(r.props, "metadata.labels"))
    ctx.view.pools.append(
        Pool(
            r.urn,
            r.name,
            r.type,
            "Karpenter NodePool",
            shape,
            0.0,
            high,
            True,
            labels,
            r.parent,
            # the fabric (EFA interfaces, placement) lives on the EC2NodeClass / AKSNodeClass
            fabric_applies=False,
        )
    )


NORMALIZERS: Mapping[str, Callable[[Ctx], None]] = {
    "kubernetes:karpenter.sh/v1:NodePool": _karpenter_node_pool,
    "kubernetes:karpenter.sh/v1beta1:NodePool": _karpenter_node_pool,
}
