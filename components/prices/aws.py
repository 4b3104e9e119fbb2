"""AWS prices: the Price List Query API (on-demand, EBS) and EC2 spot price history.

On-demand, one paged ``GetProducts`` per instance type across every region (the Price List
Query API is served from us-east-1)::

    pricing.get_products(ServiceCode="AmazonEC2", Filters=[TERM_MATCH instanceType=p5.48xlarge,
        operatingSystem=Linux, tenancy=Shared, preInstalledSw=NA, capacitystatus=Used,
        licenseModel="No License required"])

Each ``PriceList`` entry is a JSON string (``product.attributes`` and ``terms.OnDemand``);
the product is checked again here (Linux, Shared, NA, Used, ``regionCode``), and the hourly
``pricePerUnit.USD`` of its OnDemand term is the node-hour price. Block storage (``block``)
is the gp3 ``GB-Mo`` price of ``productFamily`` Storage.

Spot, per region, ``ec2.describe_spot_price_history(InstanceTypes=..., ProductDescriptions=
["Linux/UNIX"], StartTime=now)``: the latest price per availability zone; the regional figure
is the **median across the zones** (a pool may land in any of them; one cheap zone should
not set a region's price), and the row's detail lists every zone's price.

Credentials: the usual boto3 chain (the Price List API needs ``pricing:GetProducts``, spot
needs ``ec2:DescribeSpotPriceHistory``). ``--endpoint`` points both clients at another URL.
"""

from __future__ import annotations

import functools
import json
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from components.preflight.retry import Backoff, Throttled
from components.prices.http import PriceApiError
from components.prices.targets import FetchResult, Target
from components.terminal import counted

