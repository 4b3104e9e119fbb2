"""Shared storage for a sized workload: the cheapest file system that holds the data and
checkpoints and delivers the throughput, within what the guardrail pack accepts.

Throughput demand is the larger of (a) what the workload itself reads or writes (data
loading; a checkpoint within its write window; inference weights loaded by every replica)
and (b) the floor of the ``shared-storage-bottleneck`` policy (its ``minRatio`` x the read
MB/s per accelerator of the class, the pack's own storage model). The option chosen should
also stay within ``shared-storage-overprovisioned`` (``maxRatio`` x that read rate); when no
option can, the smallest is chosen and the candidate says which policy it would break.

Options per cloud: the Lustre service's throughput tiers (capacity x MB/s per TiB, sizes from
the catalog), and on GCP Filestore zonal (the ``nfs`` kind; its per-TiB read rate from the
policy data the pack uses). Each is priced per GiB-month by the price book the plan uses
(``components.prices.book``: the catalog, or an overlay and discounts), for the cluster's region.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.catalog import get_catalog
from components.catalog.model import StorageOffer, StorageTier
from components.plan.cost import HOURS_PER_MONTH
from components.policy.normalize.common import policy_data
from components.policy.settings import Settings, settings_for
from components.prices.book import Figure, PriceBook, catalog_book
from components.sizing.tpu import policy_config_for


@dataclass(frozen=True)
class StorageOption:
    """One way to provision shared storage on a cloud."""

    cloud: str
    kind: str  # lustre | nfs (the fleet spec's storage kind)
    service: str
    mbps_per_tib: float
    tier_key: int | None  # throughputMBpsPerTiB for the spec (Lustre); None for nfs
    tier: StorageTier
    offer: StorageOffer


@dataclass(frozen=True)
class StoragePlan:
    """The shared storage a candidate needs and the option that provides it."""

    capacity_gib: float  # data + checkpoints (or weights) the workload keeps
    read_mbps: float
    write_mbps: float
    policy_floor_mbps: float
    policy_ceiling_mbps: float
    required_mbps: float
    option: StorageOption | None
    provisioned_gib: int
    provisioned_mbps: float
    hourly_usd: float
    note: str | None  # a policy it would break, or why there is no option
    price: Figure | None = None  # what priced the GiB-month (snapshot, region, discount)

    def to_json(self) -> dict[str, object]:
        return {
            "capacityGiB": round(self.capacity_gib, 1),
            "readMBps": round(self.read_mbps, 1),
            "checkpointWriteMBps": round(self.write_mbps, 1),
            "policyFloorMBps": round(self.policy_floor_mbps, 1),
            "requiredMBps": round(self.required_mbps, 1),
            "kind": self.option.kind if self.option else None,
            "service": self.option.service if self.option else None,
            "throughputMBpsPerTiB": self.option.tier_key if self.option else None,
            "provisionedGiB": self.provisioned_gib,
            "provisionedMBps": round(self.provisioned_mbps, 1),
            "hourlyUsd": round(self.hourly_usd, 4),
            "note": self.note,
        }


def options(cloud: str) -> list[StorageOption]:
    """The shared file systems sizing can choose from on ``cloud``."""
    cat = get_catalog()
    out: list[StorageOption] = []
    lustre = cat.storage_offer(cloud, "lustre")
    if lustre is not None:
        for key, tier in sorted(lustre.tiers.items()):
            out.append(StorageOption(cloud, "lustre", lustre.service, float(key), key, tier, lustre))
    nfs = cat.storage_offer(cloud, "nfs")
    if cloud == "gcp" and nfs is not None and nfs.base is not None:
        # ai-infra creates Filestore ZONAL when the cluster has a zone (the emitted spec does)
        bands = policy_data()["fileThroughput"]["filestore"]["ZONAL"]
        per_tib = float(bands[0]["perTiB"])
        out.append(StorageOption(cloud, "nfs", nfs.service, per_tib, None, nfs.base, nfs))
    return out


def policy_bounds(
    accel_class: str, accelerators: int, policy_config: Mapping[str, Any] | None = None
) -> tuple[float, float]:
    """(floor, ceiling) MB/s the storage policies accept for these accelerators, at the pack's
    thresholds (``policy_config``, as ``--policy-config``, overrides the defaults)."""
    low = settings_for("shared-storage-bottleneck", policy_config_for(policy_config, "shared-storage-bottleneck"))
    high = settings_for(
        "shared-storage-overprovisioned", policy_config_for(policy_config, "shared-storage-overprovisioned")
    )
    floor = float(low.raw("minRatio")) * _rate(low, accel_class) * accelerators
    ceiling = float(high.raw("maxRatio")) * _rate(high, accel_class) * accelerators
    return floor, ceiling


def _rate(s: Settings, accel_class: str) -> float:
    """Read MB/s per accelerator of a class, as the storage rules take it (a class the config
    leaves out keeps the default)."""
    rates = s.raw("mbpsPerAccelerator") or {}
    defaults = (s.spec.properties.get("mbpsPerAccelerator") or {}).get("default", {})
    return float(rates.get(accel_class, defaults.get(accel_class, 0)))


def price_per_gib_month(option: StorageOption, book: PriceBook, region: str | None) -> tuple[float, Figure | None]:
    """USD per GiB-month of ``option`` in ``region`` as the book prices it (the catalog's without one)."""
    quote = book.storage(option.offer, option.tier_key, region)
    fig = quote.on_demand if quote else None
    return (fig.usd if fig else option.tier.price_usd_per_gib_month), fig


def _fit(option: StorageOption, capacity_gib: float, mbps: float) -> int | None:
    """The smallest valid capacity that holds ``capacity_gib`` and delivers ``mbps``."""
    need = max(capacity_gib, math.ceil(mbps / option.mbps_per_tib * 1024.0), 1.0)
    size = option.tier.nearest_valid(math.ceil(need))
    if size < need:
        return None
    return size


def plan_storage(
    cloud: str,
    *,
    capacity_gib: float,
    read_mbps: float,
    write_mbps: float,
    accel_class: str,
    accelerators: int,
    book: PriceBook | None = None,
    region: str | None = None,
    policy_config: Mapping[str, Any] | None = None,
) -> StoragePlan:
    """Choose the cheapest option meeting the need, preferring ones within the policies; priced
    by ``book`` (default: the catalog) for the cluster's ``region``."""
    book = book or catalog_book()
    floor, ceiling = policy_bounds(accel_class, accelerators, policy_config)
    required = max(read_mbps, write_mbps, floor)
    best: tuple[bool, float, StorageOption, int, Figure | None] | None = None
    for opt in options(cloud):
        size = _fit(opt, capacity_gib, required)
        if size is None:
            continue
        mbps = size / 1024.0 * opt.mbps_per_tib
        per_gib, fig = price_per_gib_month(opt, book, region)
        hourly = size * per_gib / HOURS_PER_MONTH
        over = mbps > ceiling
        if best is None or (over, hourly) < (best[0], best[1]):
            best = (over, hourly, opt, size, fig)
    if best is None:
        return StoragePlan(
            capacity_gib,
            read_mbps,
            write_mbps,
            floor,
            ceiling,
            required,
            None,
            0,
            0.0,
            0.0,
            f"no shared file system on {cloud} delivers {required:,.0f} MB/s for {capacity_gib:,.0f} GiB",
        )
    over, hourly, opt, size, fig = best
    mbps = size / 1024.0 * opt.mbps_per_tib
    note = None
    if over:
        note = (
            f"the smallest option delivers {mbps:,.0f} MB/s, above the {ceiling:,.0f} MB/s "
            "shared-storage-overprovisioned accepts for these accelerators"
        )
    return StoragePlan(
        capacity_gib, read_mbps, write_mbps, floor, ceiling, required, opt, size, mbps, hourly, note, fig
    )
