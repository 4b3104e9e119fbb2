"""What a price refresh looks for, and what it found: targets from the catalog, fetch results.

Every catalog offer of the cloud (and, on GCP, every TPU version) is a target in each region
asked for (``--region``, else the region its catalog price is quoted in), for on-demand and
spot; storage tiers are targets where the fetcher knows the API's storage meters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from components.catalog import Catalog
from components.catalog.model import Offer, StorageOffer, TpuVersion
from components.prices.book import STORAGE_REGIONS, storage_key
from components.prices.overlay import CAPACITIES, UNITS, MissingRow, PriceRow


@dataclass(frozen=True)
class Target:
    """One catalog item to price in one region."""

    cloud: str
    kind: str  # machine | tpu | storage
    offer: str  # machine type, TPU version, storage key
    region: str
    machine: Offer | None = None
    tpu: TpuVersion | None = None
    storage: StorageOffer | None = None

    @property
    def unit(self) -> str:
        return UNITS[self.kind]

    def capacities(self) -> tuple[str, ...]:
        return ("on-demand",) if self.kind == "storage" else CAPACITIES


@dataclass
class FetchResult:
    """Rows found, targets not found, and notes on what the fetcher did (stated in the report)."""

    rows: list[PriceRow] = field(default_factory=list)
    missing: list[MissingRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def found(self, target: Target, capacity: str) -> bool:
        return any(
            r.kind == target.kind and r.offer == target.offer and r.region == target.region and r.capacity == capacity
            for r in self.rows
        )

    def add(self, target: Target, capacity: str, usd: float, source: str, fetched_at: str, detail: str = "") -> None:
        self.rows.append(
            PriceRow(
                target.cloud,
                target.kind,
                target.offer,
                target.region,
                capacity,
                round(usd, 6),
                target.unit,
                source,
                fetched_at,
                detail,
            )
        )

    def close(self, targets: list[Target], reason: Callable[[Target, str], str] | None = None) -> None:
        """Record every target capacity without a row as missing, with ``reason(target, capacity)``."""
        for t in targets:
            for cap in t.capacities():
                if not self.found(t, cap):
                    why = reason(t, cap) if reason else f"no {cap} price in the API's answer for {t.region}"
                    self.missing.append(MissingRow(t.cloud, t.kind, t.offer, t.region, cap, why))


def build_targets(
    cat: Catalog, cloud: str, regions: list[str] | None, storage_kinds: tuple[str, ...] = ()
) -> list[Target]:
    """Targets for every offer of ``cloud`` (plus TPUs on GCP and the given storage kinds)."""
    out: list[Target] = []
    for o in cat.offers_for(cloud):
        for region in regions or [o.price.region]:
            out.append(Target(cloud, "machine", o.machine_type, region, machine=o))
    if cloud == "gcp":
        for t in cat.tpus.values():
            for region in regions or [t.price.region]:
                out.append(Target(cloud, "tpu", t.version, region, tpu=t))
    for (c, kind), store in sorted(cat.storage.items()):
        if c != cloud or kind not in storage_kinds:
            continue
        keys = [storage_key(store, tp) for tp in sorted(store.tiers)] if store.tiers else [storage_key(store, None)]
        for key in keys:
            for region in regions or [STORAGE_REGIONS[cloud]]:
                out.append(Target(cloud, "storage", key, region, storage=store))
    return out
