"""Shared reading helpers: catalog lookups, counts, labels, inline volumes, the policy data file."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from importlib import resources
from typing import Any

import yaml

from components.catalog import get_catalog
from components.catalog.model import Offer
from components.policy.normalize.views import Note, Pool, RawResource, Shape, View, Volume
from components.policy.values import UNKNOWN, as_list, get, num, quote, tag_map, text


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
def basename(value: str) -> str:
    """``zones/us-central1-a/machineTypes/a3-highgpu-8g`` -> ``a3-highgpu-8g``."""
    return value.rstrip("/").rsplit("/", 1)[-1]


#: The fix of a note about a value unknown at preview: the engine runs the pack again during
#: ``pulumi up``, when the value is known.
UNKNOWN_FIX = "nothing to change now: the pack checks it again during `pulumi up`, once the value is known"
CATALOG_FIX = "add the machine or accelerator to components/catalog/data (with its source and date)"


class Ctx:
    """Per-resource collector of notes."""

    def __init__(self, raw: RawResource) -> None:
        self.raw = raw
        self.view = View()

    def note(self, message: str, fix: str = "") -> None:
        """Record what could not be read; the fix defaults to "checked again at update" for unknowns."""
        if not fix and "unknown at preview" in message:
            fix = UNKNOWN_FIX
        self.view.notes.append(Note(self.raw.urn, self.raw.name, self.raw.type, message, fix))


def machine_shape(
    ctx: Ctx,
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
    mt = basename(machine_s) if isinstance(machine_s, str) else None

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
        gtype = basename(gtype)
        found = cat.offer_by_accelerator_type(gtype)
        if found is None:
            ctx.note(
                f"{what}: guest accelerator type {quote(gtype)} is not in the catalog; it is not counted", CATALOG_FIX
            )
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
            f"{what}: machine type {quote(mt)} looks like an accelerator machine but is not in the catalog, "
            "so its accelerators and cost are not counted",
            CATALOG_FIX,
        )
        return Shape(cloud, mt, spot=spot, reserved=reserved)
    return None


def count(ctx: Ctx, value: Any, what: str, default: float | None = None) -> float | None:
    n = num(value)
    if n is UNKNOWN:
        ctx.note(f"{what} is unknown at preview; figures that depend on it are not checked")
        return None
    if n is None:
        return default
    assert isinstance(n, float)
    return n


def env_labels(*maps: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in maps:
        for k, v in tag_map(m).items():
            out.setdefault(k, v)
    return out


def inline_volume(
    ctx: Ctx,
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


# ----- groups that may launch several machine types ----------------------------------------------
def worst_shape(shapes: Iterable[Shape | None]) -> Shape | None:
    """The shape with the most accelerators per node (then the dearest): a group that may launch
    any of several machine types is sized at the worst case, as the ceilings must hold for it."""
    known = [s for s in shapes if s is not None]
    return max(known, key=lambda s: (s.per_node, s.on_demand_usd or 0), default=None)


def accelerators_named(name: str) -> tuple[str, ...]:
    """Catalog accelerators for an EC2 AcceleratorName / Karpenter GPU name (policy.yaml acceleratorNames)."""
    table: Mapping[str, Any] = policy_data()["acceleratorNames"]
    found = table.get(name.strip().lower())
    if isinstance(found, list):
        return tuple(found)
    canonical = get_catalog().canonical_accelerator(name.strip())
    return (canonical,) if canonical else ()


def offers_matching(cloud: str, keep: Callable[[Offer], bool]) -> list[Offer]:
    """The catalog's offers on ``cloud`` that ``keep`` accepts."""
    return [o for o in get_catalog().offers_for(cloud) if keep(o)]


def shape_of_offers(
    ctx: Ctx, cloud: str, offers: Iterable[Offer], what: str, *, spot: bool | None = None, reserved: bool = False
) -> Shape | None:
    """The worst-case shape among catalog offers (see ``worst_shape``)."""
    return worst_shape(machine_shape(ctx, cloud, o.machine_type, what, spot=spot, reserved=reserved) for o in offers)


def nodes_for(total: float, per_node: float) -> float:
    """Whole nodes a limit of ``total`` units allows, ``per_node`` units each (rounded up: an
    autoscaler launches a node while the limit is not yet reached)."""
    return float(math.ceil(total / per_node)) if per_node > 0 else 0.0


def capacity_pool(
    ctx: Ctx,
    shape: Shape | None,
    nodes: Any,
    what: str,
    kind: str,
    labels: Mapping[str, str],
    ref_names: Iterable[Any] = (),
    node_word: str = "instance",
) -> None:
    """A capacity reservation of ``nodes`` machines of ``shape``: paid for whether used or not,
    so it counts in the ceilings (fabric is not judged: a reservation has no network of its own)."""
    if shape is None:
        return
    n = count(ctx, nodes, f"{what}: its instance count")
    names = tuple(basename(x) for x in ref_names if isinstance(x, str) and x)
    r = ctx.raw
    ctx.view.pools.append(
        Pool(
            r.urn,
            r.name,
            r.type,
            kind,
            replace(shape, reserved=True),
            n,
            n,
            False,
            dict(labels),
            r.parent,
            node_word=node_word,
            fabric_applies=False,
            capacity=True,
            ref_names=(*names, r.name),
        )
    )
