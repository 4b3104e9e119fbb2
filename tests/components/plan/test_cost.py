"""Cost roll-up from the catalog: per-line figures, capacity pricing and the assumptions stated."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from components.catalog import get_catalog
from components.plan.cost import HOURS_PER_MONTH, NOT_PRICED, count_accelerators, pool_line, price_fleet
from components.spec import load_fleet_object
from tests.components.plan.helpers import AWS_FLEET, GCP_FLEET


def _lines(spec: dict[str, Any]) -> dict[str, Any]:
    fleet, _ = load_fleet_object(spec, "test")
    return {line.name: line for line in price_fleet(fleet, "s").lines}


def test_gcp_train_lines() -> None:
    lines = _lines(GCP_FLEET)
    h100, v5p, lustre = lines["h100"], lines["v5p"], lines["datasets"]
    a3 = get_catalog().offer_by_machine_type("gcp", "a3-highgpu-8g")
    assert a3 is not None and a3.price.on_demand_usd is not None
    assert (h100.hourly_usd_at_min, h100.hourly_usd_at_max) == (0, pytest.approx(4 * a3.price.on_demand_usd))
    assert h100.monthly_usd_at_max == pytest.approx(h100.hourly_usd_at_max * HOURS_PER_MONTH)
    tpu = get_catalog().tpu("v5p")
    assert tpu is not None and tpu.price.spot_usd is not None
    assert v5p.hourly_usd_at_min == v5p.hourly_usd_at_max == pytest.approx(16 * tpu.price.spot_usd)
    assert lustre.hourly_usd_at_max == pytest.approx(36000 * 0.21 / HOURS_PER_MONTH)
    assert lustre.monthly_usd_at_max == pytest.approx(36000 * 0.21)


def test_multislice_count_multiplies_chips() -> None:
    spec = copy.deepcopy(GCP_FLEET)
    spec["clusters"][0]["tpuSlices"][0]["count"] = 3
    fleet, _ = load_fleet_object(spec, "test")
    assert {line.name: line.units_at_max for line in price_fleet(fleet, "s").lines}["v5p"] == 48
    assert count_accelerators(fleet).to_json()["byName"]["TPU-v5p"] == 48


def test_a_row_names_its_scale_once() -> None:
    # the renderers added ", 16 chips" after a SKU that already said "(2x2x4, 16 chips)"
    one = _lines(GCP_FLEET)
    assert one["v5p"].scaled_sku == "ct5p-hightpu-4t x 4 (2x2x4, 16 chips)"
    assert one["h100"].scaled_sku == "a3-highgpu-8g × 0-4 nodes"
    spec = copy.deepcopy(GCP_FLEET)
    spec["clusters"][0]["tpuSlices"][0]["count"] = 3
    assert _lines(spec)["v5p"].scaled_sku == "ct5p-hightpu-4t x 4 (2x2x4, 16 chips) x 3 slices (48 chips)"


def test_spot_without_a_spot_price_is_priced_on_demand_and_says_so() -> None:
    spec = copy.deepcopy(GCP_FLEET)
    spec["clusters"][0]["gpuPools"][0]["capacity"] = "spot"
    fleet, _ = load_fleet_object(spec, "test")
    cluster = fleet.clusters[0]
    pool = cluster.pools[0]
    # the same offer with no spot price in the catalog
    offer = dataclasses.replace(pool.offer, price=dataclasses.replace(pool.offer.price, spot_usd=None))
    line = pool_line("s", cluster, dataclasses.replace(pool, offer=offer))
    assert line.unit_price_usd == line.on_demand_unit_price_usd == pool.offer.price.on_demand_usd
    assert any("no spot price" in a and "upper bound" in a for a in line.assumptions)


def test_spot_priced_on_demand_says_so_on_its_row() -> None:
    # bug: the row said "spot" and showed the on-demand price, with the reason only in a footnote
    import io

    from components.plan import report_markdown, report_text
    from components.plan.cost import CostReport
    from components.plan.engine import PlanReport, StackPlan

    spec = copy.deepcopy(GCP_FLEET)
    spec["clusters"][0]["gpuPools"][0]["capacity"] = "spot"
    fleet, _ = load_fleet_object(spec, "test")
    cluster, pool = fleet.clusters[0], fleet.clusters[0].pools[0]
    offer = dataclasses.replace(pool.offer, price=dataclasses.replace(pool.offer.price, spot_usd=None))
    line = pool_line("s", cluster, dataclasses.replace(pool, offer=offer))
    assert line.capacity == "spot" and line.priced_as == "on-demand (no spot price)"
    assert line.to_json()["pricedAs"] == "on-demand (no spot price)"
    priced = pool_line("s", cluster, pool)
    assert priced.priced_as == "spot" and priced.capacity_text == "spot"
    report = PlanReport([StackPlan(file="f", stack="s", cost=CostReport([line]))])
    (row,) = [r for r in report_markdown.cost_section(report) if "train/h100" in r]
    assert "spot, priced on-demand (no spot price)" in row
    # the cross-cloud equivalents row names the same pricing for the pool itself
    ((_, cells),) = report_markdown.equivalent_rows(report)
    assert cells["gcp"].endswith("(a3-highgpu-8g x 4, spot, priced on-demand (no spot price), this pool)")
    spot_priced = PlanReport([StackPlan(file="f", stack="s", cost=CostReport([priced]))])
    ((_, cells),) = report_markdown.equivalent_rows(spot_priced)
    assert cells["gcp"].endswith("(a3-highgpu-8g x 4, spot, this pool)")
    buf = io.StringIO()
    report_text.render(report, buf, color=False, width=200)
    assert "priced on-demand" in buf.getvalue()


def test_reserved_is_priced_on_demand_with_the_assumption() -> None:
    spec = copy.deepcopy(AWS_FLEET)
    spec["clusters"][0]["gpuPools"][0].update(capacity="reserved", reservation="cr-0123456789abcdef0")
    line = _lines(spec)["p5"]
    assert line.unit_price_usd == line.on_demand_unit_price_usd
    assert any("reservation is billed whether or not nodes run" in a for a in line.assumptions)


def test_report_totals_and_budget_basis() -> None:
    fleet, _ = load_fleet_object(GCP_FLEET, "test")
    report = price_fleet(fleet, "s")
    assert report.hourly_usd == pytest.approx(sum(x.hourly_usd_at_max for x in report.lines))
    # budgets are checked against on-demand prices at max scale: the spot TPU counts at on-demand
    assert report.on_demand_hourly_usd > report.hourly_usd
    assert report.assumptions()[-1] == NOT_PRICED
    doc = report.to_json()
    assert doc["complete"] is True and doc["hoursPerMonth"] == 730
