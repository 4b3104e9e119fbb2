"""Observed GPU use per pool, and the spec changes it supports.

Label contract (shared with the monitoring add-ons that export the metrics): GPU nodes carry
the Kubernetes label ``aiinfra-pool=<pool>``; the DCGM exporter's series carry the Prometheus
labels ``aiinfra_pool`` (the fleet-spec pool name), ``aiinfra_cluster`` (the fleet-spec
cluster name) and ``node``. The queries below group by exactly these labels. I/O pressure comes
from node exporter's ``pressure`` collector (Linux PSI, /proc/pressure/io): the counters
``node_pressure_io_waiting_seconds_total`` (the "some" line: time at least one task waited on
I/O) and ``node_pressure_io_stalled_seconds_total`` (the "full" line: time no task could make
progress), whose rate is the share of time the node spent so; they carry the same labels when
the scrape copies them from the node (docs/rightsize.md).

``usage_for(fleet, prometheus, start, end, step)`` reads the metrics for every GPU pool of the
fleet; ``propose(usage, book)`` turns them into proposals in spec terms, each with its evidence
and the monthly saving, priced by the same ``PriceBook`` as ``aiinfra plan`` (catalog list
prices, or price overlays and discounts) and naming the snapshot behind each price. Both are
pure apart from the HTTP queries, and the thresholds come from ``data/heuristics.yaml``.
"""

from __future__ import annotations

import functools
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from importlib import resources
from typing import Any

import yaml

from components.catalog import get_catalog
from components.catalog.model import Offer
from components.plan.cost import HOURS_PER_MONTH
from components.prices.book import Figure, PriceBook, Quote, catalog_book
from components.rightsize.prometheus import Prometheus, Series
from components.spec.errors import join_path
from components.spec.resolved import ResolvedCluster, ResolvedFleet, ResolvedPool

CLUSTER_LABEL = "aiinfra_cluster"
POOL_LABEL = "aiinfra_pool"
NODE_LABEL = "node"
BY_POOL = f"{CLUSTER_LABEL}, {POOL_LABEL}"
BY_NODE = f"{CLUSTER_LABEL}, {POOL_LABEL}, {NODE_LABEL}"


@functools.cache
def heuristics() -> dict[str, Any]:
    text = resources.files("components.rightsize").joinpath("data", "heuristics.yaml").read_text("utf-8")
    doc: dict[str, Any] = yaml.safe_load(text)
    return doc


#: The shortest rate() window: at least a few scrapes of a node exporter scraped every 1 min.
MIN_RATE_WINDOW_S = 300


def rate_window(step: int) -> int:
    """The rate() window for a range query at ``step``: the step itself (consecutive windows
    tile the whole query range, so their mean is the window's share), at least 5 minutes."""
    return max(step, MIN_RATE_WINDOW_S)


def queries(idle_percent: float, step: int) -> dict[str, str]:
    """The PromQL this command runs (documented in docs/rightsize.md)."""
    window = f"{rate_window(step)}s"
    return {
        "nodes": f"max by ({BY_NODE}) (DCGM_FI_DEV_GPU_UTIL)",
        "util": f"avg by ({BY_POOL}) (DCGM_FI_DEV_GPU_UTIL)",
        "idle": f"count by ({BY_POOL}) (DCGM_FI_DEV_GPU_UTIL <= {idle_percent:g})",
        "engine": f"avg by ({BY_POOL}) (DCGM_FI_PROF_GR_ENGINE_ACTIVE)",
        "memory": f"max by ({BY_POOL}) (DCGM_FI_DEV_FB_USED)",
        "io": f"avg by ({BY_POOL}) (rate(node_pressure_io_waiting_seconds_total[{window}]))",
        "ioStall": f"avg by ({BY_POOL}) (rate(node_pressure_io_stalled_seconds_total[{window}]))",
    }


