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

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from components.policy.normalize import aws, azure, gcp, kubernetes, storage
from components.policy.normalize.aws import efa_fabric
from components.policy.normalize.common import (
    Ctx,
    disk_limits,
    looks_like_accelerator,
    policy_data,
)
from components.policy.normalize.views import (
    ENV_LABEL,
    Note,
    Pool,
    RawResource,
    Shape,
    SharedStorage,
    Template,
    View,
    Volume,
)
from components.policy.values import clip, plain, quote

__all__ = [
    "ENV_LABEL",
    "NORMALIZERS",
    "SUPPORTED_TYPES",
    "Note",
    "Pool",
    "RawResource",
    "Shape",
    "SharedStorage",
    "Template",
    "View",
    "Volume",
    "disk_limits",
    "environment_of",
    "from_captured",
    "looks_like_accelerator",
    "normalize_resource",
    "normalize_stack",
    "policy_data",
]

NORMALIZERS: Mapping[str, Callable[[Ctx], None]] = {
    **gcp.NORMALIZERS,
    **azure.NORMALIZERS,
    **aws.NORMALIZERS,
    **kubernetes.NORMALIZERS,
    **storage.NORMALIZERS,
}

SUPPORTED_TYPES: tuple[str, ...] = tuple(NORMALIZERS)


def normalize_resource(raw: RawResource) -> View:
    """The view of one resource on its own (no joins). Unsupported types give an empty view."""
    fn = NORMALIZERS.get(raw.type)
    if fn is None:
        return View()
    ctx = Ctx(replace(raw, props=plain(raw.props) or {}))
    try:
        fn(ctx)
    except Exception as err:  # a malformed resource must never crash the pack: say so instead
        ctx.note(
            f"could not read this {raw.type} ({type(err).__name__}: {clip(str(err), 200)}); it is not checked",
            "report it to ai-infra's maintainers with the resource's properties",
        )
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
        shape = efa_fabric(shape, *t.fabric_inputs)
    placement = pool.placement_group
    if placement and shape.fabric_missing:
        shape = replace(
            shape,
            fabric_missing=tuple(m for m in shape.fabric_missing if "placement group" not in m),
            fabric_present=(*shape.fabric_present, f"placement group {quote(placement)}"),
        )
    labels = {**t.labels, **pool.labels}
    pool = replace(pool, shape=shape, labels=labels, needs_template=False)
    if t.reservation_ref or t.reservation_deps or t.reservation_unknown:
        # the template's capacity reservation target (a group's own, when it has one, wins)
        if not (pool.reservation_ref or pool.reservation_deps or pool.reservation_unknown):
            pool = replace(
                pool,
                reservation_ref=t.reservation_ref,
                reservation_deps=t.reservation_deps,
                reservation_unknown=t.reservation_unknown,
            )
        pool = replace(pool, shape=replace(pool.shape, reserved=True))
    return pool


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
                    f"{t.label} ({clip(t.shape.machine_type)}) is not used by a group in this stack, so its instances "
                    "are not counted in the ceilings",
                )
            )
            view.volumes.extend(t.volumes)
    view.pools = _net_of_consumers(pools, view)
    return view


def _reservation_key(ref: str) -> str:
    """The last name in a reference: ``projects/p/reservations/r/reservationBlocks/b`` -> ``r``,
    ``.../capacityReservationGroups/g`` -> ``g``, ``arn:aws:ec2:...:capacity-reservation/cr-1`` ->
    ``cr-1``, ``arn:aws:resource-groups:...:group/g`` -> ``g``."""
    parts = ref.strip("/").split("/")
    for marker in ("reservations", "capacityReservationGroups"):
        if marker in parts and parts.index(marker) + 1 < len(parts):
            return parts[parts.index(marker) + 1].lower()
    return parts[-1].lower()


def _keys(refs: Iterable[str]) -> set[str]:
    return {_reservation_key(r) for r in refs if r}


