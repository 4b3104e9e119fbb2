"""The price book: catalog list prices, overlaid with dated prices and discounts.

Both consumers of prices ask this one module, so they can never disagree: the planner's cost
lines (``components.plan.cost``) and the policy pack's view of each pool
(``components.prices.policy.apply_prices``). Without overlays the book returns the catalog's
prices unchanged.

How a figure is chosen, for one offer, capacity and region hint:

1. an overlay row for the hint region (later overlays win over earlier ones);
2. else an overlay row for the catalog row's reference region (with no hint, also the only
   region the overlays price the offer in);
3. else the catalog's list price (in its reference region).

Then the most specific matching discount (family and accelerator over cloud-wide; rules never
stack) takes its percentage off. Every :class:`Figure` says where it came from, so the plan's
assumptions can name the snapshot and date behind each line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from components.catalog import Catalog, get_catalog
from components.catalog.model import Offer, Price, StorageOffer, TpuVersion
from components.prices.overlay import Discount, Overlay, PriceRow

CATALOG = "catalog"


def machine_family(cloud: str, machine_type: str) -> str:
    """The family a discount names: GCP series (``a3``), AWS instance family (``p5en``), Azure
    series (``NDH100v5`` for ``Standard_ND96isr_H100_v5``: series letters, then the remaining
    name parts without the vCPU count and feature letters)."""
    if cloud == "aws":
        return machine_type.split(".", 1)[0]
    if cloud == "gcp":
        return machine_type.split("-", 1)[0]
    name = machine_type.removeprefix("Standard_")
    head, _, rest = name.partition("_")
    m = re.match(r"[A-Z]+", head)
    series = m.group(0) if m else head
    return series + rest.replace("_", "")


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass(frozen=True)
class Figure:
    """One price with its provenance: which snapshot, source and date, and any discount."""

    usd: float
    list_usd: float  # before the discount
    region: str
    source: str
    as_of: str  # YYYY-MM-DD
    snapshot: str  # "catalog", or the overlay's name
    discount: Discount | None = None

    @property
    def from_overlay(self) -> bool:
        return self.snapshot != CATALOG

    def describe(self, unit: str) -> str:
        """``$55.04/node-hour from price overlay aws.json (AWS Price List ..., us-east-1, fetched 2026-12-01)``."""
        if self.from_overlay:
            where = f"from price overlay {self.snapshot} ({self.source}, {self.region}, fetched {self.as_of})"
        else:
            where = f"catalog list price ({self.region}, as of {self.as_of})"
        text = f"${self.list_usd:,.4g}/{unit} {where}"
        if self.discount is not None:
            text += f", less {self.discount.describe()} = ${self.usd:,.4g}/{unit}"
        return text


@dataclass(frozen=True)
class Quote:
    """On-demand and spot figures for one catalog item as the book prices it."""

    what: str  # p5.48xlarge, TPU v5p, Google Cloud Managed Lustre 250
    unit: str  # node-hour | chip-hour | GiB-month
    on_demand: Figure | None
    spot: Figure | None

    @property
    def on_demand_usd(self) -> float | None:
        return self.on_demand.usd if self.on_demand else None

    @property
    def spot_usd(self) -> float | None:
        return self.spot.usd if self.spot else None

    def figure(self, capacity: str) -> Figure | None:
        """The figure a capacity is priced at (spot falls back to on-demand, as the plan does)."""
        if capacity == "spot" and self.spot is not None:
            return self.spot
        return self.on_demand

    def snapshot_note(self, capacity: str) -> str | None:
        """The assumption naming the snapshot and date behind this capacity's price."""
        fig = self.figure(capacity)
        if fig is None:
            return None
        label = "spot" if capacity == "spot" and self.spot is not None else "on-demand"
        return f"{self.what}: {label} {fig.describe(self.unit)}."


@dataclass(frozen=True)
class _Item:
    """What the book prices: a catalog item, how discounts name it, its catalog provenance."""

    cloud: str
    kind: str  # machine | tpu | storage
    key: str  # machine type, TPU version, storage key
    family: str
    accelerator: str | None
    region: str  # the region the catalog price is quoted for
    source: str
    as_of: str