@dataclass
class PoolUsage:
    """What one GPU pool did in the window."""

    cluster: ResolvedCluster
    cluster_index: int
    pool: ResolvedPool
    pool_index: int
    window_hours: float
    step_s: int
    has_data: bool = False
    peak_nodes: int = 0
    p95_nodes: float = 0.0
    mean_nodes: float = 0.0
    mean_busy_nodes: float = 0.0
    mean_util_percent: float | None = None
    p95_util_percent: float | None = None
    engine_active: float | None = None  # DCGM_FI_PROF_GR_ENGINE_ACTIVE mean, 0..1
    idle_accelerator_hours: float = 0.0
    peak_memory_gib: float | None = None
    io_wait_share: float | None = None  # PSI "some": share of time a task waited on I/O
    io_stall_share: float | None = None  # PSI "full": share of time no task could progress
    zero_share: float = 0.0  # share of the window at zero nodes
    median_node_hours: float | None = None
    floor_idle_nodes: float = 0.0  # mean nodes kept by minNodes while not in use

    @property
    def path(self) -> str:
        return join_path("clusters", self.cluster_index, "gpuPools", self.pool_index)

    @property
    def name(self) -> str:
        return f"{self.cluster.name}/{self.pool.name}"

    def to_json(self) -> dict[str, Any]:
        def r(v: float | None, n: int = 2) -> float | None:
            return None if v is None else round(v, n)

        return {
            "cluster": self.cluster.name,
            "pool": self.pool.name,
            "path": self.path,
            "hasData": self.has_data,
            "peakNodes": self.peak_nodes,
            "p95Nodes": r(self.p95_nodes),
            "meanNodes": r(self.mean_nodes),
            "meanUtilPercent": r(self.mean_util_percent, 1),
            "p95UtilPercent": r(self.p95_util_percent, 1),
            "engineActive": r(self.engine_active, 3),
            "idleAcceleratorHours": r(self.idle_accelerator_hours, 1),
            "peakMemoryGiB": r(self.peak_memory_gib, 1),
            "ioWaitShare": r(self.io_wait_share, 3),
            "ioStallShare": r(self.io_stall_share, 3),
            "zeroNodeShare": r(self.zero_share, 3),
            "medianNodeHours": r(self.median_node_hours, 2),
            "minNodes": self.pool.spec.min_nodes,
            "maxNodes": self.pool.spec.max_nodes,
        }


@dataclass(frozen=True)
class Proposal:
    """One change in spec terms: the field, its value now and proposed, why, and what it saves."""

    usage: PoolUsage
    field: str  # maxNodes | minNodes | capacity | accelerator | storage
    path: str  # the spec path it edits
    current: Any
    proposed: Any
    evidence: str
    monthly_saving_usd: float
    basis: str  # how the saving is counted
    edits: Mapping[str, Any] = dc_field(default_factory=dict)  # spec path -> new value (for --write)
    prices: tuple[PriceUse, ...] = ()  # the prices the saving rests on, each with its snapshot

    def to_json(self) -> dict[str, Any]:
        return {
            "cluster": self.usage.cluster.name,
            "pool": self.usage.pool.name,
            "field": self.field,
            "path": self.path,
            "current": self.current,
            "proposed": self.proposed,
            "evidence": self.evidence,
            "monthlySavingUsd": round(self.monthly_saving_usd, 2),
            "basis": self.basis,
            "pricedBy": [p.to_json() for p in self.prices],
        }


# ----- reading the metrics ---------------------------------------------------------------------------------
def _key(labels: Mapping[str, str]) -> tuple[str, str]:
    return labels.get(CLUSTER_LABEL, ""), labels.get(POOL_LABEL, "")


