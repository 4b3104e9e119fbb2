"""``aiinfra size`` priced by the price book the plan and the pack use: ``--prices`` overlays,
discounts, a policy config's ``prices``; an overlay that changes the ranking; the snapshot
behind each candidate in the output; and the emitted spec planned (and judged by the pack) at
the same prices."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.catalog import get_catalog
from components.cli import main
from components.prices.book import PriceBook
from components.prices.overlay import parse_overlay
from components.sizing.candidates import policy_notes, size_workload
from components.sizing.emit import fleet_spec
from components.sizing.workload import Workload, check_workload
from tests.components.prices.test_overlay_book import doc, row

WORKLOAD = """\
name: llama
kind: training
parameters: 70e9
tokens: 2e12
deadlineHours: 720
candidates:
  accelerators: [B200, TPU-v6e]
"""


def _tpu(region: str, usd: float) -> dict[str, Any]:
    """An overlay row pricing a TPU v6e chip-hour."""
    return row("v6e", region, usd=usd, cloud="gcp", kind="tpu", unit="chip-hour")


# TPU v6e at $6.00 a chip-hour instead of the catalog's $2.70, and 40% off AWS p6-b200
RATES = doc(
    _tpu("us-east5", 6.00),
    discounts=[{"cloud": "aws", "family": "p6-b200", "percent": 40, "note": "enterprise agreement"}],
)


def _write(tmp_path: Path, name: str, doc: Any) -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def _workload() -> Workload:
    w, issues = check_workload(yaml.safe_load(WORKLOAD), "llama.yaml")
    assert w is not None, issues
    return w


def _size(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["size", *args, "--format", "json"]) == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


def _ranking(doc: dict[str, Any]) -> list[str]:
    return [f"{c['cloud']} {d['machineType']}" for c, d in zip(doc["candidates"], doc["candidateDetails"], strict=True)]


def test_an_overlay_changes_the_ranking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = _write(tmp_path, "llama.yaml", WORKLOAD)
    catalog = _size(capsys, str(work))
    assert _ranking(catalog) == ["gcp ct6e-standard-4t", "gcp a4-highgpu-8g", "aws p6-b200.48xlarge"]
    assert catalog["prices"] == "catalog list prices"

    rates = _write(tmp_path, "rates.json", RATES)
    priced = _size(capsys, str(work), "--prices", str(rates))
    # the discounted p6-b200 is now the cheapest run, and v6e at $6.00 the dearest
    assert _ranking(priced) == ["aws p6-b200.48xlarge", "gcp a4-highgpu-8g", "gcp ct6e-standard-4t"]
    by = {d["machineType"]: (c, d) for c, d in zip(priced["candidates"], priced["candidateDetails"], strict=True)}
    _p6, p6_detail = by["p6-b200.48xlarge"]
    list_usd = get_catalog().offer_by_machine_type("aws", "p6-b200.48xlarge").price.on_demand_usd  # type: ignore[union-attr]
    assert p6_detail["price"]["listUsd"] == list_usd and p6_detail["price"]["usd"] == pytest.approx(list_usd * 0.6)
    assert p6_detail["price"]["discount"]["percent"] == 40
    v6e, v6e_detail = by["ct6e-standard-4t"]
    assert v6e_detail["price"] == {
        "usd": 6.0,
        "listUsd": 6.0,
        "unit": "chip-hour",
        "region": "us-east5",
        "snapshot": "rates.json",
        "source": "https://example.test/prices",
        "asOf": "2026-11-30",
        "discount": None,
    }
    assert v6e["hourlyUsd"] == pytest.approx(1024 * 6.0 + v6e["storage"]["hourlyUsd"], abs=0.01)
    assert priced["prices"] == "price overlay rates.json over catalog list prices"


def test_the_text_says_which_snapshot_priced_each_candidate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one line per price, as a wide terminal shows them
    work = _write(tmp_path, "llama.yaml", WORKLOAD)
    rates = _write(tmp_path, "rates.json", RATES)
    assert main(["size", str(work), "--prices", str(rates)]) == 0
    out = capsys.readouterr().out
    assert "Prices (price overlay rates.json over catalog list prices):" in out
    assert (
        "gcp tpu v6e 16x16 x4: on-demand $6/chip-hour from price overlay rates.json (https://example.test/prices, "
        "us-east5, fetched 2026-11-30)." in out
    )
    assert "aws p6-b200.48xlarge: on-demand $113.9/node-hour catalog list price (us-east-1, as of" in out  # 4 digits
    p6 = get_catalog().offer_by_machine_type("aws", "p6-b200.48xlarge")
    assert p6 is not None and p6.price.on_demand_usd is not None
    assert (
        f"less 40% aws p6-b200 discount (enterprise agreement) = ${p6.price.on_demand_usd * 0.6:,.4g}/node-hour." in out
    )


def test_overlay_prices_in_another_region_move_the_candidate_there() -> None:
    # the only v6e rows are for us-east1: the candidate is priced, and emitted, there
    book = PriceBook(get_catalog(), [parse_overlay(doc(_tpu("us-east1", 2.10)), "e1")])
    w = _workload()
    c = next(c for c in size_workload(w, book).candidates if c.tpu is not None)
    assert c.region == "us-east1" and c.price.usd == 2.10
    cluster = fleet_spec(w, c)["clusters"][0]
    assert (cluster["region"], cluster["zone"]) == ("us-east1", "us-east1-d")


def test_spot_needs_a_spot_price(tmp_path: Path) -> None:
    # no spot row and no catalog spot price: sizing leaves the offer out rather than price it at on-demand
    w, _ = check_workload({**yaml.safe_load(WORKLOAD), "capacity": "spot"}, "llama.yaml")
    assert w is not None
    s = size_workload(w)
    assert {c.accelerator for c in s.candidates} >= {"TPU-v6e"}
    v6e = next(c for c in s.candidates if c.tpu is not None)
    assert v6e.price.usd == get_catalog().tpus["v6e"].price.spot_usd


def test_a_policy_config_prices_entry_prices_the_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = _write(tmp_path, "llama.yaml", WORKLOAD)
    rates = _write(tmp_path, "rates.json", RATES)
    config = json.dumps({"stack-ceilings": {"prices": str(rates)}})
    doc = _size(capsys, str(work), "--policy-config", config)
    assert doc["prices"] == "price overlay rates.json over catalog list prices"
    assert _ranking(doc)[0] == "aws p6-b200.48xlarge"


@pytest.mark.parametrize(
    "content,message",
    [
        (None, "cannot read the price overlay"),
        ("{not json", "not valid JSON"),
        ({"schema": "aiinfra-price-overlay/v1", "prices": [{"cloud": "gcp"}]}, "not a valid price overlay"),
    ],
)
def test_a_bad_overlay_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: Any, message: str
) -> None:
    work = _write(tmp_path, "llama.yaml", WORKLOAD)
    rates = tmp_path / "rates.json" if content is None else _write(tmp_path, "rates.json", content)
    assert main(["size", str(work), "--prices", str(rates)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("aiinfra size: --prices: ") and str(rates) in err and message in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_size_plan_and_pack_agree_on_a_ceiling_an_overlay_decides(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """$4,000/h in prod: v6e at the catalog's $2.70 (1,024 chips: $2,765/h) is within it, at the
    overlay's $6.00 ($6,144/h) it is not. size says so, the emitted spec's plan and the policy pack
    (priced through its config from the same overlay) say so, and a later plan of the stack file,
    which names the overlay in aiinfra:prices, says so at the same price."""
    work = _write(tmp_path, "llama.yaml", WORKLOAD)
    rates = _write(tmp_path, "rates.json", RATES)
    ceiling = json.dumps({"stack-ceilings": {"maxHourlyUsd": {"prod": 4000}}})
    stack = tmp_path / "stacks" / "Pulumi.llama.yaml"

    w = _workload()
    at_catalog = next(c for c in size_workload(w).candidates if c.tpu is not None)
    assert not any(n.startswith("stack-ceilings") for n in policy_notes(at_catalog, "prod", json.loads(ceiling)))

    doc = _size(
        capsys, str(work), "--prices", str(rates), "--policy-config", ceiling, "--emit-spec", str(stack),
        "--pick", "gcp/v6e",
    )  # fmt: skip
    i = next(i for i, d in enumerate(doc["candidateDetails"]) if d.get("tpu"))
    assert "stack-ceilings: $6,144/h; prod allows $4,000/h" in doc["candidateDetails"][i]["policyNotes"]
    emitted = doc["emitted"]
    assert emitted["verdict"] == "fail"
    assert {v["policy"] for v in emitted["violations"]} == {"stack-ceilings"}
    assert all("$4,000/h" in v["message"] for v in emitted["violations"])
    assert emitted["planHourlyUsd"] == pytest.approx(doc["candidates"][i]["hourlyUsd"], abs=0.01)

    config = yaml.safe_load(stack.read_text("utf-8"))["config"]
    assert config["aiinfra:prices"] == ["../rates.json"]  # relative to the project (no Pulumi.yaml: its folder)
    assert main(["plan", str(stack), "--format", "json", "--policy-config", ceiling]) == 1
    plan = json.loads(capsys.readouterr().out)
    assert plan["cost"]["hourlyUsd"] == pytest.approx(emitted["planHourlyUsd"], abs=0.01)
    assert {v["policy"] for v in plan["violations"]} == {"stack-ceilings"}