class PriceBook:
    """Catalog prices overlaid with dated price rows and discounts (see the module docstring)."""

    def __init__(self, catalog: Catalog | None = None, overlays: Sequence[Overlay] = ()) -> None:
        self.catalog = catalog or get_catalog()
        self.overlays = list(overlays)
        self._rows: dict[tuple[str, str, str, str, str], tuple[PriceRow, Overlay]] = {}
        self._regions: dict[tuple[str, str, str, str], list[str]] = {}
        for ov in self.overlays:
            for row in ov.prices:
                self._rows[row.key] = (row, ov)
        for cloud, kind, offer, region, capacity in self._rows:
            regions = self._regions.setdefault((cloud, kind, offer, capacity), [])
            if region not in regions:
                regions.append(region)
        self.discounts: list[Discount] = [d for ov in self.overlays for d in ov.discounts]

    @property
    def is_catalog(self) -> bool:
        """True when the book adds nothing to the catalog (no overlay rows, no discounts)."""
        return not self._rows and not self.discounts

    def describe(self) -> str:
        if not self.overlays:
            return "catalog list prices"
        return "price overlay " + ", ".join(ov.name for ov in self.overlays) + " over catalog list prices"

    # ----- lookups ---------------------------------------------------------------------
    def _row(
        self, cloud: str, kind: str, offer: str, capacity: str, hint: str | None, reference: str | None
    ) -> tuple[PriceRow, Overlay] | None:
        key = offer.lower()
        for region in (hint, reference):
            if region and (found := self._rows.get((cloud, kind, key, region, capacity))):
                return found
        regions = self._regions.get((cloud, kind, key, capacity), [])
        if hint is None and len(regions) == 1:
            return self._rows[(cloud, kind, key, regions[0], capacity)]
        return None

    def _discount(self, cloud: str, family: str, accelerator: str | None, capacity: str) -> Discount | None:
        best: Discount | None = None
        acc = self.catalog.canonical_accelerator(accelerator) if accelerator else None
        for d in self.discounts:
            if d.cloud != cloud or capacity not in d.capacities:
                continue
            if d.family is not None and _norm(d.family) != _norm(family):
                continue
            if d.accelerator is not None:
                wanted = self.catalog.canonical_accelerator(d.accelerator) or d.accelerator
                if acc is None or wanted != acc:
                    continue
            if best is None or d.specificity >= best.specificity:
                best = d
        return best

    def _figure(self, item: _Item, capacity: str, hint: str | None, catalog_usd: float | None) -> Figure | None:
        found = self._row(item.cloud, item.kind, item.key, capacity, hint, item.region)
        if found is not None:
            row, ov = found
            base = Figure(row.price_usd, row.price_usd, row.region, row.source, row.date, ov.name)
        elif catalog_usd is not None:
            base = Figure(catalog_usd, catalog_usd, item.region, item.source, item.as_of, CATALOG)
        else:
            return None
        discount = self._discount(item.cloud, item.family, item.accelerator, capacity)
        if discount is None:
            return base
        usd = base.list_usd * (1 - discount.percent / 100)
        return Figure(usd, base.list_usd, base.region, base.source, base.as_of, base.snapshot, discount)

    def _quote(self, item: _Item, what: str, unit: str, price: Price, hint: str | None) -> Quote:
        return Quote(
            what,
            unit,
            self._figure(item, "on-demand", hint, price.on_demand_usd),
            self._figure(item, "spot", hint, price.spot_usd),
        )

    def offer(self, offer: Offer, region: str | None = None) -> Quote:
        """Per node-hour prices of a machine offer for a region (None: unknown region)."""
        p = offer.price
        item = _Item(
            offer.cloud,
            "machine",
            offer.machine_type,
            machine_family(offer.cloud, offer.machine_type),
            offer.accelerator,
            p.region,
            p.source or offer.source,
            p.as_of or offer.as_of,
        )
        return self._quote(item, offer.machine_type, "node-hour", p, region)

    def tpu(self, version: TpuVersion, region: str | None = None) -> Quote:
        """Per chip-hour prices of a TPU version for a region."""
        p = version.price
        item = _Item(
            "gcp",
            "tpu",
            version.version,
            version.version,
            version.accelerator,
            p.region,
            p.source or version.source,
            p.as_of or version.as_of,
        )
        return self._quote(item, f"TPU {version.version}", "chip-hour", p, region)

    def storage(self, store: StorageOffer, throughput: int | None, region: str | None = None) -> Quote | None:
        """Per GiB-month price of a storage tier for a region, or None for an unknown tier."""
        tier = store.tier(throughput)
        if tier is None:
            return None
        key = storage_key(store, throughput)
        source = tier.price_source or store.source
        item = _Item(
            store.cloud, "storage", key, store.kind, None, STORAGE_REGIONS[store.cloud], source, tier.price_as_of
        )
        what = f"{store.service}" + (f" {key.split('/', 1)[1]} MB/s/TiB" if "/" in key else "")
        return Quote(what, "GiB-month", self._figure(item, "on-demand", region, tier.price_usd_per_gib_month), None)


def storage_key(store: StorageOffer, throughput: int | None) -> str:
    """The overlay key of a storage tier: ``lustre/250`` for tiered services, else ``nfs``/``block``."""
    if not store.tiers:
        return store.kind
    key = throughput if throughput is not None else store.default_throughput
    return f"{store.kind}/{key}"


#: The region storage list prices in storage.yaml are quoted for, per cloud.
STORAGE_REGIONS = {"gcp": "us-central1", "azure": "eastus", "aws": "us-east-1"}


def catalog_book() -> PriceBook:
    """The book with no overlays: the catalog's prices as shipped."""
    return PriceBook(get_catalog(), ())
