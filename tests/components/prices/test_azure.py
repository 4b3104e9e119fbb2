"""``aiinfra prices refresh --cloud azure`` against the Retail Prices API's recorded-format
answers (tests/components/prices/fixtures.py), served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from components.catalog import get_catalog
from components.cli import main
from components.preflight.retry import Backoff
from components.prices.http import PriceApiError
from components.prices.refresh import refresh
from tests.components.prices.fixtures import azure_item, azure_page
from tests.components.prices.server import Recorded, Request, Response, serve
from tests.support.terminal import words

H100 = "Standard_ND96isr_H100_v5"
NC24 = "Standard_NC24ads_A100_v4"
PAGE_SIZE = 10


def recorded_items(region: str = "eastus", drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every catalog Azure size, Linux on-demand and spot, plus the meters that must not leak in."""
    items: list[dict[str, Any]] = []
    for o in get_catalog().offers_for("azure"):
        if o.machine_type in drop:
            continue
        od = {H100: 98.32, NC24: 3.673}.get(o.machine_type, round((o.price.on_demand_usd or 1) * 1.01, 4))
        items.append(azure_item(o.machine_type, region, od))
        items.append(azure_item(o.machine_type, region, round(od * 0.4, 4), spot=True))
        # decoys: Windows costs more, Low Priority / DevTest / reservations less; none may be used
        items.append(azure_item(o.machine_type, region, od * 1.3, windows=True))
        items.append(azure_item(o.machine_type, region, od * 1.3 * 0.4, windows=True, spot=True))
        items.append(azure_item(o.machine_type, region, od * 0.2, low_priority=True))
        items.append(azure_item(o.machine_type, region, od * 0.7, type_="DevTestConsumption"))
        items.append(azure_item(o.machine_type, region, od * 8760 * 0.6, type_="Reservation", unit="1 Year"))
        items.append(azure_item(o.machine_type, "westus2", od * 1.1))
    return items


def handler(items: list[dict[str, Any]]) -> Any:
    def answer(req: Request, state: Recorded) -> Response:
        assert req.path == "/api/retail/prices"
        skip = int(req.query.get("$skip", "0"))
        page = items[skip : skip + PAGE_SIZE]
        nxt = None
        if skip + PAGE_SIZE < len(items):
            # the real API links its own host; the fetcher moves the link onto --endpoint
            query = urllib.parse.urlencode({"$filter": req.query["$filter"], "$skip": skip + PAGE_SIZE})
            nxt = f"https://prices.azure.com:443/api/retail/prices?{query}"
        return Response(body=json.dumps(azure_page(page, nxt)).encode())

    return answer


def fast() -> Backoff:
    return Backoff(attempts=3, sleep=lambda _s: None, rand=lambda: 0.5)


