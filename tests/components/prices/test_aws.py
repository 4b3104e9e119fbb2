"""``aiinfra prices refresh --cloud aws``: boto3's ``pricing`` and ``ec2`` clients pointed (with
``--endpoint``) at a recorded-response server on 127.0.0.1 that answers GetProducts (AWS JSON
1.1) and DescribeSpotPriceHistory (EC2 query XML) with recorded-format fixtures."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from components.catalog import get_catalog
from components.cli import main
from components.preflight.retry import Backoff
from components.prices import aws
from components.prices.http import PriceApiError
from components.prices.refresh import refresh
from tests.components.prices.fixtures import (
    aws_gp3,
    aws_product,
    aws_products_page,
    ec2_error_xml,
    spot_history_xml,
)
from tests.components.prices.server import Recorded, Request, Response, serve
from tests.support.terminal import words

JSON = "application/x-amz-json-1.1"
PAGE = 3
P5 = "p5.48xlarge"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials, no config files, no instance metadata: nothing leaves 127.0.0.1."""
    for var in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_RETRY_MODE",
        "AWS_MAX_ATTEMPTS",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def on_demand_list(itype: str, drop: tuple[str, ...] = ()) -> list[str]:
    """GetProducts' answer for one instance type: the Linux/Shared/NA/Used product in two regions,
    and the products the filters exclude (a loose answer must still not leak them in)."""
    if itype in drop:
        return []
    price = {P5: 55.04, "g6.xlarge": 0.8048}.get(itype) or round(
        get_catalog().offer_by_machine_type("aws", itype).price.on_demand_usd or 1.0,
        4,  # type: ignore[union-attr]
    )
    return [
        aws_product(itype, "us-east-1", price * 1.9, tenancy="Dedicated"),
        aws_product(itype, "us-east-1", price * 1.5, os="Windows", license_model="No License required"),
        aws_product(itype, "us-east-1", price * 2.0, pre_installed="SQL Std"),
        aws_product(itype, "us-east-1", price * 0.1, capacity="UnusedCapacityReservation"),
        aws_product(itype, "us-east-1", price),
        aws_product(itype, "us-west-2", price * 1.02),
        aws_product(itype, "us-east-1", price * 1.2, os="RHEL"),
    ]


SPOT = {
    # (type, az) -> [(price, timestamp)]: the latest per zone counts, the median across zones wins
    (P5, "us-east-1a"): [(30.10, "2026-11-30T10:00:00.000Z"), (28.00, "2026-12-01T09:00:00.000Z")],
    (P5, "us-east-1b"): [(25.50, "2026-12-01T08:00:00.000Z")],
    (P5, "us-east-1c"): [(26.25, "2026-11-29T08:00:00.000Z")],
    (P5, "us-east-1d"): [(40.00, "2026-12-01T07:00:00.000Z")],
}


def spot_entries(types: list[str], region: str) -> list[tuple[str, str, float, str]]:
    out = []
    for t in types:
        rows = [(az, p, ts) for (it, az), hist in SPOT.items() if it == t for p, ts in hist]
        if not rows and t.startswith(("g", "inf")):
            rows = [(f"{region}a", 0.3, "2026-12-01T00:00:00.000Z"), (f"{region}b", 0.32, "2026-12-01T00:00:00.000Z")]
        out += [(t, az, p, ts) for az, p, ts in rows if az.startswith(region)]
    return out


