"""Sanity checks over the catalog's prices: what a reviewer of a catalog change should see.

- ``missing``: an offer without an on-demand price;
- ``spot-ratio``: spot below 15% of on-demand (a scraped figure, a wrong region) or not below
  on-demand (a discount that is not one);
- ``outlier``: a price per accelerator-hour far from the median of the same accelerator
  across clouds (scraped data often mixes GPU-only and host prices);
- ``generation``: a newer accelerator priced below the one it supersedes on the same cloud and
  node shape (``data/generations.yaml``), for a human to confirm and record;
- ``stale`` (when ``today`` is given, as ``aiinfra catalog --check`` does): prices older than
  90 days.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from components.catalog import Catalog
from components.catalog.model import StorageTier

# An offer priced beyond this factor of its accelerator's cross-cloud median per
# accelerator-hour is flagged. Real spreads between clouds stay well inside 2.5x.
OUTLIER_FACTOR = 2.5
#: Spot below this fraction of on-demand is flagged (real spot discounts stay above it).
SPOT_MIN_RATIO = 0.15
#: Prices older than this many days are flagged as stale.
STALE_DAYS = 90


@dataclass(frozen=True)
class PriceFinding:
    """One suspicious price row."""

    cloud: str
    machine_type: str
    problem: str
    check: str = "price"  # missing | spot-ratio | outlier | generation | stale


def spot_ratio_problem(od: float, spot: float | None, unit: str) -> str | None:
    """Why a spot price is implausible against its on-demand price, or None."""
    if spot is None:
        return None
    if spot >= od:
        return f"spot ${spot:.2f}/{unit} is not below on-demand ${od:.2f}/{unit}"
    if spot < od * SPOT_MIN_RATIO:
        return (
            f"spot ${spot:.2f}/{unit} is {spot / od:.0%} of on-demand ${od:.2f}/{unit}, below "
            f"{SPOT_MIN_RATIO:.0%}: a scraped or wrong-region figure?"
        )
    return None


def _ratio_finding(cloud: str, item: str, od: float, spot: float | None, unit: str) -> PriceFinding | None:
    problem = spot_ratio_problem(od, spot, unit)
    return PriceFinding(cloud, item, problem, "spot-ratio") if problem else None


def _generation_findings(cat: Catalog) -> list[PriceFinding]:
    out: list[PriceFinding] = []
    for newer, olders in cat.supersedes.items():
        for older in olders:
            for cloud in ("gcp", "azure", "aws"):
                if (cloud, newer, older) in cat.confirmed_generation_prices:
                    continue
                for n in cat.offers_for(cloud, newer):
                    for o in cat.offers_for(cloud, older):
                        if n.accelerators_per_node != o.accelerators_per_node:
                            continue
                        np, op = n.price.on_demand_usd, o.price.on_demand_usd
                        if np is not None and op is not None and np < op:
                            out.append(
                                PriceFinding(
                                    cloud,
                                    n.machine_type,
                                    f"confirm: newer {newer} at ${np:.2f}/h is cheaper than older {older} on "
                                    f"{o.machine_type} at ${op:.2f}/h ({n.accelerators_per_node} per node)",
                                    "generation",
                                )
                            )
    tpus = {t.accelerator: t for t in cat.tpus.values()}
    for newer, olders in cat.supersedes.items():
        for older in olders:
            nt, ot = tpus.get(newer), tpus.get(older)
            if nt is None or ot is None or ("gcp", newer, older) in cat.confirmed_generation_prices:
                continue
            np, op = nt.price.on_demand_usd, ot.price.on_demand_usd
            if np is not None and op is not None and np < op:
                out.append(
                    PriceFinding(
                        "gcp",
                        f"tpu-{nt.version}",
                        f"confirm: newer {newer} at ${np:.2f}/chip-h is cheaper than older {older} at ${op:.2f}/chip-h",
                        "generation",
                    )
                )
    return out


def _stale_findings(cat: Catalog, today: date) -> list[PriceFinding]:
    out: list[PriceFinding] = []
    rows: list[tuple[str, str, str]] = [(o.cloud, o.machine_type, o.price.as_of or o.as_of) for o in cat.offers]
    rows += [("gcp", f"tpu-{t.version}", t.price.as_of or t.as_of) for t in cat.tpus.values()]
    # a storage price by its own date (the row's asOf dates the sizes and limits)
    for s in cat.storage.values():
        priced: list[tuple[str, StorageTier | None]] = [
            (f"storage {s.kind}/{k}", t) for k, t in sorted(s.tiers.items())
        ]
        rows += [(s.cloud, item, t.price_as_of) for item, t in priced or [(f"storage {s.kind}", s.base)] if t]
    for cloud, item, as_of in rows:
        age = (today - date.fromisoformat(as_of)).days
        if age > STALE_DAYS:
            out.append(
                PriceFinding(
                    cloud,
                    item,
                    f"price as of {as_of} is {age} days old (over {STALE_DAYS}); refresh it "
                    "(aiinfra prices refresh, then aiinfra prices update-catalog)",
                    "stale",
                )
            )
    return out


def price_findings(cat: Catalog, today: date | None = None) -> list[PriceFinding]:
    """Every suspicious price in the catalog (empty when the data is sane); staleness only with ``today``."""
    out: list[PriceFinding] = []
    per_accel: dict[str, list[float]] = {}
    for o in cat.offers:
        od, spot = o.price.on_demand_usd, o.price.spot_usd
        if od is None:
            out.append(PriceFinding(o.cloud, o.machine_type, "no on-demand price", "missing"))
            continue
        if (f := _ratio_finding(o.cloud, o.machine_type, od, spot, "h")) is not None:
            out.append(f)
        per_accel.setdefault(o.accelerator, []).append(od / o.accelerators_per_node)
    for t in cat.tpus.values():
        od, spot = t.price.on_demand_usd, t.price.spot_usd
        if od is None:
            out.append(PriceFinding("gcp", f"tpu-{t.version}", "no on-demand price", "missing"))
        elif (f := _ratio_finding("gcp", f"tpu-{t.version}", od, spot, "chip-h")) is not None:
            out.append(f)
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
                    "outlier",
                )
            )
    out += _generation_findings(cat)
    if today is not None:
        out += _stale_findings(cat, today)
    return out
