"""Azure VM prices from the Retail Prices API (public, no credentials).

Per region, one query (paged through ``NextPageLink``) for every catalog VM size::

    GET https://prices.azure.com/api/retail/prices?$filter=serviceName eq 'Virtual Machines'
        and armRegionName eq 'eastus' and priceType eq 'Consumption'
        and (armSkuName eq 'Standard_ND96isr_H100_v5' or ...)

Items map to offers by ``armSkuName`` and ``armRegionName``. Kept: ``type`` Consumption (not
Reservation or DevTestConsumption), Linux meters (``productName`` without " Windows"), USD,
per ``1 Hour``; ``skuName`` ending " Spot" is the spot price, " Low Priority" (the retired
Batch/scale-set tier) is dropped. The filter asks the API for this already; the items are
filtered again here because the API has answered loosely before.
Docs: https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from components.prices.http import JsonClient, PriceApiError, rebase, shown, with_query
from components.prices.targets import FetchResult, Target
from components.terminal import counted

DEFAULT_ENDPOINT = "https://prices.azure.com"
PATH = "/api/retail/prices"
API = "Azure Retail Prices API"
#: Page limit: the API serves 100 items per page (1,000 with the preview api-version); a
#: region's GPU sizes fit in a few pages, so hitting this means the link loops.
MAX_PAGES = 200


def _filter(region: str, skus: list[str]) -> str:
    names = " or ".join(f"armSkuName eq '{s}'" for s in skus)
    return (
        f"serviceName eq 'Virtual Machines' and armRegionName eq '{region}' "
        f"and priceType eq 'Consumption' and ({names})"
    )


def _capacity(item: dict[str, Any]) -> str | None:
    """on-demand | spot for a Linux pay-as-you-go meter; None for anything to drop."""
    if item.get("type") != "Consumption" or item.get("currencyCode", "USD") != "USD":
        return None
    product = str(item.get("productName", ""))
    sku = str(item.get("skuName", ""))
    meter = str(item.get("meterName", ""))
    if "Windows" in product or "Low Priority" in sku or "Low Priority" in meter:
        return None
    if item.get("unitOfMeasure") != "1 Hour":
        return None
    return "spot" if sku.endswith(" Spot") or meter.endswith(" Spot") else "on-demand"


def _items(doc: dict[str, Any], url: str) -> list[dict[str, Any]]:
    items = doc.get("Items")
    if not isinstance(items, list):
        raise PriceApiError(f"{API}: the answer from {shown(url)} has no Items list (keys: {sorted(doc)[:6]})")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise PriceApiError(f"{API}: Items[{i}] from {shown(url)} is not an object")
        for key in ("armSkuName", "armRegionName", "retailPrice"):
            if key not in item:
                raise PriceApiError(f"{API}: Items[{i}] from {shown(url)} has no {key}")
        if not isinstance(item["retailPrice"], int | float) or isinstance(item["retailPrice"], bool):
            raise PriceApiError(f"{API}: Items[{i}].retailPrice from {shown(url)} is not a number")
    return items


def fetch(targets: list[Target], endpoint: str | None, client: JsonClient, fetched_at: str) -> FetchResult:
    """Price every Azure machine target; the rest are reported missing with the reason."""
    result = FetchResult()
    machines = [t for t in targets if t.kind == "machine"]
    base = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
    by_region: dict[str, list[Target]] = defaultdict(list)
    for t in machines:
        by_region[t.region].append(t)
    for region, group in sorted(by_region.items()):
        skus = sorted({t.offer for t in group})
        url: str | None = with_query(base + PATH, {"$filter": _filter(region, skus)})
        source = (
            f"{base}{PATH} ({API}: serviceName 'Virtual Machines', armRegionName '{region}', priceType 'Consumption')"
        )
        # (sku lowercased, capacity) -> [(effectiveStartDate, price, meter)]
        found: dict[tuple[str, str], list[tuple[str, float, str]]] = defaultdict(list)
        pages = 0
        while url:
            pages += 1
            if pages > MAX_PAGES:
                raise PriceApiError(f"{API}: more than {MAX_PAGES} pages for {region}; NextPageLink seems to loop")
            doc = client.get(url)
            for item in _items(doc, url):
                if item["armRegionName"] != region:
                    continue
                cap = _capacity(item)
                if cap is None:
                    continue
                found[(str(item["armSkuName"]).lower(), cap)].append(
                    (
                        str(item.get("effectiveStartDate", "")),
                        float(item["retailPrice"]),
                        str(item.get("meterName", "")),
                    )
                )
            link = doc.get("NextPageLink")
            url = rebase(link, endpoint) if isinstance(link, str) and link else None
        result.notes.append(f"azure {region}: {counted(pages, 'page')} from the {API}")
        for t in group:
            for cap in t.capacities():
                rows = found.get((t.offer.lower(), cap))
                if not rows:
                    continue
                # Several meters for one size (a price change carries a new effectiveStartDate): the latest.
                start, usd, meter = max(rows)
                if usd <= 0:
                    continue
                detail = f"meter '{meter}'" + (f", effective {start[:10]}" if start else "")
                result.add(t, cap, usd, source, fetched_at, detail)
    result.close(targets, lambda t, cap: f"no Linux {cap} Consumption meter for {t.offer} in {t.region}")
    return result
