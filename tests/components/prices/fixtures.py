"""Recorded-format responses of the three price APIs (hand-written builders, not live captures).

Each builder returns one item in the shape the API documents, with every field the real
answer carries, so the fetchers parse what they will parse in production:

- Azure Retail Prices API: ``{"BillingCurrency", "CustomerEntityId", "CustomerEntityType",
  "Items": [...], "NextPageLink", "Count"}``, items with ``armSkuName``, ``armRegionName``,
  ``retailPrice``, ``skuName`` (" Spot", " Low Priority"), ``productName`` (" Windows"),
  ``type`` (Consumption / Reservation / DevTestConsumption), ``unitOfMeasure``.
  https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices
- AWS Price List Query API ``GetProducts``: ``{"FormatVersion": "aws_v1", "PriceList": [<JSON
  string>...], "NextToken"}``, each entry ``{"product": {"attributes": ...}, "terms":
  {"OnDemand": {...priceDimensions...pricePerUnit: {"USD": "55.0400000000"}}}}``; EC2
  ``DescribeSpotPriceHistory`` as its query-protocol XML.
  https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html
- GCP Cloud Billing Catalog ``services.skus.list``: ``{"skus": [...], "nextPageToken"}``, each
  SKU with ``category.usageType`` (OnDemand / Preemptible / Commit1Yr), ``serviceRegions`` and
  ``pricingInfo[0].pricingExpression.tieredRates[].unitPrice {units (string), nanos}``.
  https://cloud.google.com/billing/docs/reference/rest/v1/services.skus/list
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from xml.sax.saxutils import escape


def _id(*parts: object, n: int = 12) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:n].upper()


# ----- Azure Retail Prices ------------------------------------------------------------------------
def azure_short(arm_sku: str) -> str:
    """``Standard_ND96isr_H100_v5`` -> ``ND96isr H100 v5`` (the meter's spelling)."""
    return arm_sku.removeprefix("Standard_").replace("_", " ")


def azure_item(
    arm_sku: str,
    region: str,
    price: float,
    *,
    spot: bool = False,
    low_priority: bool = False,
    windows: bool = False,
    type_: str = "Consumption",
    unit: str = "1 Hour",
    start: str = "2026-10-01T00:00:00Z",
) -> dict[str, Any]:
    short = azure_short(arm_sku)
    suffix = " Spot" if spot else (" Low Priority" if low_priority else "")
    series = short.split(" ", 1)[0].rstrip("0123456789adisrm")
    item: dict[str, Any] = {
        "currencyCode": "USD",
        "tierMinimumUnits": 0.0,
        "retailPrice": price,
        "unitPrice": price,
        "armRegionName": region,
        "location": {"eastus": "US East", "westus2": "US West 2", "southcentralus": "US South Central"}.get(
            region, region
        ),
        "effectiveStartDate": start,
        "meterId": _id(arm_sku, region, suffix, windows, type_, n=32).lower(),
        "meterName": short + suffix,
        "productId": "DZH318Z0" + _id(series, n=4),
        "skuId": "DZH318Z0" + _id(series, n=4) + "/" + _id(short, suffix, n=4),
        "productName": f"Virtual Machines {series} Series" + (" Windows" if windows else ""),
        "skuName": short + suffix,
        "serviceName": "Virtual Machines",
        "serviceId": "DZH313Z7MMC8",
        "serviceFamily": "Compute",
        "unitOfMeasure": unit,
        "type": type_,
        "isPrimaryMeterRegion": True,
        "armSkuName": arm_sku,
    }
    if type_ == "Reservation":
        item["reservationTerm"] = "1 Year"
    return item


def azure_page(items: list[dict[str, Any]], next_link: str | None) -> dict[str, Any]:
    return {
        "BillingCurrency": "USD",
        "CustomerEntityId": "Default",
        "CustomerEntityType": "Retail",
        "Items": items,
        "NextPageLink": next_link,
        "Count": len(items),
    }


# ----- AWS Price List Query API + EC2 spot ---------------------------------------------------------
AWS_LOCATIONS = {"us-east-1": "US East (N. Virginia)", "us-west-2": "US West (Oregon)", "eu-west-1": "EU (Ireland)"}


def _price_list_entry(sku: str, product: dict[str, Any], unit: str, price: float, description: str) -> str:
    """A PriceList entry around ``product``: its OnDemand term with one price dimension, as a JSON string."""
    term = f"{sku}.JRTCKXETXF"
    dim = f"{term}.6YS6EN2CT7"
    doc = {
        "product": {**product, "sku": sku},
        "serviceCode": "AmazonEC2",
        "terms": {
            "OnDemand": {
                term: {
                    "priceDimensions": {
                        dim: {
                            "unit": unit,
                            "endRange": "Inf",
                            "description": description,
                            "appliesTo": [],
                            "rateCode": dim,
                            "beginRange": "0",
                            "pricePerUnit": {"USD": f"{price:.10f}"},
                        }
                    },
                    "sku": sku,
                    "effectiveDate": "2026-11-01T00:00:00Z",
                    "offerTermCode": "JRTCKXETXF",
                    "termAttributes": {},
                }
            }
        },
        "version": "20261101000000",
        "publicationDate": "2026-11-01T00:00:00Z",
    }
    return json.dumps(doc)


def aws_product(
    itype: str,
    region: str,
    price: float,
    *,
    os: str = "Linux",
    tenancy: str = "Shared",
    pre_installed: str = "NA",
    capacity: str = "Used",
    license_model: str = "No License required",
) -> str:
    """One ``PriceList`` entry: a JSON document serialized as a string, as GetProducts returns it."""
    sku = _id(itype, region, os, tenancy, pre_installed, capacity, license_model, n=16)
    usage = {"Shared": "BoxUsage", "Dedicated": "DedicatedUsage", "Host": "HostBoxUsage"}[tenancy]
    product = {
        "productFamily": "Compute Instance",
        "attributes": {
            "enhancedNetworkingSupported": "Yes",
            "intelTurboAvailable": "Yes",
            "memory": "2048 GiB",
            "dedicatedEbsThroughput": "80000 Mbps",
            "vcpu": "192",
            "capacitystatus": capacity,
            "locationType": "AWS Region",
            "storage": "8 x 3840 NVMe SSD",
            "instanceFamily": "GPU instance",
            "operatingSystem": os,
            "regionCode": region,
            "servicename": "Amazon Elastic Compute Cloud",
            "licenseModel": license_model,
            "tenancy": tenancy,
            "usagetype": f"{usage}:{itype}",
            "normalizationSizeFactor": "384",
            "instanceType": itype,
            "gpu": "8",
            "marketoption": "OnDemand",
            "servicecode": "AmazonEC2",
            "location": AWS_LOCATIONS.get(region, region),
            "preInstalledSw": pre_installed,
            "operation": "RunInstances" if os == "Linux" else "RunInstances:0002",
        },
    }
    return _price_list_entry(sku, product, "Hrs", price, f"${price} per On Demand {os} {itype} Instance Hour")


def aws_gp3(region: str, price: float) -> str:
    product = {
        "productFamily": "Storage",
        "attributes": {
            "volumeApiName": "gp3",
            "volumeType": "General Purpose",
            "storageMedia": "SSD-backed",
            "regionCode": region,
            "location": AWS_LOCATIONS.get(region, region),
            "usagetype": "EBS:VolumeUsage.gp3",
            "servicecode": "AmazonEC2",
        },
    }
    description = f"${price} per GB-month of General Purpose (gp3) provisioned storage"
    return _price_list_entry(_id("gp3", region, n=16), product, "GB-Mo", price, description)


def aws_products_page(price_list: list[str], next_token: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"FormatVersion": "aws_v1", "PriceList": price_list}
    if next_token:
        out["NextToken"] = next_token
    return out


def spot_history_xml(entries: list[tuple[str, str, float, str]], next_token: str = "") -> bytes:
    """DescribeSpotPriceHistory's answer; entries are (instance type, AZ, price, ISO timestamp)."""
    items = "".join(
        "<item>"
        f"<instanceType>{escape(t)}</instanceType>"
        "<productDescription>Linux/UNIX</productDescription>"
        f"<spotPrice>{p:.6f}</spotPrice>"
        f"<timestamp>{escape(ts)}</timestamp>"
        f"<availabilityZone>{escape(az)}</availabilityZone>"
        "</item>"
        for t, az, p, ts in entries
    )
    token = f"<nextToken>{escape(next_token)}</nextToken>" if next_token else "<nextToken/>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<DescribeSpotPriceHistoryResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
        "<requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>"
        f"<spotPriceHistorySet>{items}</spotPriceHistorySet>{token}"
        "</DescribeSpotPriceHistoryResponse>"
    ).encode()