API = "AWS Price List Query API"
SPOT_API = "EC2 DescribeSpotPriceHistory"
PRICING_REGION = "us-east-1"
#: The product filters (attribute -> value) the on-demand figure must match.
PRODUCT_FILTERS = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
    "licenseModel": "No License required",
}
THROTTLE_CODES = frozenset(
    {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled"}
)
MAX_PAGES = 200


@dataclass
class AwsClients:
    """boto3 clients: ``pricing`` and one ``ec2`` client per region (tests point them at 127.0.0.1)."""

    pricing: Any
    ec2: Callable[[str], Any]


def default_clients(endpoint: str | None, attempts: int = 3) -> AwsClients:
    """Clients on the default credential chain; raises PriceApiError when there are no credentials.

    ``attempts``: botocore's own attempts per call (standard retry mode); throttling that
    outlasts them is retried again by the fetcher's backoff.
    """
    import boto3
    from botocore.config import Config

    session = boto3.session.Session()
    if session.get_credentials() is None:
        raise PriceApiError(
            f"{API}: no AWS credentials (the Price List API signs every request); configure a profile, "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or a role with pricing:GetProducts and "
            "ec2:DescribeSpotPriceHistory"
        )
    config = Config(retries={"total_max_attempts": attempts, "mode": "standard"}, connect_timeout=10, read_timeout=60)
    ep = {"endpoint_url": endpoint} if endpoint else {}
    pricing = session.client("pricing", region_name=PRICING_REGION, config=config, **ep)
    cache: dict[str, Any] = {}

    def ec2(region: str) -> Any:
        if region not in cache:
            cache[region] = session.client("ec2", region_name=region, config=config, **ep)
        return cache[region]

    return AwsClients(pricing, ec2)


def _is_throttle(exc: Exception) -> bool:
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in THROTTLE_CODES


def _call(backoff: Backoff, api: str, fn: Callable[[], Any]) -> Any:
    """One API call: throttling retried with ``backoff``, every AWS error as a PriceApiError."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return backoff.call(fn, _is_throttle)
    except Throttled as exc:
        raise PriceApiError(
            f"{api}: still throttled after {exc.attempts} attempts ({exc.last}); try again later"
        ) from None
    except ClientError as exc:
        err = exc.response.get("Error", {})
        raise PriceApiError(f"{api}: {err.get('Code', 'error')}: {err.get('Message', exc)}") from None
    except BotoCoreError as exc:
        raise PriceApiError(f"{api}: {exc}") from None


def _product(raw: Any, where: str) -> dict[str, Any]:
    """One PriceList entry (a JSON string) as a dict, checked for the parts we read."""
    try:
        doc = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise PriceApiError(f"{API}: {where} is not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("product"), dict):
        raise PriceApiError(f"{API}: {where} has no product")
    attrs = doc["product"].get("attributes")
    if not isinstance(attrs, dict):
        raise PriceApiError(f"{API}: {where} has no product.attributes")
    terms = doc.get("terms")
    if not isinstance(terms, dict):
        raise PriceApiError(f"{API}: {where} has no terms")
    return doc


def _hourly_usd(doc: dict[str, Any], unit: str, where: str) -> tuple[float, str] | None:
    """(USD per unit, effective date) of the product's OnDemand term, or None when it has none."""
    on_demand = doc["terms"].get("OnDemand")
    if not isinstance(on_demand, dict) or not on_demand:
        return None
    for term in on_demand.values():
        dims = term.get("priceDimensions") if isinstance(term, dict) else None
        if not isinstance(dims, dict):
            raise PriceApiError(f"{API}: {where} has an OnDemand term without priceDimensions")
        for dim in dims.values():
            if not isinstance(dim, dict) or dim.get("unit") != unit:
                continue
            try:
                usd = float(dim["pricePerUnit"]["USD"])
            except (KeyError, TypeError, ValueError):
                raise PriceApiError(f"{API}: {where} has a price dimension without pricePerUnit.USD") from None
            if usd > 0:
                return usd, str(term.get("effectiveDate", ""))[:10]
    return None


def _get_products(clients: AwsClients, backoff: Backoff, filters: dict[str, str]) -> list[dict[str, Any]]:
    args: dict[str, Any] = {
        "ServiceCode": "AmazonEC2",
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
        "Filters": [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()],
    }
    out: list[dict[str, Any]] = []
    for page in range(MAX_PAGES):
        resp = _call(backoff, API, functools.partial(clients.pricing.get_products, **args))
        price_list = resp.get("PriceList")
        if not isinstance(price_list, list):
            raise PriceApiError(f"{API}: GetProducts answered without a PriceList")
        what = filters.get("instanceType") or filters.get("volumeApiName")
        out.extend(_product(raw, f"PriceList[{i}] of page {page + 1} for {what}") for i, raw in enumerate(price_list))
        token = resp.get("NextToken")
        if not token:
            return out
        args["NextToken"] = token
    raise PriceApiError(f"{API}: more than {MAX_PAGES} pages; NextToken seems to loop")


def _matches(attrs: dict[str, Any], wanted: dict[str, str]) -> bool:
    return all(attrs.get(k) == v for k, v in wanted.items())


def _on_demand(clients: AwsClients, backoff: Backoff, targets: list[Target], result: FetchResult, at: str) -> None:
    by_type: dict[str, list[Target]] = defaultdict(list)
    for t in targets:
        by_type[t.offer].append(t)
    for itype, group in sorted(by_type.items()):
        products = _get_products(clients, backoff, {"instanceType": itype, **PRODUCT_FILTERS})
        for t in group:
            hits = []
            for doc in products:
                attrs = doc["product"]["attributes"]
                # The server filtered already; check again so Windows, Dedicated or BYOL rows never leak in.
                if attrs.get("instanceType") != itype or attrs.get("regionCode") != t.region:
                    continue
                if not _matches(attrs, PRODUCT_FILTERS) or attrs.get("marketoption", "OnDemand") != "OnDemand":
                    continue
                found = _hourly_usd(doc, "Hrs", f"{itype} in {t.region}")
                if found:
                    hits.append((found, doc["product"].get("sku", "")))
            if not hits:
                continue
            (usd, effective), sku = max(hits, key=lambda h: h[0][1])  # the latest effective date
            result.add(
                t,
                "on-demand",
                usd,
                f"{clients.pricing.meta.endpoint_url} ({API} GetProducts: AmazonEC2, instanceType={itype}, "
                f"regionCode={t.region}, Linux, Shared, preInstalledSw NA, capacitystatus Used)",
                at,
                f"sku {sku}, effective {effective}" if effective else f"sku {sku}",
            )


def _spot(clients: AwsClients, backoff: Backoff, targets: list[Target], result: FetchResult, at: str) -> None:
    by_region: dict[str, list[Target]] = defaultdict(list)
    for t in targets:
        by_region[t.region].append(t)
    for region, group in sorted(by_region.items()):
        ec2 = clients.ec2(region)
        args: dict[str, Any] = {
            "InstanceTypes": sorted({t.offer for t in group}),
            "ProductDescriptions": ["Linux/UNIX"],
            "StartTime": datetime.now(UTC),
        }
        latest: dict[tuple[str, str], tuple[datetime, float]] = {}
        for _page in range(MAX_PAGES):
            resp = _call(backoff, SPOT_API, functools.partial(ec2.describe_spot_price_history, **args))
            history = resp.get("SpotPriceHistory")
            if not isinstance(history, list):
                raise PriceApiError(f"{SPOT_API} ({region}): the answer has no SpotPriceHistory list")
            for h in history:
                try:
                    itype, az, ts, usd = h["InstanceType"], h["AvailabilityZone"], h["Timestamp"], float(h["SpotPrice"])
                except (KeyError, TypeError, ValueError):
                    raise PriceApiError(
                        f"{SPOT_API} ({region}): an entry lacks InstanceType, AvailabilityZone, "
                        "Timestamp or a numeric SpotPrice"
                    ) from None
                if h.get("ProductDescription", "Linux/UNIX") != "Linux/UNIX" or usd <= 0:
                    continue
                key = (itype, az)
                if key not in latest or ts > latest[key][0]:
                    latest[key] = (ts, usd)
            token = resp.get("NextToken")
            if not token:
                break
            args["NextToken"] = token
        else:
            raise PriceApiError(f"{SPOT_API} ({region}): more than {MAX_PAGES} pages; NextToken seems to loop")
        for t in group:
            zones = sorted((az, usd) for (itype, az), (_ts, usd) in latest.items() if itype == t.offer)
            if not zones:
                continue
            median = statistics.median(u for _az, u in zones)
            listing = ", ".join(f"{az} ${u:.4f}" for az, u in zones)
            result.add(
                t,
                "spot",
                median,
                f"{ec2.meta.endpoint_url} ({SPOT_API}: Linux/UNIX, {region}, latest per availability zone)",
                at,
                f"median of {counted(len(zones), 'zone')}: {listing}",
            )


def _block(clients: AwsClients, backoff: Backoff, targets: list[Target], result: FetchResult, at: str) -> None:
    if not targets:
        return
    products = _get_products(clients, backoff, {"productFamily": "Storage", "volumeApiName": "gp3"})
    for t in targets:
        for doc in products:
            attrs = doc["product"]["attributes"]
            if attrs.get("volumeApiName") != "gp3" or attrs.get("regionCode") != t.region:
                continue
            found = _hourly_usd(doc, "GB-Mo", f"gp3 in {t.region}")
            if found:
                result.add(
                    t,
                    "on-demand",
                    found[0],
                    f"{clients.pricing.meta.endpoint_url} ({API} GetProducts: AmazonEC2, Storage, gp3, {t.region})",
                    at,
                    "EBS gp3 storage GB-month (baseline 3,000 IOPS / 125 MB/s included)",
                )
                break


def _reason(t: Target, capacity: str) -> str:
    if t.kind == "storage":
        return f"no gp3 storage product in {t.region} in the Price List"
    if capacity == "spot":
        return f"no Linux/UNIX spot price history for {t.offer} in {t.region}"
    return (
        f"no Linux/Shared/Used on-demand product for {t.offer} in {t.region} in the Price List "
        "(sold only through Capacity Blocks or Savings Plans there?)"
    )


def fetch(targets: list[Target], clients: AwsClients, backoff: Backoff, fetched_at: str) -> FetchResult:
    """Price every AWS target: on-demand from the Price List API, spot from the spot history."""
    result = FetchResult()
    machines = [t for t in targets if t.kind == "machine"]
    _on_demand(clients, backoff, machines, result, fetched_at)
    _spot(clients, backoff, machines, result, fetched_at)
    _block(clients, backoff, [t for t in targets if t.kind == "storage" and t.offer == "block"], result, fetched_at)
    result.close(targets, _reason)
    result.notes.append("aws spot: the regional figure is the median of the latest price in each availability zone")
    return result
