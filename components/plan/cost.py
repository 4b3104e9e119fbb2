"""Cost and accelerator roll-up of a resolved fleet, priced from the catalog.

One line per GPU pool, TPU slice and storage item, each with the hourly cost at min and at
max scale and the monthly cost at max scale (730 hours), priced by the capacity the spec
asks for. Every approximation is stated on its line (``assumptions``) and gathered for the
report, so a reviewer sees what the figure does and does not include:

- GPU pools: node-hour price of the offer x nodes. Spot uses the catalog's spot price; when
  the catalog has none, the on-demand price (an upper bound). Reserved capacity is priced
  at on-demand list: the real price is your commitment's, and a reservation is usually
  billed whether or not nodes run.
- TPU slices: chip-hour price x chips per slice x slices. Slices are fixed size, so min = max.
- Storage: GiB-month price of the tier x capacity; hourly = monthly / 730.
- Prices are the catalog region's list prices (other regions differ), unless a price
  overlay (``plan --prices``, the stack setting ``aiinfra:prices``) prices the line: every
  line names the snapshot, source and date its price came from (``components.prices``).
- Not priced: control planes, system (CPU) pools, networking, egress, support plans.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from components.catalog import get_catalog
from components.plan.equivalents import Equivalent, pool_equivalents
from components.prices.book import PriceBook, Quote, catalog_book
from components.spec.resolved import ResolvedCluster, ResolvedFleet, ResolvedPool, ResolvedSlice, ResolvedStorage

HOURS_PER_MONTH = 730

#: Stated once for every plan: what the totals never include.
NOT_PRICED = (
    "Not priced: Kubernetes control planes, system (CPU) node pools, networking, egress, "
    "load balancers, support plans and taxes."
)


def _r(value: float, digits: int = 4) -> float:
    return round(value + 0.0, digits)


@dataclass(frozen=True)
class CostLine:
    """The cost of one pool, slice or storage item."""

    stack: str
    cluster: str
    cloud: str
    region: str
    kind: str  # gpu-pool | tpu-slice | storage
    name: str
    path: str  # spec path of the item (clusters[0].gpuPools[1])
    sku: str  # machine type, TPU machine type x nodes, storage service and tier
    capacity: str  # on-demand | spot | reserved | storage
    unit: str  # node-hour | chip-hour | GiB-month
    unit_price_usd: float | None
    on_demand_unit_price_usd: float | None
    units_at_min: float
    units_at_max: float
    hourly_usd_at_min: float
    hourly_usd_at_max: float
    on_demand_hourly_usd_at_max: float
    price_region: str | None
    source: str
    as_of: str
    priced: bool = True
    assumptions: tuple[str, ...] = ()
    # GPU pools: the same accelerators at max scale on the other two clouds.
    equivalents: tuple[Equivalent, ...] = ()
    # the price actually applied, when it is not what ``capacity`` says (a spot pool with no spot
    # price in the catalog is priced on-demand): "spot", "on-demand", "on-demand (no spot price)"
    priced_as: str = ""

    @property
    def capacity_text(self) -> str:
        """``spot`` or ``spot, priced on-demand (no spot price)``: the row says what it costs as."""
        if not self.priced_as or self.priced_as == self.capacity:
            return self.capacity
        return f"{self.capacity}, priced {self.priced_as}"

    @property
    def scaled_sku(self) -> str:
        """``a3-highgpu-8g × 0-4 nodes`` for a GPU pool (its scale is what changes most), else the
        SKU, which for TPU slices already says their chips."""
        if self.kind == "gpu-pool":
            return f"{self.sku} × {self.units_at_min:g}-{self.units_at_max:g} nodes"
        return self.sku

    @property
    def monthly_usd_at_max(self) -> float:
        return self.hourly_usd_at_max * HOURS_PER_MONTH

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.stack, self.cluster, self.kind, self.name)

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "cluster": self.cluster,
            "cloud": self.cloud,
            "region": self.region,
            "kind": self.kind,
            "name": self.name,
            "path": self.path,
            "sku": self.sku,
            "capacity": self.capacity,
            "unit": self.unit,
            "unitPriceUsd": self.unit_price_usd,
            "onDemandUnitPriceUsd": self.on_demand_unit_price_usd,
            "unitsAtMin": self.units_at_min,
            "unitsAtMax": self.units_at_max,
            "hourlyUsdAtMin": _r(self.hourly_usd_at_min),
            "hourlyUsdAtMax": _r(self.hourly_usd_at_max),
            "monthlyUsdAtMax": _r(self.monthly_usd_at_max, 2),
            "onDemandHourlyUsdAtMax": _r(self.on_demand_hourly_usd_at_max),
            "priced": self.priced,
            "pricedAs": self.priced_as or self.capacity,
            "priceRegion": self.price_region,
            "source": self.source,
            "asOf": self.as_of,
            "assumptions": list(self.assumptions),
            **({"equivalents": [e.to_json() for e in self.equivalents]} if self.kind == "gpu-pool" else {}),
        }


@dataclass
class CostReport:
    """Every cost line and the totals over them."""

    lines: list[CostLine] = field(default_factory=list)

    @property
    def hourly_usd(self) -> float:
        """At max scale."""
        return sum(line.hourly_usd_at_max for line in self.lines)

    @property
    def hourly_usd_at_min(self) -> float:
        return sum(line.hourly_usd_at_min for line in self.lines)

    @property
    def monthly_usd(self) -> float:
        """At max scale, 730 hours."""
        return self.hourly_usd * HOURS_PER_MONTH

    @property
    def on_demand_hourly_usd(self) -> float:
        """At max scale, everything at on-demand prices (what budgets are checked against)."""
        return sum(line.on_demand_hourly_usd_at_max for line in self.lines)

    @property
    def complete(self) -> bool:
        return all(line.priced for line in self.lines)

    def assumptions(self) -> list[str]:
        """Every distinct assumption, in line order, then what is never priced."""
        seen: dict[str, None] = {}
        for line in self.lines:
            for a in line.assumptions:
                seen.setdefault(a, None)
        seen.setdefault(NOT_PRICED, None)
        return list(seen)

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": "USD",
            "hoursPerMonth": HOURS_PER_MONTH,
            "hourlyUsd": _r(self.hourly_usd),
            "hourlyUsdAtMin": _r(self.hourly_usd_at_min),
            "monthlyUsd": _r(self.monthly_usd, 2),
            "monthlyUsdAtMin": _r(self.hourly_usd_at_min * HOURS_PER_MONTH, 2),
            "onDemandHourlyUsd": _r(self.on_demand_hourly_usd),
            "complete": self.complete,
            "lines": [line.to_json() for line in self.lines],
            "assumptions": self.assumptions(),
        }

    @classmethod
    def merge(cls, reports: Iterable[CostReport]) -> CostReport:
        out = cls()
        for r in reports:
            out.lines.extend(r.lines)
        return out


@dataclass(frozen=True)
class AcceleratorCount:
    """Accelerators of one name (GPU model, TPU version, Neuron chip) at min and max scale."""

    name: str
    kind: str  # gpu | tpu | neuron
    at_min: int
    at_max: int


@dataclass
class AcceleratorReport:
    """Accelerators by canonical name."""

    counts: dict[str, AcceleratorCount] = field(default_factory=dict)

    def add(self, name: str, kind: str, at_min: int, at_max: int) -> None:
        old = self.counts.get(name)
        if old is not None:
            at_min, at_max = old.at_min + at_min, old.at_max + at_max
        self.counts[name] = AcceleratorCount(name, kind, at_min, at_max)

    @property
    def total(self) -> int:
        return sum(c.at_max for c in self.counts.values())

    @property
    def total_at_min(self) -> int:
        return sum(c.at_min for c in self.counts.values())

    def to_json(self) -> dict[str, Any]:
        names = sorted(self.counts)
        return {
            "total": self.total,
            "totalAtMin": self.total_at_min,
            "byName": {n: self.counts[n].at_max for n in names},
            "byNameAtMin": {n: self.counts[n].at_min for n in names},
            "kinds": {n: self.counts[n].kind for n in names},
        }

    @classmethod
    def merge(cls, reports: Iterable[AcceleratorReport]) -> AcceleratorReport:
        out = cls()
        for r in reports:
            for c in r.counts.values():
                out.add(c.name, c.kind, c.at_min, c.at_max)
        return out


def _region_note(what: str, price_region: str | None, cluster: ResolvedCluster) -> list[str]:
    if price_region and price_region != cluster.spec.region:
        return [f"{what}: priced at the {price_region} list price; {cluster.spec.region} may differ."]
    return []


def _capacity_price(
    what: str, capacity: str, on_demand: float | None, spot: float | None
) -> tuple[float | None, list[str], str]:
    """The unit price for a capacity type, the assumption it rests on, and what it is priced as."""
    if capacity == "spot":
        if spot is not None:
            return spot, [f"{what}: spot price; spot capacity can be reclaimed at any time."], "spot"
        note = f"{what}: no spot price in the catalog; priced at on-demand (an upper bound)."
        return on_demand, [note], "on-demand (no spot price)"
    if capacity == "reserved":
        note = (
            f"{what}: reserved capacity priced at on-demand list; your commitment price applies, "
            "and a reservation is billed whether or not nodes run."
        )
        return on_demand, [note], "on-demand list"
    return on_demand, [], "on-demand"


def _provenance(quote: Quote, capacity: str, fallback_source: str, fallback_as_of: str) -> tuple[str, str, list[str]]:
    """(source, as-of date, the snapshot assumption) of the figure that priced a line."""
    fig = quote.figure(capacity)
    note = quote.snapshot_note(capacity)
    if fig is None:
        return fallback_source, fallback_as_of, []
    return fig.source, fig.as_of, [note] if note else []


def pool_line(stack: str, cluster: ResolvedCluster, pool: ResolvedPool, book: PriceBook | None = None) -> CostLine:
    offer = pool.offer
    book = book or catalog_book()
    quote = book.offer(offer, cluster.spec.region)
    price, notes, priced_as = _capacity_price(
        offer.machine_type, pool.spec.capacity, quote.on_demand_usd, quote.spot_usd
    )
    fig = quote.figure(pool.spec.capacity)
    price_region = fig.region if fig else offer.price.region
    notes += _region_note(offer.machine_type, price_region, cluster)
    source, as_of, snapshot = _provenance(quote, pool.spec.capacity, offer.source, offer.as_of)
    notes += snapshot
    priced = price is not None
    if not priced:
        notes.append(f"{offer.machine_type}: no price in the catalog; counted as 0.")
    unit = price or 0.0
    od = quote.on_demand_usd or unit
    return CostLine(
        stack=stack,
        cluster=cluster.name,
        cloud=cluster.cloud,
        region=cluster.spec.region,
        kind="gpu-pool",
        name=pool.name,
        path=pool.spec.path,
        sku=offer.machine_type,
        capacity=pool.spec.capacity,
        unit="node-hour",
        unit_price_usd=price,
        on_demand_unit_price_usd=quote.on_demand_usd,
        units_at_min=pool.spec.min_nodes,
        units_at_max=pool.spec.max_nodes,
        hourly_usd_at_min=unit * pool.spec.min_nodes,
        hourly_usd_at_max=unit * pool.spec.max_nodes,
        on_demand_hourly_usd_at_max=od * pool.spec.max_nodes,
        price_region=price_region,
        source=source,
        as_of=as_of,
        priced=priced,
        assumptions=tuple(notes),
        equivalents=pool_equivalents(cluster, pool, book),
        priced_as=priced_as,
    )


def slice_line(stack: str, cluster: ResolvedCluster, tpu: ResolvedSlice, book: PriceBook | None = None) -> CostLine:
    v = tpu.version
    what = f"TPU {v.version}"
    quote = (book or catalog_book()).tpu(v, cluster.spec.region)
    price, notes, priced_as = _capacity_price(what, tpu.spec.capacity, quote.on_demand_usd, quote.spot_usd)
    fig = quote.figure(tpu.spec.capacity)
    price_region = fig.region if fig else v.price.region
    notes += _region_note(what, price_region, cluster)
    source, as_of, snapshot = _provenance(quote, tpu.spec.capacity, v.source, v.as_of)
    notes += snapshot
    notes.append("TPU slices are fixed size: cost at min scale equals cost at max scale.")
    priced = price is not None
    if not priced:
        notes.append(f"{what}: no price in the catalog; counted as 0.")
    unit = price or 0.0
    chips = tpu.chips_total
    od = quote.on_demand_usd or unit
    count = f" x {tpu.spec.count} slices ({chips:g} chips)" if tpu.spec.count > 1 else ""
    return CostLine(
        stack=stack,
        cluster=cluster.name,
        cloud=cluster.cloud,
        region=cluster.spec.region,
        kind="tpu-slice",
        name=tpu.name,
        path=tpu.spec.path,
        sku=f"{tpu.shape.machine_type} x {tpu.shape.nodes} ({tpu.spec.topology}, {tpu.shape.chips} chips){count}",
        capacity=tpu.spec.capacity,
        unit="chip-hour",
        unit_price_usd=price,
        on_demand_unit_price_usd=quote.on_demand_usd,
        units_at_min=chips,
        units_at_max=chips,
        hourly_usd_at_min=unit * chips,
        hourly_usd_at_max=unit * chips,
        on_demand_hourly_usd_at_max=od * chips,
        price_region=price_region,
        source=source,
        as_of=as_of,
        priced=priced,
        assumptions=tuple(notes),
        priced_as=priced_as,
    )


def storage_line(
    stack: str, cluster: ResolvedCluster, store: ResolvedStorage, book: PriceBook | None = None
) -> CostLine:
    gib = store.spec.capacity_gib
    quote = (book or catalog_book()).storage(store.offer, store.throughput_mbps_per_tib, cluster.spec.region)
    fig = quote.on_demand if quote else None
    per_gib = fig.usd if fig else store.tier.price_usd_per_gib_month
    snapshot = quote.snapshot_note("on-demand") if quote else None
    hourly = per_gib * gib / HOURS_PER_MONTH
    tier = f" {store.throughput_mbps_per_tib} MB/s/TiB" if store.throughput_mbps_per_tib else ""
    sku = store.tier.sku or f"{store.offer.service}{tier}"
    return CostLine(
        stack=stack,
        cluster=cluster.name,
        cloud=cluster.cloud,
        region=cluster.spec.region,
        kind="storage",
        name=store.name,
        path=store.spec.path,
        sku=f"{sku}, {gib} GiB",
        capacity="storage",
        unit="GiB-month",
        unit_price_usd=per_gib,
        on_demand_unit_price_usd=per_gib,
        units_at_min=gib,
        units_at_max=gib,
        hourly_usd_at_min=hourly,
        hourly_usd_at_max=hourly,
        on_demand_hourly_usd_at_max=hourly,
        price_region=fig.region if fig and fig.from_overlay else None,
        source=fig.source if fig else store.offer.source,
        as_of=fig.as_of if fig else store.offer.as_of,
        assumptions=(
            f"Storage priced per GiB-month of provisioned capacity (hourly = monthly / {HOURS_PER_MONTH}); "
            "IOPS, throughput and snapshot charges not included.",
            *([snapshot] if snapshot else []),
        ),
    )


def price_fleet(fleet: ResolvedFleet, stack: str, book: PriceBook | None = None) -> CostReport:
    """One cost line per pool, slice and storage item of the fleet, priced from ``book``
    (default: the catalog's list prices)."""
    book = book or catalog_book()
    report = CostReport()
    for cluster in fleet.clusters:
        report.lines.extend(pool_line(stack, cluster, p, book) for p in cluster.pools)
        report.lines.extend(slice_line(stack, cluster, s, book) for s in cluster.slices)
        report.lines.extend(storage_line(stack, cluster, s, book) for s in cluster.storage)
    return report


def count_accelerators(fleet: ResolvedFleet) -> AcceleratorReport:
    """Accelerators by canonical name, at min and at max scale (TPUs in chips)."""
    cat = get_catalog()
    report = AcceleratorReport()
    for cluster in fleet.clusters:
        for p in cluster.pools:
            acc = cat.accelerators.get(p.offer.accelerator)
            report.add(p.offer.accelerator, acc.kind if acc else "gpu", p.accelerators_at_min, p.accelerators_at_max)
        for s in cluster.slices:
            report.add(s.version.accelerator, "tpu", s.chips_total, s.chips_total)
    return report