def ec2_error_xml(code: str, message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Response><Errors><Error><Code>{code}</Code><Message>{escape(message)}</Message></Error></Errors>"
        "<RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>"
    ).encode()


# ----- GCP Cloud Billing Catalog ----------------------------------------------------------------------
_UNIT_WORDS = {
    "h": ("hour", "s", "second", 3600),
    "GiBy.h": ("gibibyte hour", "By.s", "byte second", 3600 * 2**30),
    "GiBy.mo": ("gibibyte month", "By.s", "byte second", 2592000 * 2**30),
}


def gcp_sku(
    description: str,
    usd: float,
    regions: list[str],
    *,
    usage: str = "OnDemand",
    group: str = "GPU",
    family: str = "Compute",
    unit: str = "h",
    service: str = "6F81-5844-456A",
    service_name: str = "Compute Engine",
) -> dict[str, Any]:
    units = int(usd)
    nanos = round((usd - units) * 1e9)
    sku_id = "-".join(_id(description, usage, tuple(regions), n=12)[i : i + 4] for i in (0, 4, 8))
    word, base, base_word, factor = _UNIT_WORDS[unit]
    return {
        "name": f"services/{service}/skus/{sku_id}",
        "skuId": sku_id,
        "description": description,
        "category": {
            "serviceDisplayName": service_name,
            "resourceFamily": family,
            "resourceGroup": group,
            "usageType": usage,
        },
        "serviceRegions": regions,
        "pricingInfo": [
            {
                "summary": "",
                "pricingExpression": {
                    "usageUnit": unit,
                    "displayQuantity": 1,
                    "tieredRates": [
                        {
                            "startUsageAmount": 0,
                            "unitPrice": {"currencyCode": "USD", "units": str(units), "nanos": nanos},
                        }
                    ],
                    "usageUnitDescription": word,
                    "baseUnit": base,
                    "baseUnitDescription": base_word,
                    "baseUnitConversionFactor": factor,
                },
                "currencyConversionRate": 1,
                "effectiveTime": "2026-11-30T08:00:00.000Z",
            }
        ],
        "serviceProviderName": "Google",
        "geoTaxonomy": {"type": "REGIONAL" if len(regions) == 1 else "MULTI_REGIONAL", "regions": regions},
    }


def gcp_page(skus: list[dict[str, Any]], token: str = "") -> dict[str, Any]:
    return {"skus": skus, "nextPageToken": token}