def handler(drop: tuple[str, ...] = ()) -> Any:
    def answer(req: Request, state: Recorded) -> Response:
        target = req.headers.get("x-amz-target")
        if target == "AWSPriceListService.GetProducts":
            body = json.loads(req.body)
            filters = {f["Field"]: f["Value"] for f in body["Filters"]}
            if filters.get("volumeApiName") == "gp3":
                items = [aws_gp3("us-east-1", 0.08), aws_gp3("us-west-2", 0.08)]
            else:
                items = on_demand_list(filters["instanceType"], drop)
            start = int(body.get("NextToken") or 0)
            nxt = str(start + PAGE) if start + PAGE < len(items) else None
            return Response(200, json.dumps(aws_products_page(items[start : start + PAGE], nxt)).encode(), JSON)
        form = req.form
        assert form["Action"] == "DescribeSpotPriceHistory"
        region = re.search(r"Credential=[^/]+/\d+/([^/]+)/ec2/", req.headers["authorization"]).group(1)  # type: ignore[union-attr]
        types = [v for k, v in sorted(form.items()) if k.startswith("InstanceType.")]
        entries = spot_entries(types, region)
        if "NextToken" not in form and len(entries) > 4:
            return Response(200, spot_history_xml(entries[:4], next_token="page-2"), "text/xml")
        return Response(200, spot_history_xml(entries[4:] if "NextToken" in form else entries), "text/xml")

    return answer


@pytest.fixture
def aws_server(aws_env: None) -> Iterator[Recorded]:
    with serve(handler()) as server:
        yield server


def fast() -> Backoff:
    return Backoff(attempts=3, sleep=lambda _s: None, rand=lambda: 0.5)


def run(server: Recorded, **kw: Any) -> Any:
    clients = aws.default_clients(server.url, attempts=1)
    return refresh("aws", kw.pop("regions", None), server.url, backoff=kw.pop("backoff", fast()), aws_clients=clients)


def test_on_demand_takes_only_linux_shared_no_software_used_capacity(aws_server: Recorded) -> None:
    overlay, _ = run(aws_server)
    prices = {(r.offer, r.region, r.capacity): r for r in overlay.prices}
    assert prices[(P5, "us-east-1", "on-demand")].price_usd == 55.04
    assert prices[("g6.xlarge", "us-east-1", "on-demand")].price_usd == 0.8048
    # Dedicated (x1.9), Windows (x1.5), SQL (x2), unused-reservation (x0.1), RHEL, us-west-2: none leaked
    assert not any(r.region != "us-east-1" for r in overlay.prices)
    first = next(r for r in aws_server.requests if r.headers.get("x-amz-target"))
    filters = {f["Field"]: f["Value"] for f in json.loads(first.body)["Filters"]}
    assert filters == {
        "instanceType": filters["instanceType"],
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
        "licenseModel": "No License required",
    }
    # paging: 7 products per type in pages of 3 -> 3 GetProducts calls per type
    get_products = [r for r in aws_server.requests if r.headers.get("x-amz-target")]
    aws_types = len(get_catalog().offers_for("aws"))
    assert len(get_products) == 3 * aws_types + 1  # + one gp3 storage query (one page)
    assert prices[("block", "us-east-1", "on-demand")].price_usd == 0.08
    assert prices[("block", "us-east-1", "on-demand")].unit == "GiB-month"


def test_spot_is_the_median_of_the_latest_price_per_zone(aws_server: Recorded) -> None:
    overlay, _ = run(aws_server)
    row = next(r for r in overlay.prices if r.offer == P5 and r.capacity == "spot")
    # latest per zone: a 28.00 (not 30.10), b 25.50, c 26.25, d 40.00 -> median 27.125
    assert row.price_usd == pytest.approx(27.125)
    assert row.detail == (
        "median of 4 zones: us-east-1a $28.0000, us-east-1b $25.5000, us-east-1c $26.2500, us-east-1d $40.0000"
    )
    spot_calls = [r.form for r in aws_server.requests if not r.headers.get("x-amz-target")]
    assert spot_calls[0]["ProductDescription.1"] == "Linux/UNIX"
    assert spot_calls[1]["NextToken"] == "page-2"  # paged


