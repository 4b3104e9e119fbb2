"""Catalog prices kept plausible: bands per accelerator class, and prices against each other.

Prices move (``aiinfra prices refresh`` rewrites them), so nothing here pins a figure. What
holds for any real price list does: an accelerator-hour costs what its class costs, spot is
cheaper than on-demand but not by more than real spot discounts go, the same node shape costs
about the same on every cloud, and a bigger node of the same accelerator costs more. A typo
(a dropped digit, a spot price divided by ten, a figure from the wrong row) breaks one of
these. A real price that breaks one needs a person to confirm it and move the bound here,
knowingly.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest

from components.catalog import get_catalog
from components.catalog.model import Offer

CAT = get_catalog()

# On-demand USD per accelerator-hour (GPU, Neuron chip or TPU chip), by catalog class. The
# 2026 list prices span: frontier $2.9 (Trainium2) to $14.3 (B200); training $1.3
# (Trainium) to $5.0 (A100 80GB on GCP); inference $0.53 (T4) to $3.8 (L40S on g6e.48xlarge).
CLASS_BANDS = {"frontier": (2.0, 20.0), "training": (1.0, 8.0), "inference": (0.25, 5.0)}

# Spot is cheaper than on-demand, and real spot discounts stay under 85%: a spot figure below
# 15% of on-demand is a scraped or wrong-region number.
SPOT_MIN_SHARE = 0.15

# The same accelerator and node size on two clouds: the dearest is at most twice the
# cheapest (list prices differ by up to ~1.8x: H100 x8 on Azure against AWS after AWS's
# 2025 price cut).
CROSS_CLOUD_MAX_RATIO = 2.0


def _per_accelerator(o: Offer) -> float:
    assert o.price.on_demand_usd is not None, f"{o.cloud} {o.machine_type} has no on-demand price"
    return o.price.on_demand_usd / o.accelerators_per_node


@pytest.mark.parametrize("offer", CAT.offers, ids=lambda o: f"{o.cloud}-{o.machine_type}")
def test_on_demand_price_per_accelerator_is_in_its_class_band(offer: Offer) -> None:
    accel_class = CAT.accelerators[offer.accelerator].accel_class
    low, high = CLASS_BANDS[accel_class]
    assert low <= _per_accelerator(offer) <= high, (offer.price, accel_class)


@pytest.mark.parametrize("version", sorted(CAT.tpus))
def test_tpu_price_per_chip_is_in_its_class_band(version: str) -> None:
    tpu = CAT.tpus[version]
    low, high = CLASS_BANDS[CAT.accelerators[tpu.accelerator].accel_class]
    assert tpu.price.on_demand_usd is not None
    assert low <= tpu.price.on_demand_usd <= high, tpu.price


def _priced() -> dict[str, tuple[float, float | None]]:
    """Offer or TPU name -> (on-demand, spot) for everything with an on-demand price."""
    rows = {f"{o.cloud} {o.machine_type}": (o.price.on_demand_usd, o.price.spot_usd) for o in CAT.offers}
    rows |= {f"TPU {t.version}": (t.price.on_demand_usd, t.price.spot_usd) for t in CAT.tpus.values()}
    return {name: (od, spot) for name, (od, spot) in rows.items() if od is not None}


PRICED = _priced()


@pytest.mark.parametrize("name", sorted(PRICED), ids=lambda n: n.replace(" ", "-"))
def test_spot_is_below_on_demand_and_a_real_discount(name: str) -> None:
    on_demand, spot = PRICED[name]
    if spot is None:
        return  # no spot figure: the planner prices spot at on-demand and says so
    assert spot < on_demand, f"{name}: spot {spot} is not below on-demand {on_demand}"
    assert spot >= SPOT_MIN_SHARE * on_demand, f"{name}: spot {spot} is {spot / on_demand:.0%} of {on_demand}"


def test_most_offers_have_a_spot_price_to_check() -> None:
    with_spot = [name for name, (_, spot) in PRICED.items() if spot is not None]
    assert len(with_spot) >= 20, with_spot


def _shapes_on_several_clouds() -> dict[tuple[str, int], list[Offer]]:
    shapes: dict[tuple[str, int], list[Offer]] = defaultdict(list)
    for o in CAT.offers:
        shapes[(o.accelerator, o.accelerators_per_node)].append(o)
    return {k: v for k, v in shapes.items() if len({o.cloud for o in v}) > 1}


def test_some_shapes_are_compared_across_clouds() -> None:
    compared = _shapes_on_several_clouds()
    assert {("H100-80GB", 8), ("H200", 8), ("A100-80GB", 8), ("T4", 1), ("L4", 8)} <= set(compared)


@pytest.mark.parametrize("shape", sorted(_shapes_on_several_clouds()), ids=lambda s: f"{s[0]}x{s[1]}")
def test_same_shape_costs_about_the_same_on_every_cloud(shape: tuple[str, int]) -> None:
    offers = _shapes_on_several_clouds()[shape]
    for a, b in itertools.permutations(offers, 2):
        if a.cloud != b.cloud:
            ratio = _per_accelerator(a) / _per_accelerator(b)
            assert ratio <= CROSS_CLOUD_MAX_RATIO, (
                f"{a.cloud} {a.machine_type} ${a.price.on_demand_usd}/h is {ratio:.2f}x "
                f"{b.cloud} {b.machine_type} ${b.price.on_demand_usd}/h"
            )


def _default_ladders() -> dict[tuple[str, str], list[Offer]]:
    ladders: dict[tuple[str, str], list[Offer]] = defaultdict(list)
    for o in CAT.offers:
        if o.default:
            ladders[(o.cloud, o.accelerator)].append(o)
    return {k: sorted(v, key=lambda o: o.accelerators_per_node) for k, v in ladders.items() if len(v) > 1}


@pytest.mark.parametrize("ladder", sorted(_default_ladders()), ids=lambda k: f"{k[0]}-{k[1]}")
def test_a_bigger_node_of_the_same_accelerator_costs_more(ladder: tuple[str, str]) -> None:
    offers = _default_ladders()[ladder]
    prices = [o.price.on_demand_usd for o in offers]
    assert prices == sorted(prices) and len(set(prices)) == len(prices), [
        (o.machine_type, o.price.on_demand_usd) for o in offers
    ]
