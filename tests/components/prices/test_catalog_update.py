"""The maintainers' catalog refresh: an overlay applied to the shipped data files as a diff."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from components.catalog import Catalog, load_raw
from components.cli import main
from components.prices import catalog_update
from components.prices.overlay import load_overlay, parse_overlay

REPO = Path(__file__).resolve().parents[3]
REVIEW = REPO / "docs" / "prices" / "2026-12-01-review.json"


def test_the_shipped_catalog_is_the_review_overlay_applied() -> None:
    """docs/prices.md's refresh record and the data agree: applying it again changes nothing."""
    files, changes, skipped = catalog_update.plan_changes(load_overlay(REVIEW))
    assert (files, changes) == ({}, [])
    assert skipped == ["gcp tpu-v5p spot in us-central1: the catalog quotes us-east5"]


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "data"
    shutil.copytree(catalog_update.data_dir(), target)
    monkeypatch.setattr(catalog_update, "data_dir", lambda: target)
    return target


def overlay(tmp_path: Path) -> Path:
    rows = [
        ("aws", "machine", "g6.xlarge", "us-east-1", "on-demand", 0.7, "node-hour"),
        ("aws", "machine", "g6.xlarge", "us-east-1", "spot", 0.31, "node-hour"),
        ("aws", "machine", "g6.xlarge", "us-west-2", "on-demand", 0.9, "node-hour"),
        ("gcp", "tpu", "v5e", "us-central1", "on-demand", 1.1, "chip-hour"),
        ("aws", "storage", "block", "us-east-1", "on-demand", 0.079, "GiB-month"),
        ("gcp", "storage", "lustre/250", "us-central1", "on-demand", 0.2, "GiB-month"),
        ("azure", "machine", "Standard_Nope", "eastus", "on-demand", 1.0, "node-hour"),
    ]
    doc = {
        "schema": "aiinfra-price-overlay/v1",
        "prices": [
            {
                "cloud": c,
                "kind": k,
                "offer": o,
                "region": r,
                "capacity": cap,
                "priceUsd": p,
                "unit": u,
                "source": "https://api.example.test/prices (recorded)",
                "fetchedAt": "2026-12-01T10:00:00Z",
            }
            for c, k, o, r, cap, p, u in rows
        ],
    }
    path = tmp_path / "o.json"
    path.write_text(json.dumps(doc))
    return path


def test_changes_are_shown_as_a_diff_then_written(
    data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = overlay(tmp_path)
    before = (data_copy / "aws.yaml").read_text()
    assert main(["prices", "update-catalog", str(path)]) == 0
    out = capsys.readouterr()
    assert (data_copy / "aws.yaml").read_text() == before  # not written without --write
    # the summary: comments above the diff, wrapped to the terminal (compared by their words)
    notes = " ".join(line[1:].strip() for line in out.out.splitlines() if line.startswith("#"))
    notes = " ".join(notes.split())
    assert notes.startswith("5 catalog prices change (o.json)")
    assert (
        "aws g6.xlarge onDemandUsd (us-east-1): 0.805 -> 0.7 (-13.0%) "
        "[https://api.example.test/prices, 2026-12-01]" in notes
    )
    assert "aws g6.xlarge spotUsd (us-east-1): - -> 0.31" in notes
    assert "skipped: aws g6.xlarge on-demand in us-west-2: the catalog quotes us-east-1" in notes
    assert "skipped: azure Standard_Nope: not a catalog machine type" in notes
    assert (
        '+     price: {region: us-east-1, onDemandUsd: 0.7, spotUsd: 0.31, source: "https://api.example.test/prices", '
        'asOf: "2026-12-01"},'
    ) in out.out
    assert "not written (add --write to apply)" in out.err

    assert main(["prices", "update-catalog", str(path), "--write"]) == 0
    raw = {name: yaml.safe_load((data_copy / name).read_text()) for name in load_raw()}
    cat = Catalog(raw)  # the rewritten files still load (and keep every other field)
    g6 = cat.offer_by_machine_type("aws", "g6.xlarge")
    assert g6 is not None and (g6.price.on_demand_usd, g6.price.spot_usd, g6.price.as_of) == (0.7, 0.31, "2026-12-01")
    assert g6.as_of == "2026-01-15"  # the row's shape facts keep their own date
    assert cat.tpus["v5e"].price.on_demand_usd == 1.1
    assert cat.storage[("aws", "block")].base.price_usd_per_gib_month == 0.079  # type: ignore[union-attr]
    assert cat.storage[("gcp", "lustre")].tiers[250].price_usd_per_gib_month == 0.2
    # a storage price is dated and sourced as it is written (the row's asOf dates its sizes)
    block, lustre = cat.storage[("aws", "block")], cat.storage[("gcp", "lustre")]
    assert block.base is not None and (block.base.price_as_of, block.base.price_source) == (
        "2026-12-01",
        "https://api.example.test/prices",
    )
    assert (lustre.tiers[250].price_as_of, lustre.tiers[500].price_as_of) == ("2026-12-01", "2026-01-15")
    assert lustre.as_of == "2026-01-15" and block.as_of == "2026-11-26"
    from datetime import date

    from components.catalog.checks import price_findings

    stale = {(f.cloud, f.machine_type) for f in price_findings(cat, date(2026, 12, 2)) if f.check == "stale"}
    # gcp nfs: its sizes were re-read on 2026-11-26, its price was not
    assert {("gcp", "storage lustre/500"), ("gcp", "storage nfs")} <= stale
    assert not {("gcp", "storage lustre/250"), ("aws", "storage block")} & stale
    assert "# Sources: machine shapes" in (data_copy / "gcp.yaml").read_text()  # comments kept
    # applying it again is a no-op
    files, changes, _ = catalog_update.plan_changes(parse_overlay(json.loads(path.read_text()), "o.json"))
    assert changes == [] and files == {}


def test_an_invalid_overlay_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "something-else"}')
    assert main(["prices", "update-catalog", str(bad)]) == 2
    # compared by words: the message wraps to the terminal, and where depends on the path's length
    assert "schema: 'aiinfra-price-overlay/v1' was expected" in " ".join(capsys.readouterr().err.split())


def test_the_implausible_azure_spot_figures_stay_removed() -> None:
    """docs/prices.md: NC A100 v4 and NC T4 v3 spot figures (12% of on-demand) were removed."""
    from components.catalog import get_catalog

    cat = get_catalog()
    for size in ("NC24ads_A100_v4", "NC48ads_A100_v4", "NC96ads_A100_v4", "NC4as_T4_v3", "NC8as_T4_v3", "NC64as_T4_v3"):
        offer = cat.offer_by_machine_type("azure", f"Standard_{size}")
        assert offer is not None and offer.price.spot_usd is None, size