def test_missing_offers_are_reported_and_exit_1(
    aws_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(handler(drop=("trn2.48xlarge",))) as server:
        code = main(
            ["prices", "refresh", "--cloud", "aws", "--endpoint", server.url, "--out", str(tmp_path / "a.json")]
        )
    assert code == 1
    err = words(capsys.readouterr().err)  # wrapped to the terminal: compare the words
    assert "missing: machine trn2.48xlarge on-demand in us-east-1: no Linux/Shared/Used on-demand product" in err
    # p-family spot exists only for p5 in the recording; the others are listed, not fatal on their own
    assert "missing: machine p4d.24xlarge spot in us-east-1: no Linux/UNIX spot price history" in err
    doc = json.loads((tmp_path / "a.json").read_text())
    assert any(p["offer"] == P5 and p["capacity"] == "spot" for p in doc["prices"])


def test_throttling_is_retried_on_both_apis(aws_env: None) -> None:
    slept: list[float] = []
    with serve(handler()) as server:
        server.throttle_first = 2
        server.throttle = Response(400, b'{"__type": "ThrottlingException", "message": "Rate exceeded"}', JSON)
        overlay, _ = run(server, backoff=Backoff(attempts=4, sleep=slept.append, rand=lambda: 0.5))
        assert any(r.offer == P5 for r in overlay.prices)
        assert slept == [1.0, 2.0]
    slept.clear()
    with serve(handler()) as server:
        clients = aws.default_clients(server.url, attempts=1)
        calls = 0

        def throttled_ec2(region: str) -> Any:
            client = aws.default_clients(server.url, attempts=1).ec2(region)
            real = client.describe_spot_price_history

            def flaky(**kw: Any) -> Any:
                nonlocal calls
                calls += 1
                if calls == 1:
                    server.throttle_first = 1
                    server.throttle = Response(
                        503, ec2_error_xml("RequestLimitExceeded", "Request limit exceeded."), "text/xml"
                    )
                return real(**kw)

            client.describe_spot_price_history = flaky
            return client

        clients.ec2 = throttled_ec2
        overlay, _ = refresh(
            "aws",
            None,
            server.url,
            backoff=Backoff(attempts=3, sleep=slept.append, rand=lambda: 0.5),
            aws_clients=clients,
        )
    assert slept == [1.0]
    assert next(r for r in overlay.prices if r.offer == P5 and r.capacity == "spot").price_usd == pytest.approx(27.125)


def test_persistent_throttling_is_a_clear_error(aws_env: None) -> None:
    with serve(handler()) as server:
        server.throttle_first = 99
        server.throttle = Response(400, b'{"__type": "ThrottlingException", "message": "Rate exceeded"}', JSON)
        with pytest.raises(PriceApiError, match="AWS Price List Query API: still throttled after 3 attempts"):
            run(server)


@pytest.mark.parametrize(
    ("price_list", "message"),
    [
        (["{not json"], r"PriceList\[0\] of page 1 for .* is not JSON"),
        ([json.dumps({"product": {"attributes": {}}})], r"PriceList\[0\] of page 1 for .* has no terms"),
        (None, "GetProducts answered without a PriceList"),
    ],
)
def test_a_malformed_answer_is_a_clear_error_exit_2(
    aws_env: None, price_list: Any, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def answer(req: Request, state: Recorded) -> Response:
        body: dict[str, Any] = {"FormatVersion": "aws_v1"}
        if price_list is not None:
            body["PriceList"] = price_list
        return Response(200, json.dumps(body).encode(), JSON)

    with serve(answer) as server:
        code = main(["prices", "refresh", "--cloud", "aws", "--endpoint", server.url])
    err = words(capsys.readouterr().err)  # wrapped to the terminal: compare the words
    assert code == 2 and "Traceback" not in err
    assert re.search(message, err), err


def test_no_credentials_is_exit_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["prices", "refresh", "--cloud", "aws", "--endpoint", "http://127.0.0.1:9"]) == 2
    assert "no AWS credentials" in words(capsys.readouterr().err)
