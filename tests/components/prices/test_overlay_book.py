"""The price overlay format (JSON Schema, errors) and the price book's lookups and discounts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.catalog import get_catalog
from components.prices.book import PriceBook, machine_family
from components.prices.overlay import OverlayError, load_overlay, parse_overlay, schema


def row(
    offer: str = "p5.48xlarge",
    region: str = "us-east-1",
    capacity: str = "on-demand",
    usd: float = 60.0,
    cloud: str = "aws",
    kind: str = "machine",
    unit: str = "node-hour",
) -> dict[str, Any]:
    return {
        "cloud": cloud,
        "kind": kind,
        "offer": offer,
        "region": region,
        "capacity": capacity,
        "priceUsd": usd,
        "unit": unit,
        "source": "https://example.test/prices",
        "fetchedAt": "2026-11-30T00:00:00Z",
    }


def doc(*rows: dict[str, Any], discounts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"schema": "aiinfra-price-overlay/v1", "prices": list(rows)}
    if discounts is not None:
        out["discounts"] = discounts
    return out


def book(*rows: dict[str, Any], discounts: list[dict[str, Any]] | None = None) -> PriceBook:
    return PriceBook(get_catalog(), [parse_overlay(doc(*rows, discounts=discounts), "o.json")])


def test_the_schema_is_published_and_strict() -> None:
    s = schema()
    assert s["$id"] == "https://ai-infra.dev/schemas/price-overlay/v1.json"
    with pytest.raises(OverlayError, match=r"o.json: prices\[0\]: 'fetchedAt' is a required property"):
        parse_overlay(doc({k: v for k, v in row().items() if k != "fetchedAt"}), "o.json")
    with pytest.raises(OverlayError, match=r"o.json: prices\[0\].capacity: 'reserved' is not one of"):
        parse_overlay(doc(row(capacity="reserved")), "o.json")
    with pytest.raises(OverlayError, match=r"\(top level\): Additional properties are not allowed \('price' was"):
        parse_overlay({"schema": "aiinfra-price-overlay/v1", "price": []}, "o.json")
    with pytest.raises(OverlayError, match=r"prices\[0\].unit: a tpu price is per chip-hour, not per node-hour"):
        parse_overlay(doc(row(offer="v5p", kind="tpu", cloud="gcp")), "o.json")
    with pytest.raises(
        OverlayError, match=r"prices\[1\]: aws p5.48xlarge in us-east-1 \(on-demand\) is already priced"
    ):
        parse_overlay(doc(row(), row(usd=61)), "o.json")


def test_load_errors_name_the_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(OverlayError, match="cannot read the price overlay"):
        load_overlay(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "aiinfra-price-overlay/v1",\n "prices": [,]}')
    with pytest.raises(OverlayError, match=r"bad.json:2: not valid JSON"):
        load_overlay(bad)


def test_round_trip(tmp_path: Path) -> None:
    ov = parse_overlay(doc(row(), discounts=[{"cloud": "aws", "family": "p5", "percent": 20}]), "o.json")
    again = parse_overlay(json.loads(ov.dumps()), "again")
    assert again.prices == ov.prices and again.discounts == ov.discounts


def test_region_choice_hint_then_reference_then_sole_region() -> None:
    p5 = get_catalog().offer_by_machine_type("aws", "p5.48xlarge")
    assert p5 is not None
    b = book(row(region="us-west-2", usd=58.0), row(region="us-east-1", usd=60.0))
    assert b.offer(p5, "us-west-2").on_demand_usd == 58.0
    assert b.offer(p5, "eu-west-1").on_demand_usd == 60.0  # the catalog's reference region
    assert b.offer(p5, None).on_demand_usd == 60.0
    only_west = book(row(region="us-west-2", usd=58.0))
    assert only_west.offer(p5, None).on_demand_usd == 58.0  # unknown region: the only one priced
    fig = only_west.offer(p5, "eu-west-1").on_demand  # a known region without a row: the catalog
    assert fig is not None and fig.snapshot == "catalog" and fig.usd == p5.price.on_demand_usd
    # spot comes from the catalog when the overlay has none (p5 has no catalog spot: none)
    assert book(row()).offer(p5, "us-east-1").spot is None


def test_later_overlays_win_and_discounts_do_not_stack() -> None:
    p5 = get_catalog().offer_by_machine_type("aws", "p5.48xlarge")
    assert p5 is not None
    first = parse_overlay(doc(row(usd=60.0)), "first.json")
    second = parse_overlay(
        doc(
            row(usd=62.0),
            discounts=[{"cloud": "aws", "percent": 10}, {"cloud": "aws", "accelerator": "h100", "percent": 20}],
        ),
        "second.json",
    )
    b = PriceBook(get_catalog(), [first, second])
    fig = b.offer(p5, "us-east-1").on_demand
    assert fig is not None and fig.snapshot == "second.json"
    assert fig.usd == pytest.approx(62.0 * 0.8) and fig.list_usd == 62.0  # the accelerator rule, not 10% + 20%
    g6 = get_catalog().offer_by_machine_type("aws", "g6.xlarge")
    assert g6 is not None and b.offer(g6).on_demand_usd == pytest.approx((g6.price.on_demand_usd or 0) * 0.9)


@pytest.mark.parametrize(
    ("cloud", "machine", "family"),
    [
        ("gcp", "a3-highgpu-8g", "a3"),
        ("aws", "p5en.48xlarge", "p5en"),
        ("azure", "Standard_ND96isr_H100_v5", "NDH100v5"),
        ("azure", "Standard_NC24ads_A100_v4", "NCA100v4"),
        ("azure", "Standard_ND96asr_v4", "NDv4"),
    ],
)
def test_machine_families(cloud: str, machine: str, family: str) -> None:
    assert machine_family(cloud, machine) == family


def test_azure_family_discount_matches_loosely_written_names() -> None:
    nd = get_catalog().offer_by_machine_type("azure", "Standard_ND96isr_H100_v5")
    assert nd is not None
    b = book(discounts=[{"cloud": "azure", "family": "ND H100 v5", "percent": 25}])
    assert b.offer(nd).on_demand_usd == pytest.approx((nd.price.on_demand_usd or 0) * 0.75)


def test_tpu_and_storage_lookups() -> None:
    cat = get_catalog()
    v5p = cat.tpu("v5p")
    assert v5p is not None
    b = book(
        row(cloud="gcp", kind="tpu", offer="v5p", region="us-east5", capacity="spot", usd=1.5, unit="chip-hour"),
        row(cloud="aws", kind="storage", offer="lustre/250", region="us-east-1", usd=0.2, unit="GiB-month"),
    )
    q = b.tpu(v5p, "us-east5")
    assert q.spot_usd == 1.5 and q.on_demand_usd == v5p.price.on_demand_usd
    lustre = cat.storage_offer("aws", "lustre")
    assert lustre is not None
    sq = b.storage(lustre, 250, "us-east-1")
    assert sq is not None and sq.on_demand_usd == 0.2
    assert b.storage(lustre, 1000, "us-east-1").on_demand_usd == lustre.tiers[1000].price_usd_per_gib_month  # type: ignore[union-attr]


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["schema", "prices", "discounts", "missing", "note"]), json_values) | json_values
)
def test_no_document_however_malformed_raises_anything_but_overlay_error(document: Any) -> None:
    try:
        parse_overlay(document, "fuzz.json")
    except OverlayError as exc:
        assert str(exc).startswith(("not a valid price overlay", "fuzz.json"))