def _reservations_of(consumer: Pool, reservations: list[Pool], view: View) -> list[Pool]:
    """The reservations of the stack a pool consumes: named by its target (ID, ARN, name) or tied
    to it by the engine's property dependencies, directly or through a reservation group."""
    keys, deps = _keys(consumer.reservation_ref), set(consumer.reservation_deps)
    if not (keys or deps):
        return []
    found = [r for r in reservations if r.urn in deps or keys & _keys(r.ref_names)]
    groups = [g for g in view.groups if g.urn in deps or keys & _keys(g.ref_names)]
    group_urns = {g.urn for g in groups}
    group_keys = keys | {k for g in groups for k in _keys(g.ref_names)}
    for m in view.members:
        if not (group_urns & set(m.group_deps) or group_keys & _keys(m.group_refs)):
            continue
        found += [
            r
            for r in reservations
            if r not in found and (r.urn in m.member_deps or _keys(m.member_refs) & _keys(r.ref_names))
        ]
    return found


def _net_of_consumers(pools: list[Pool], view: View) -> list[Pool]:
    """Reservations less what pools of the same stack consume from them, so a reservation and
    the pool that uses it count once (the larger of the two), not twice.

    A consumer names its reservation (GKE ``reservationAffinity.values``, AKS
    ``capacityReservationGroupID``, AWS ``capacityReservationTarget`` ID or resource group ARN)
    or, at preview, when a new reservation's ID is not known yet, depends on it (the engine's
    property dependencies). A target unknown at preview with no such dependency cannot be
    joined: both count, and a note says the stack may be counted twice.
    """
    reservations = [p for p in pools if p.capacity]
    if not reservations:
        return pools
    left = {id(r): (r.max_nodes or 0.0) * r.shape.per_node for r in reservations}
    used: dict[int, float] = {}
    for p in pools:
        if p.capacity or p.max_nodes is None:
            continue
        same = [r for r in _reservations_of(p, reservations, view) if r.shape.accelerator == p.shape.accelerator]
        if not same:
            others = [r for r in reservations if r.shape.accelerator == p.shape.accelerator]
            if p.reservation_unknown and others:
                view.notes.append(
                    Note(
                        p.urn,
                        p.name,
                        p.type,
                        f"{p.label}: its capacity reservation target is unknown at preview and no property "
                        f"dependency ties it to {', '.join(r.label for r in others[:3])}, so both count in the "
                        "ceilings (the stack may be counted twice); refer to the reservation's id output so "
                        "the engine records the dependency",
                    )
                )
            continue
        # spread what the pool can take over its reservations, up to what each has left
        want = p.max_nodes * p.shape.per_node
        for r in same:
            take = min(want, left[id(r)]) if r is not same[-1] else want
            used[id(r)] = used.get(id(r), 0.0) + take
            left[id(r)] = max(0.0, left[id(r)] - take)
            want -= take
            if want <= 0:
                break
    out = []
    for p in pools:
        taken = used.get(id(p))
        if taken is not None and p.max_nodes is not None and p.shape.per_node:
            rest = max(0.0, p.max_nodes - taken / p.shape.per_node)
            p = replace(p, min_nodes=min(p.min_nodes or 0.0, rest), max_nodes=rest)
        out.append(p)
    return out


def _accel_machine(pool: Pool) -> bool:
    mt = pool.shape.machine_type
    return bool(mt) and looks_like_accelerator(pool.cloud, str(mt))


def environment_of(labels: Mapping[str, str]) -> str | None:
    """The environment recorded on a resource (``aiinfra-environment`` label / tag)."""
    env = labels.get(ENV_LABEL)
    return env if isinstance(env, str) and env else None


def from_captured(resources: Iterable[Any]) -> list[RawResource]:
    """``RawResource``s from mock-engine ``CapturedResource``s (or dicts with type, name, urn, inputs).

    For the planner: ``normalize_stack(from_captured(capture.resources))`` gives the same pools
    (accelerators and USD/h at min and max scale) and storage the pack judges.
    """
    out: list[RawResource] = []
    for r in resources:
        if isinstance(r, Mapping):
            fields = (r["type"], r["name"], r.get("urn") or r["name"], r.get("inputs") or {}, r.get("parent"))
            deps = r.get("propertyDependencies") or r.get("property_dependencies") or {}
        else:
            fields = (r.type, r.name, r.urn, r.inputs, r.parent)
            deps = getattr(r, "property_dependencies", None) or {}
        out.append(RawResource(*fields, {k: tuple(v) for k, v in deps.items()}))
    return out