def test_pages_through_next_page_link_and_keeps_only_linux_consumption_meters() -> None:
    items = recorded_items()
    with serve(handler(items)) as server:
        overlay, result = refresh("azure", None, server.url, backoff=fast())
    pages = -(-len(items) // PAGE_SIZE)
    assert len(server.requests) == pages > 10
    flt = server.requests[0].query["$filter"]
    assert "armRegionName eq 'eastus'" in flt and "priceType eq 'Consumption'" in flt
    assert f"armSkuName eq '{H100}'" in flt
    assert [r.query.get("$skip") for r in server.requests[1:3]] == ["10", "20"]
    prices = {(r.offer, r.capacity): r.price_usd for r in overlay.prices}
    assert prices[(H100, "on-demand")] == 98.32
    assert prices[(H100, "spot")] == pytest.approx(98.32 * 0.4)
    assert prices[(NC24, "on-demand")] == 3.673
    # Windows (x1.3), Low Priority (x0.2), DevTest (x0.7), reservations and westus2 never leak in
    assert all(r.region == "eastus" for r in overlay.prices)
    assert len(overlay.prices) == 2 * len(get_catalog().offers_for("azure"))
    assert overlay.missing == []
    row = next(r for r in overlay.prices if r.offer == H100 and r.capacity == "on-demand")
    assert row.unit == "node-hour"
    assert row.source.startswith(server.url + "/api/retail/prices (Azure Retail Prices API: ")
    assert row.detail == "meter 'ND96isr H100 v5', effective 2026-10-01"
    assert result.notes == [f"azure eastus: {pages} page{'' if pages == 1 else 's'} from the Azure Retail Prices API"]


def test_a_newer_meter_wins_over_an_older_one() -> None:
    items = [
        azure_item(H100, "eastus", 110.0, start="2025-01-01T00:00:00Z"),
        azure_item(H100, "eastus", 98.32, start="2026-06-01T00:00:00Z"),
    ]
    with serve(handler(items)) as server:
        overlay, _ = refresh("azure", None, server.url, backoff=fast())
    assert [r.price_usd for r in overlay.prices if r.offer == H100] == [98.32]


def test_offers_missing_from_the_api_are_reported_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = recorded_items(drop=("Standard_ND96isr_MI300X_v5",))
    out = tmp_path / "azure.json"
    with serve(handler(items)) as server:
        code = main(["prices", "refresh", "--cloud", "azure", "--endpoint", server.url, "--out", str(out)])
    assert code == 1
    err = words(capsys.readouterr().err)  # wrapped to the terminal: compare the words
    assert (
        "missing: machine Standard_ND96isr_MI300X_v5 on-demand in eastus: no Linux on-demand Consumption meter" in err
    )
    doc = json.loads(out.read_text())
    assert doc["schema"] == "aiinfra-price-overlay/v1"
    assert {(m["offer"], m["capacity"]) for m in doc["missing"]} == {
        ("Standard_ND96isr_MI300X_v5", "on-demand"),
        ("Standard_ND96isr_MI300X_v5", "spot"),
    }


def test_every_offer_found_exits_0_and_regions_are_asked_for(tmp_path: Path) -> None:
    with serve(handler(recorded_items("westus2"))) as server:
        code = main(
            [
                "prices",
                "refresh",
                "--cloud",
                "azure",
                "--region",
                "westus2",
                "--endpoint",
                server.url,
                "--out",
                str(tmp_path / "o.json"),
            ]
        )
    assert code == 0
    assert "armRegionName eq 'westus2'" in server.requests[0].query["$filter"]


def test_implausible_spot_prices_are_reported(capsys: pytest.CaptureFixture[str]) -> None:
    items = [i for i in recorded_items() if not (i["armSkuName"] == NC24 and i["skuName"].endswith(" Spot"))]
    items.append(azure_item(NC24, "eastus", 0.44, spot=True))  # 12% of on-demand
    with serve(handler(items)) as server:
        assert main(["prices", "refresh", "--cloud", "azure", "--endpoint", server.url]) == 0
    err = words(capsys.readouterr().err)  # wrapped to the terminal: compare the words
    assert (
        f"check: {NC24} in eastus: spot $0.44/hour is 12% of on-demand $3.67/hour, below 15%: "
        "a scraped or wrong-region figure?"
    ) in err


def test_throttling_is_retried_with_a_bounded_backoff() -> None:
    slept: list[float] = []
    with serve(handler(recorded_items())) as server:
        server.throttle_first, server.throttle = 2, Response(429, b'{"error": "Too Many Requests"}')
        overlay, _ = refresh(
            "azure", None, server.url, backoff=Backoff(attempts=3, sleep=slept.append, rand=lambda: 1.0)
        )
    assert len(overlay.prices) == 2 * len(get_catalog().offers_for("azure"))
    assert slept == [2.0, 4.0]  # base 2 s, doubling, full jitter at its top (rand = 1)


def test_persistent_throttling_is_a_clear_error() -> None:
    with serve(handler(recorded_items())) as server:
        server.throttle_first, server.throttle = 99, Response(429, b"{}")
        with pytest.raises(PriceApiError, match=r"Azure Retail Prices API: still throttled after 3 attempts"):
            refresh("azure", None, server.url, backoff=fast())
        assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>Service Unavailable</html>", "is not JSON (starts with '<html>Service Unavailable</html>')"),
        (b'{"Items": "nope"}', "has no Items list"),
        (
            json.dumps({"Items": [{"armSkuName": H100, "armRegionName": "eastus"}]}).encode(),
            "has no retailPrice",
        ),
    ],
)
def test_a_malformed_answer_is_a_clear_error_exit_2(
    body: bytes, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(lambda req, state: Response(200, body)) as server:
        code = main(["prices", "refresh", "--cloud", "azure", "--endpoint", server.url])
    assert code == 2
    err = words(capsys.readouterr().err)  # wrapped to the terminal: compare the words
    assert "Traceback" not in err
    assert message in err and "Azure Retail Prices API: " in err, err


def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "refresh", "--cloud", "azure", "--region", "us-east-1"]) == 2
    assert "--region: 'us-east-1' is not a region name for --cloud azure (e.g. eastus)" in words(
        capsys.readouterr().err
    )
    assert main(["prices", "refresh", "--cloud", "azure", "--endpoint", "ftp://x"]) == 2
    assert "is not an http(s) URL" in words(capsys.readouterr().err)
