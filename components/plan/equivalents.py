"""Cross-cloud equivalents: what a GPU pool would cost at max scale on the other two clouds.

The vendor lock-in question a reviewer asks of a pool: "what would the same accelerators cost
elsewhere?". For each other cloud, the answer is the catalog's offer of the same accelerator
that holds the pool's accelerators at max scale in whole nodes, priced by the same capacity
type (spot at spot, reserved and on-demand at on-demand list) from the same price book as the
plan, or "not offered" when that cloud has no such offer.

Which offer: the one with the pool's accelerators per node (the cloud's default row among
them), so the shape and node count match; failing that, the cheapest offer whose node size
divides the pool's accelerators at max (8 GPUs as 1 x 8 instead of 2 x 4). Prices are each
cloud's catalog reference region: regions of different clouds do not pair up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.catalog import CLOUDS, get_catalog
from components.catalog.model import Offer
from components.prices.book import PriceBook, catalog_book
from components.spec.resolved import ResolvedCluster, ResolvedPool


@dataclass(frozen=True)
class Equivalent:
    """The pool's accelerators on one other cloud (``machine_type`` None: not offered)."""

    cloud: str
    accelerator: str
    accelerators: int
    capacity: str  # the pool's capacity type
    machine_type: str | None = None
    nodes: int = 0
    hourly_usd_at_max: float | None = None
    # The capacity the figure is: on-demand, or spot when the pool is spot and a spot price exists.
    priced_as: str | None = None
    price_region: str | None = None
    # Not offered, but the cloud has the accelerator in nodes of these sizes (none divides the count).
    node_sizes: tuple[int, ...] = ()

    @property
    def offered(self) -> bool:
        return self.machine_type is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "cloud": self.cloud,
            "offered": self.offered,
            "machineType": self.machine_type,
            "nodes": self.nodes,
            "hourlyUsdAtMax": None if self.hourly_usd_at_max is None else round(self.hourly_usd_at_max, 4),
            "pricedAs": self.priced_as,
            "priceRegion": self.price_region,
            "nodeSizes": list(self.node_sizes),
        }


def _priced(offer: Offer, capacity: str, nodes: int, book: PriceBook) -> tuple[float | None, str | None, str | None]:
    """(hourly USD for ``nodes`` nodes, the capacity priced, the price region) as the plan prices a pool."""
    quote = book.offer(offer)
    fig = quote.figure(capacity)
    if fig is None:
        return None, None, None
    priced_as = "spot" if capacity == "spot" and quote.spot is not None else "on-demand"
    return fig.usd * nodes, priced_as, fig.region


def _pick(offers: list[Offer], per_node: int, total: int, capacity: str, book: PriceBook) -> Offer | None:
    orderable = [o for o in offers if capacity in o.capacity_modes and total % o.accelerators_per_node == 0]
    same_shape = [o for o in orderable if o.accelerators_per_node == per_node]
    if same_shape:
        return next((o for o in same_shape if o.default), same_shape[0])

    def cost(o: Offer) -> float:
        usd = _priced(o, capacity, total // o.accelerators_per_node, book)[0]
        return float("inf") if usd is None else usd

    return min(orderable, key=lambda o: (cost(o), o.machine_type), default=None)


def pool_equivalents(
    cluster: ResolvedCluster, pool: ResolvedPool, book: PriceBook | None = None
) -> tuple[Equivalent, ...]:
    """The pool at max scale on each cloud other than its own, in the catalog's cloud order."""
    book = book or catalog_book()
    catalog = get_catalog()
    accelerator = pool.offer.accelerator
    total = pool.accelerators_at_max
    out = []
    for cloud in CLOUDS:
        if cloud == cluster.cloud:
            continue
        offer = _pick(
            catalog.offers_for(cloud, accelerator),
            pool.offer.accelerators_per_node,
            total,
            pool.spec.capacity,
            book,
        )
        if offer is None:
            sizes = sorted({o.accelerators_per_node for o in catalog.offers_for(cloud, accelerator)})
            out.append(Equivalent(cloud, accelerator, total, pool.spec.capacity, node_sizes=tuple(sizes)))
            continue
        nodes = total // offer.accelerators_per_node
        usd, priced_as, region = _priced(offer, pool.spec.capacity, nodes, book)
        out.append(
            Equivalent(cloud, accelerator, total, pool.spec.capacity, offer.machine_type, nodes, usd, priced_as, region)
        )
    return tuple(out)
