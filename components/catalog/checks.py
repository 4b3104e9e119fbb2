"""Sanity checks over the catalog's prices: what a reviewer of a catalog change should see.

Flags spot at or above on-demand, a missing on-demand price, and outliers: an offer whose
price per accelerator-hour is far from the median of the same accelerator across clouds
(scraped data often mixes GPU-only and host prices, or a wrong region).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from components.catalog import Catalog

# An offer priced beyond this factor of its accelerator's cross-cloud median per
# accelerator-hour is flagged. Real spreads between clouds stay well inside 2.5x.
OUTLIER_FACTOR = 2.5


@dataclass(frozen=True)
class PriceFinding:
    """One suspicious price row."""

    cloud: str
    machine_type: str
    problem: str


def price_findings(cat: Catalog) -> list[PriceFinding]:
    """Every suspicious price in the catalog (empty when the data is sane)."""
    out: list[PriceFinding] = []
    per_accel: dict[str, list[float]] = {}
    for o in cat.offers:
        od, spot = o.price.on_demand_usd, o.price.spot_usd
        if od is None:
            out.append(PriceFinding(o.cloud, o.machine_type, "no on-demand price"))
            continue
        if spot is not None and spot >= od:
            out.append(PriceFinding(o.cloud, o.machine_type, f"spot ${spot:.2f}/h is not below on-demand ${od:.2f}/h"))
        per_accel.setdefault(o.accelerator, []).append(od / o.accelerators_per_node)
    for t in cat.tpus.values():
        od, spot = t.price.on_demand_usd, t.price.spot_usd
        if od is None:
            out.append(PriceFinding("gcp", f"tpu-{t.version}", "no on-demand price"))
        elif spot is not None and spot >= od:
            out.append(PriceFinding("gcp", f"tpu-{t.version}", f"spot ${spot:.2f}/chip-h is not below on-demand"))
    for o in cat.offers:
        od = o.price.on_demand_usd
        rows = per_accel.get(o.accelerator, [])
        if od is None or len(rows) < 3:
            continue
        median = statistics.median(rows)
        unit = od / o.accelerators_per_node
        if unit > median * OUTLIER_FACTOR or unit < median / OUTLIER_FACTOR:
            out.append(
                PriceFinding(
                    o.cloud,
                    o.machine_type,
                    f"${unit:.2f} per {o.accelerator}-hour is an outlier against the median ${median:.2f}",
                )
            )
    return out
