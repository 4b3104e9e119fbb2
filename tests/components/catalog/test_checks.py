"""``catalog --check`` with teeth: stale prices, implausible spot ratios, generation inversions."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from components.catalog import Catalog, get_catalog, load_raw
from components.catalog.checks import STALE_DAYS, price_findings
from components.catalog.model import Price
from components.cli import main


def with_price(machine: str, price: Price) -> Catalog:
    cat = Catalog(load_raw())
    cat.offers = [dataclasses.replace(o, price=price) if o.machine_type == machine else o for o in cat.offers]
    return cat


def checks(cat: Catalog, today: date | None = None) -> list[tuple[str, str, str]]:
    return [(f.check, f.machine_type, f.problem) for f in price_findings(cat, today)]


def test_spot_below_15_percent_of_on_demand_is_flagged() -> None:
    found = checks(with_price("g2-standard-12", Price("us-central1", 1.0, 0.12)))
    assert (
        "spot-ratio",
        "g2-standard-12",
        "spot $0.12/h is 12% of on-demand $1.00/h, below 15%: a scraped or wrong-region figure?",
    ) in found
    assert not [
        f for f in checks(with_price("g2-standard-12", Price("us-central1", 1.0, 0.15))) if f[0] == "spot-ratio"
    ]


def test_spot_above_on_demand_is_flagged_for_tpus_too() -> None:
    cat = Catalog(load_raw())
    v6e = cat.tpus["v6e"]
    cat.tpus["v6e"] = dataclasses.replace(v6e, price=Price("us-east5", 2.7, 2.8))
    assert ("spot-ratio", "tpu-v6e", "spot $2.80/chip-h is not below on-demand $2.70/chip-h") in checks(cat)


def test_a_newer_generation_cheaper_than_an_older_one_is_for_a_human_to_confirm() -> None:
    # p5en (H200) below p5 (H100) on AWS, both 8 per node
    found = checks(with_price("p5en.48xlarge", Price("us-east-1", 50.0)))
    assert (
        "generation",
        "p5en.48xlarge",
        "confirm: newer H200 at $50.00/h is cheaper than older H100-80GB on p5.48xlarge at $55.04/h (8 per node)",
    ) in found
    # a recorded confirmation silences it
    cat = with_price("p5en.48xlarge", Price("us-east-1", 50.0))
    cat.confirmed_generation_prices = frozenset({*cat.confirmed_generation_prices, ("aws", "H200", "H100-80GB")})
    assert not [f for f in checks(cat) if f[1] == "p5en.48xlarge"]


def test_gcp_h200_below_h100_is_recorded_as_confirmed() -> None:
    cat = get_catalog()
    assert ("gcp", "H200", "H100-80GB") in cat.confirmed_generation_prices
    assert not [f for f in checks(cat) if f[0] == "generation" and f[1].startswith("a3-")]


def test_prices_older_than_90_days_are_stale() -> None:
    cat = get_catalog()
    a3 = cat.offer_by_machine_type("gcp", "a3-highgpu-8g")
    assert a3 is not None and a3.price.as_of == "2026-09-26"
    on_the_day = date.fromisoformat("2026-09-26")
    fresh = {f[1] for f in checks(cat, on_the_day + timedelta(days=STALE_DAYS)) if f[0] == "stale"}
    stale = {f[1] for f in checks(cat, on_the_day + timedelta(days=STALE_DAYS + 1)) if f[0] == "stale"}
    assert "a3-highgpu-8g" not in fresh and "a3-highgpu-8g" in stale
    # rows without a price date of their own age with the row
    old = [f for f in checks(cat, date(2026, 12, 1)) if f[1] == "g6.xlarge"]
    assert old == [
        (
            "stale",
            "g6.xlarge",
            "price as of 2026-01-15 is 320 days old (over 90); refresh it "
            "(aiinfra prices refresh, then aiinfra prices update-catalog)",
        )
    ]
    assert not [f for f in checks(cat) if f[0] == "stale"]  # only with a date


def test_catalog_check_command_reports_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--check", "--format", "json"]) == 0
    import json

    doc = json.loads(capsys.readouterr().out)
    kinds = {f["check"] for f in doc["priceFindings"]}
    assert "generation" in kinds
    p5 = next(
        o
        for a in doc["accelerators"]
        if a["name"] == "H100-80GB"
        for o in a["offers"]
        if o["machine_type"] == "p5.48xlarge"
    )
    assert p5["family"] == "p5"


def test_a_storage_price_ages_by_its_own_date_not_its_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    """gcp nfs (Filestore): its sizes were re-read on 2026-11-26 (``asOf``), its price was not
    (``priceAsOf``). The price was called fresh, and plans said "as of 2026-11-26" beside it."""
    cat = Catalog(load_raw())
    nfs = cat.storage[("gcp", "nfs")]
    assert nfs.as_of == "2026-11-26" and nfs.base is not None and nfs.base.price_as_of == "2026-01-15"
    stale = {(f.cloud, f.machine_type) for f in price_findings(cat, date(2026, 12, 2)) if f.check == "stale"}
    assert ("gcp", "storage nfs") in stale
    assert {("gcp", f"storage lustre/{t}") for t in (125, 250, 500, 1000)} <= stale  # each tier by its own


def test_catalog_check_text_keeps_each_item_whole(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """"storage lustre/250" is one item: rich broke it at its space; lines after the first hang."""
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["catalog", "--check"]) == 0
    out = capsys.readouterr().out
    stale = out[out.rindex("\n", 0, out.index("[stale]")) + 1 :]
    lines = stale.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert not [line for line in lines if line.rstrip().endswith(" storage") or line.lstrip().startswith("lustre/")]
    assert all(line.startswith(("  [", "      ")) for line in lines if line.strip())