def _grid(start: float, end: float, step: int) -> list[int]:
    """The timestamps Prometheus evaluates a range query at (whole seconds: see ``align``)."""
    n = int((end - start) // step)
    return [round(start + i * step) for i in range(n + 1)]


def align(end: float, window_s: int, step: int) -> tuple[int, int]:
    """(start, end) on whole multiples of ``step``, so every sample time is a grid time."""
    stop = int(end // step) * step
    return stop - (window_s // step) * step, stop


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (what a reader can check by hand)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def _runs(times: Iterable[float], step: int) -> list[float]:
    """Lengths in hours of the contiguous runs of a node's samples (a node's lifetimes)."""
    out: list[float] = []
    prev = first = None
    for t in sorted(times):
        if prev is None or t - prev > step * 1.5:
            if first is not None and prev is not None:
                out.append((prev - first + step) / 3600.0)
            first = t
        prev = t
    if first is not None and prev is not None:
        out.append((prev - first + step) / 3600.0)
    return out


def usage_for(fleet: ResolvedFleet, prom: Prometheus, start: float, end: float, step: int) -> list[PoolUsage]:
    """Per GPU pool of ``fleet``, what the metrics say about the window [start, end]."""
    h = heuristics()
    idle = float(h["idleUtilPercent"])
    q = queries(idle, step)
    results = {name: prom.query_range(expr, start, end, step) for name, expr in q.items()}
    grid = _grid(start, end, step)
    step_h = step / 3600.0

    by_pool: dict[str, dict[tuple[str, str], list[Series]]] = {}
    for name, series in results.items():
        groups: dict[tuple[str, str], list[Series]] = defaultdict(list)
        for s in series:
            groups[_key(s.labels)].append(s)
        by_pool[name] = groups

    out: list[PoolUsage] = []
    for ci, cluster in enumerate(fleet.clusters):
        for pi, pool in enumerate(cluster.pools):
            u = PoolUsage(cluster, ci, pool, pi, window_hours=(end - start) / 3600.0, step_s=step)
            key = (cluster.name, pool.name)
            node_series = by_pool["nodes"].get(key, [])
            if not node_series:
                out.append(u)
                continue
            u.has_data = True
            present: dict[int, int] = defaultdict(int)
            busy: dict[int, int] = defaultdict(int)
            lifetimes: list[float] = []
            for s in node_series:
                for t, v in s.samples:
                    present[round(t)] += 1
                    if v > idle:
                        busy[round(t)] += 1
                lifetimes += _runs((t for t, _ in s.samples), step)
            counts = [float(present.get(t, 0)) for t in grid]
            busy_counts = [float(busy.get(t, 0)) for t in grid]
            u.peak_nodes = int(max(counts))
            u.p95_nodes = _percentile(counts, 0.95)
            u.mean_nodes = statistics.fmean(counts)
            u.mean_busy_nodes = statistics.fmean(busy_counts)
            u.zero_share = sum(1 for c in counts if c == 0) / len(counts)
            u.median_node_hours = statistics.median(lifetimes) if lifetimes else None
            u.floor_idle_nodes = statistics.fmean(max(0.0, pool.spec.min_nodes - b) for b in busy_counts)
            util = [v for s in by_pool["util"].get(key, []) for _, v in s.samples]
            if util:
                u.mean_util_percent = statistics.fmean(util)
                u.p95_util_percent = _percentile(util, 0.95)
            engine = [v for s in by_pool["engine"].get(key, []) for _, v in s.samples]
            u.engine_active = statistics.fmean(engine) if engine else None
            u.idle_accelerator_hours = sum(v for s in by_pool["idle"].get(key, []) for _, v in s.samples) * step_h
            mem = [v for s in by_pool["memory"].get(key, []) for _, v in s.samples]
            u.peak_memory_gib = max(mem) / 1024.0 if mem else None
            io = [v for s in by_pool["io"].get(key, []) for _, v in s.samples]
            u.io_wait_share = statistics.fmean(io) if io else None
            stall = [v for s in by_pool["ioStall"].get(key, []) for _, v in s.samples]
            u.io_stall_share = statistics.fmean(stall) if stall else None
            out.append(u)
    return out


# ----- proposals -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PriceUse:
    """One price a saving rests on: the book's quote and the capacity it was read at, so the
    output can name the snapshot (catalog or overlay), source, date and any discount."""

    quote: Quote
    capacity: str  # on-demand | spot | reserved: the figure the saving used

    @property
    def figure(self) -> Figure | None:
        return self.quote.figure(self.capacity)

    @property
    def usd(self) -> float:
        """The price (after any discount); 0 when the book has none (as the plan counts it)."""
        fig = self.figure
        return fig.usd if fig is not None else 0.0

    @property
    def note(self) -> str:
        """``p5.48xlarge: on-demand $55.04/node-hour catalog list price (us-east-1, as of ...).``"""
        return self.quote.snapshot_note(self.capacity) or f"{self.quote.what}: no price; counted as 0."

    def to_json(self) -> dict[str, Any]:
        fig = self.figure
        spot = self.capacity == "spot" and self.quote.spot is not None
        return {
            "item": self.quote.what,
            "capacity": "spot" if spot else "on-demand",
            "unit": self.quote.unit,
            "usd": None if fig is None else round(fig.usd, 6),
            "listUsd": None if fig is None else round(fig.list_usd, 6),
            "snapshot": None if fig is None else fig.snapshot,
            "source": None if fig is None else fig.source,
            "asOf": None if fig is None else fig.as_of,
            "region": None if fig is None else fig.region,
            "discount": None if fig is None or fig.discount is None else fig.discount.describe(),
        }


def node_price(
    pool: ResolvedPool, region: str | None, book: PriceBook | None = None, capacity: str | None = None
) -> PriceUse:
    """The per node-hour price of ``pool`` in ``region`` at its capacity (or ``capacity``), as
    the book prices it: overlays and discounts, as ``aiinfra plan`` prices the pool's cost line
    (spot falls back to on-demand when the book has no spot price; reserved is on-demand)."""
    return PriceUse((book or catalog_book()).offer(pool.offer, region), capacity or pool.spec.capacity)


def _usd(v: float) -> str:
    return f"${v:,.0f}" if abs(v) >= 100 else f"${v:,.2f}"


def _region(u: PoolUsage) -> str:
    return u.cluster.spec.region


def _max_nodes(u: PoolUsage, h: Mapping[str, Any], book: PriceBook) -> Proposal | None:
    spec = u.pool.spec
    headroom = max(int(h["minHeadroomNodes"]), math.ceil(u.peak_nodes * float(h["headroomFraction"])))
    target = min(spec.max_nodes, u.peak_nodes + headroom)
    if target >= spec.max_nodes:
        return None
    price = node_price(u.pool, _region(u), book)
    saving = (spec.max_nodes - target) * price.usd * HOURS_PER_MONTH
    return Proposal(
        u,
        "maxNodes",
        f"{u.path}.maxNodes",
        spec.max_nodes,
        target,
        f"peaked at {u.peak_nodes} of its {spec.max_nodes} nodes in {u.window_hours / 24:g} days (p95 "
        f"{u.p95_nodes:g}); {u.peak_nodes} + {headroom} headroom",
        saving,
        f"cost at max scale: {spec.max_nodes - target} nodes x {_usd(price.usd)}/h x {HOURS_PER_MONTH} h",
        {f"{u.path}.maxNodes": target},
        (price,),
    )


def _min_nodes(u: PoolUsage, book: PriceBook) -> Proposal | None:
    spec = u.pool.spec
    if spec.min_nodes <= 0 or u.floor_idle_nodes <= 0:
        return None
    price = node_price(u.pool, _region(u), book)
    saving = u.floor_idle_nodes * price.usd * HOURS_PER_MONTH
    return Proposal(
        u,
        "minNodes",
        f"{u.path}.minNodes",
        spec.min_nodes,
        0,
        f"minNodes {spec.min_nodes} kept {u.floor_idle_nodes:.2f} nodes on average with no GPU in use (mean nodes "
        f"in use {u.mean_busy_nodes:.2f}); scale to zero between jobs",
        saving,
        f"idle floor: {u.floor_idle_nodes:.2f} nodes x {_usd(price.usd)}/h x {HOURS_PER_MONTH} h",
        {f"{u.path}.minNodes": 0},
        (price,),
    )


def _spot(u: PoolUsage, h: Mapping[str, Any], book: PriceBook) -> Proposal | None:
    spec, offer = u.pool.spec, u.pool.offer
    if spec.capacity != "on-demand" or "spot" not in offer.capacity_modes:
        return None
    od, spot = node_price(u.pool, _region(u), book, "on-demand"), node_price(u.pool, _region(u), book, "spot")
    if od.figure is None or spot.quote.spot is None:
        return None  # no spot price in the book: no saving to state
    limit = float(h["spotMaxMedianNodeHours"])
    if u.zero_share <= 0 or u.median_node_hours is None or u.median_node_hours > limit:
        return None
    saving = u.mean_nodes * (od.usd - spot.usd) * HOURS_PER_MONTH
    return Proposal(
        u,
        "capacity",
        f"{u.path}.capacity",
        spec.capacity,
        "spot",
        f"jobs tolerate interruption: the pool was at zero nodes {u.zero_share:.0%} of the window and its nodes "
        f"lived {u.median_node_hours:.1f} h in median (at most {limit:g} h)",
        saving,
        f"mean {u.mean_nodes:.2f} nodes x ({_usd(od.usd)} - {_usd(spot.usd)} spot)/h x {HOURS_PER_MONTH} h",
        {f"{u.path}.capacity": "spot"},
        (od, spot),
    )


def _offer_price(o: Offer, capacity: str, region: str, book: PriceBook) -> PriceUse | None:
    """A candidate offer's price at ``capacity``, only when the book has that very figure (a
    smaller accelerator is never proposed on a spot price the book lacks)."""
    quote = book.offer(o, region)
    fig = quote.spot if capacity == "spot" else quote.on_demand
    return PriceUse(quote, capacity) if fig is not None else None


def _smaller_offer(u: PoolUsage, h: Mapping[str, Any], book: PriceBook) -> tuple[Offer, PriceUse] | None:
    cat = get_catalog()
    cur = u.pool.offer
    cur_acc = cat.accelerators[cur.accelerator]
    cur_perf = cat.perf(cur.accelerator)
    if u.peak_memory_gib is None or u.p95_util_percent is None or cur_perf is None or cur_perf.bf16_tflops is None:
        return None
    needed_tflops = u.p95_util_percent / 100.0 * cur_perf.bf16_tflops
    needed_gb = u.peak_memory_gib * 2**30 / 1e9
    cur_per_acc = node_price(u.pool, _region(u), book).usd / cur.accelerators_per_node
    best: tuple[float, Offer, PriceUse] | None = None
    for o in cat.offers_for(cur.cloud):
        acc = cat.accelerators[o.accelerator]
        perf = cat.perf(o.accelerator)
        if o.accelerator == cur.accelerator or acc.memory_gb >= cur_acc.memory_gb or perf is None:
            continue
        if perf.bf16_tflops is None or needed_tflops > float(h["smallerComputeShare"]) * perf.bf16_tflops:
            continue
        if needed_gb > float(h["smallerMemoryShare"]) * acc.memory_gb:
            continue
        if u.pool.spec.capacity not in o.capacity_modes:
            continue
        price = _offer_price(o, u.pool.spec.capacity, _region(u), book)
        if price is None:
            continue
        per_acc = price.usd / o.accelerators_per_node
        if per_acc >= cur_per_acc:
            continue
        # prefer the same accelerators per node (jobs keep their shape), then the cheapest
        rank = (abs(o.accelerators_per_node - cur.accelerators_per_node), per_acc)
        if best is None or rank < (abs(best[1].accelerators_per_node - cur.accelerators_per_node), best[0]):
            best = (per_acc, o, price)
    return (best[1], best[2]) if best else None


def _accelerator(u: PoolUsage, h: Mapping[str, Any], book: PriceBook) -> Proposal | None:
    found = _smaller_offer(u, h, book)
    if found is None:
        return None
    o, new_price = found
    cat = get_catalog()
    cur = u.pool.offer
    assert u.peak_memory_gib is not None and u.p95_util_percent is not None
    cur_price = node_price(u.pool, _region(u), book)
    cur_per_acc = cur_price.usd / cur.accelerators_per_node
    new_per_acc = new_price.usd / o.accelerators_per_node
    accelerators_in_use = u.mean_nodes * cur.accelerators_per_node
    saving = accelerators_in_use * (cur_per_acc - new_per_acc) * HOURS_PER_MONTH
    edits: dict[str, Any] = {
        f"{u.path}.accelerator": o.accelerator,
        f"{u.path}.acceleratorsPerNode": o.accelerators_per_node,
    }
    default = cat.offer_for(o.cloud, o.accelerator, o.accelerators_per_node)
    edits[f"{u.path}.machineType"] = (
        None if default is not None and default.machine_type == o.machine_type else o.machine_type
    )
    new_mem = cat.accelerators[o.accelerator].memory_gb
    perf_new = cat.perf(o.accelerator)
    perf_cur = cat.perf(cur.accelerator)
    assert perf_new is not None and perf_cur is not None
    return Proposal(
        u,
        "accelerator",
        f"{u.path}.accelerator",
        f"{cur.accelerator} ({cur.machine_type})",
        f"{o.accelerator} ({o.machine_type})",
        f"peak GPU memory used {u.peak_memory_gib:,.1f} GiB fits {float(h['smallerMemoryShare']):.0%} of "
        f"{o.accelerator}'s {new_mem:g} GB; p95 utilisation {u.p95_util_percent:.0f}% of {perf_cur.bf16_tflops:g} "
        f"TFLOP/s fits {float(h['smallerComputeShare']):.0%} of its {perf_new.bf16_tflops:g}",
        saving,
        f"mean {accelerators_in_use:.1f} accelerators x ({_usd(cur_per_acc)} - {_usd(new_per_acc)})/h x "
        f"{HOURS_PER_MONTH} h",
        edits,
        (cur_price, new_price),
    )


def _waits_on_io(u: PoolUsage, h: Mapping[str, Any]) -> bool:
    """The pool's nodes waited on I/O more than the threshold while its GPUs were under-used."""
    if u.io_wait_share is None or u.mean_util_percent is None:
        return False
    return u.io_wait_share > float(h["ioWaitShare"]) and u.mean_util_percent < float(h["ioWaitMaxUtilPercent"])


def _io_evidence(u: PoolUsage) -> str:
    assert u.io_wait_share is not None and u.mean_util_percent is not None
    stalled = f", every task stalled {u.io_stall_share:.0%}" if u.io_stall_share is not None else ""
    return (
        f"nodes of {u.name} waited on I/O {u.io_wait_share:.0%} of the time (PSI{stalled}) with mean GPU "
        f"utilisation {u.mean_util_percent:.0f}%"
    )


def _storage(usages: list[PoolUsage], h: Mapping[str, Any], book: PriceBook) -> list[Proposal]:
    """One proposal per Lustre file system of a cluster whose GPU pools wait on I/O: the next
    throughput tier that accepts its capacity, with every waiting pool as evidence."""
    waiting: dict[int, list[PoolUsage]] = defaultdict(list)
    for u in usages:
        if _waits_on_io(u, h):
            waiting[u.cluster_index].append(u)
    out = []
    for pools in waiting.values():
        first = pools[0]
        for si, st in enumerate(first.cluster.storage):
            tiers = sorted(st.offer.tiers)
            cur = st.throughput_mbps_per_tib
            higher = [
                t for t in tiers if cur is not None and t > cur and st.offer.tiers[t].accepts(st.spec.capacity_gib)
            ]
            if st.spec.kind != "lustre" or not higher:
                continue
            new = higher[0]
            quotes = (book.storage(st.offer, cur, _region(first)), book.storage(st.offer, new, _region(first)))
            if quotes[0] is None or quotes[1] is None:
                continue
            now, then = PriceUse(quotes[0], "on-demand"), PriceUse(quotes[1], "on-demand")
            path = join_path("clusters", first.cluster_index, "storage", si, "throughputMBpsPerTiB")
            evidence = "; ".join(_io_evidence(u) for u in pools)
            out.append(
                Proposal(
                    first,
                    "storage",
                    path,
                    cur,
                    new,
                    f"{evidence}; {st.name} delivers {cur} MB/s per TiB",
                    st.spec.capacity_gib * (now.usd - then.usd),
                    f"{st.spec.capacity_gib:,} GiB x ({now.usd:g} - {then.usd:g}) $/GiB-month (a cost, to stop "
                    "paying for idle GPUs)",
                    {path: new},
                    (now, then),
                )
            )
    return out


def propose(usages: Iterable[PoolUsage], book: PriceBook | None = None) -> list[Proposal]:
    """Every proposal the observed use supports, its savings priced by ``book`` (default: the
    catalog's list prices); pools without data get none."""
    h = heuristics()
    book = book or catalog_book()
    out: list[Proposal] = []
    with_data = [u for u in usages if u.has_data]
    for u in with_data:
        for p in (_max_nodes(u, h, book), _min_nodes(u, book), _spot(u, h, book), _accelerator(u, h, book)):
            if p is not None:
                out.append(p)
    out.extend(_storage(with_data, h, book))
    return out
