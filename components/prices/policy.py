"""Price the policy pack's view from the same price book as the plan.

The normalizers price each pool from the catalog; :func:`apply_prices` re-prices those shapes
from the overlays in the policy's ``prices`` config, else the stack setting ``aiinfra:prices``
(read from the stack config the engine hands the pack), with the same lookups as the plan:
a pool's region is its cluster's region in the fleet spec (by the ``aiinfra-cluster``
label), else the only region the fleet spec uses on that cloud, else unknown (see
:mod:`components.prices.book` for how an unknown region is priced).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from components.catalog import get_catalog
from components.catalog.model import Offer
from components.policy.normalize.views import Pool, Shape, Template, View
from components.prices.book import PriceBook, Quote
from components.prices.sources import POLICY_KEY, STACK_KEY, load_sources, parse_value, project_dir

CLUSTER_LABEL = "aiinfra-cluster"  # components.spec.resolved.LABEL_CLUSTER


@functools.lru_cache(maxsize=16)
def _book(value_json: str, base: str) -> PriceBook:
    overlays = load_sources(json.loads(value_json), Path(base), "prices")
    return PriceBook(get_catalog(), overlays)


def book_for(policy_config: Mapping[str, Any], stack_config: Mapping[str, Any]) -> PriceBook | None:
    """The book a policy prices with: its ``prices`` config, else the stack setting; None for neither."""
    value = policy_config.get(POLICY_KEY)
    if value is None:
        value = parse_value(stack_config.get(STACK_KEY), STACK_KEY)
    if value is None:
        return None
    base = project_dir(Path.cwd())
    return _book(json.dumps(value, sort_keys=True), str(base))


def fleet_regions(raw_fleet: Any) -> tuple[dict[str, str], dict[str, set[str]]]:
    """(cluster name -> region, cloud -> regions) from the ``aiinfra:fleet`` config value."""
    doc = parse_value(raw_fleet, "aiinfra:fleet") if isinstance(raw_fleet, str) else raw_fleet
    by_cluster: dict[str, str] = {}
    by_cloud: dict[str, set[str]] = {}
    clusters = doc.get("clusters") if isinstance(doc, Mapping) else None
    for c in clusters if isinstance(clusters, list) else []:
        if isinstance(c, Mapping) and isinstance(c.get("region"), str):
            if isinstance(c.get("name"), str):
                by_cluster[c["name"]] = c["region"]
            if isinstance(c.get("cloud"), str):
                by_cloud.setdefault(c["cloud"], set()).add(c["region"])
    return by_cluster, by_cloud


def _basis(shape: Shape) -> tuple[Offer | None, float]:
    """The catalog offer a shape was priced from, and the factor on its node price."""
    if shape.offer is not None:
        return shape.offer, 1.0
    if shape.cloud == "gcp" and shape.accelerator and shape.tpu is None and shape.per_node:
        # N1 + guest GPUs: the normalizer prices from the row with the same GPU count, else scales
        cat = get_catalog()
        row = cat.offer_for("gcp", shape.accelerator, shape.per_node)
        if row is None:
            rows = [o for o in cat.offers_for("gcp", shape.accelerator) if o.accelerator_type]
            row = next((o for o in rows if o.default), rows[0] if rows else None)
        if row is not None:
            return row, shape.per_node / row.accelerators_per_node
    return None, 0.0


def _reprice(shape: Shape, book: PriceBook, region: str | None) -> Shape:
    if shape.on_demand_usd is None and shape.spot_usd is None:
        return shape
    quote: Quote
    factor: float
    if shape.tpu is not None:
        quote, factor = book.tpu(shape.tpu, region), float(shape.per_node)
    else:
        offer, factor = _basis(shape)
        if offer is None:
            return shape
        quote = book.offer(offer, region)
    od = quote.on_demand_usd * factor if quote.on_demand_usd is not None else None
    spot = quote.spot_usd * factor if quote.spot_usd is not None else None
    return replace(shape, on_demand_usd=od, spot_usd=spot)


def _region(labels: Mapping[str, str], cloud: str, regions: tuple[dict[str, str], dict[str, set[str]]]) -> str | None:
    by_cluster, by_cloud = regions
    cluster = labels.get(CLUSTER_LABEL)
    if cluster and cluster in by_cluster:
        return by_cluster[cluster]
    only = by_cloud.get(cloud, set())
    return next(iter(only)) if len(only) == 1 else None


def reprice_view(view: View, book: PriceBook, raw_fleet: Any = None) -> View:
    """A copy of ``view`` with every pool and template priced from ``book``."""
    regions = fleet_regions(raw_fleet)
    pools: list[Pool] = [
        replace(p, shape=_reprice(p.shape, book, _region(p.labels, p.cloud, regions))) for p in view.pools
    ]
    templates: list[Template] = [
        replace(t, shape=_reprice(t.shape, book, _region(t.labels, t.shape.cloud, regions))) for t in view.templates
    ]
    return replace(
        view,
        pools=pools,
        templates=templates,
        storage=list(view.storage),
        volumes=list(view.volumes),
        notes=list(view.notes),
    )


def apply_prices(view: View, policy_config: Mapping[str, Any], stack_config: Mapping[str, Any]) -> View:
    """``view`` priced from the policy's ``prices`` / the stack's ``aiinfra:prices`` (unchanged without)."""
    book = book_for(policy_config, stack_config)
    if book is None or book.is_catalog:
        return view
    return reprice_view(view, book, stack_config.get("aiinfra:fleet"))
