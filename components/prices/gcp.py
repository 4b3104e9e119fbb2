"""GCP prices from the Cloud Billing Catalog API, composed the way Compute Engine bills.

``GET https://cloudbilling.googleapis.com/v1/services/{service}/skus?key=API_KEY&currencyCode=USD``
(paged by ``nextPageToken``) for Compute Engine and Cloud TPU. Only ``category.usageType``
OnDemand (on-demand) and Preemptible (spot) SKUs count. A GPU machine's node-hour price is
composed from its parts, per ``data/gcp_billing.yaml``: vCPUs x the family's core SKU + GiB x
its RAM SKU + GPUs x the GPU SKU (+ bundled local SSD), every part from the same usage type
and region (``serviceRegions``); TPU SKUs are per chip-hour. A price is ``units + nanos/1e9``
of the SKU's first non-zero tiered rate.

The API key comes from ``AIINFRA_GCP_API_KEY`` (or ``GOOGLE_API_KEY``): an API key restricted
to the Cloud Billing API is enough; no project or OAuth credentials are needed.
Docs: https://cloud.google.com/billing/docs/how-to/get-pricing-information-api
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from components.prices.http import JsonClient, PriceApiError, shown, with_query
from components.prices.targets import FetchResult, Target
from components.terminal import counted

DEFAULT_ENDPOINT = "https://cloudbilling.googleapis.com"
API = "Cloud Billing Catalog API"
KEY_VARIABLES = ("AIINFRA_GCP_API_KEY", "GOOGLE_API_KEY")
MAX_PAGES = 200
HOURS_PER_MONTH = 730
_USAGE = {"OnDemand": "on-demand", "Preemptible": "spot"}
_PART = re.compile(r"^(?:Spot Preemptible )?(?P<name>.+?) (?P<part>Core|Ram) running in ", re.IGNORECASE)
_GPU = re.compile(r"^(?:Spot Preemptible )?(?P<name>.+? GPU) running in ", re.IGNORECASE)
_TPU = re.compile(r"\btpu[\s-]*(?P<version>v\d+[a-z]*)", re.IGNORECASE)
_UNITS = {"core": "h", "ram": "GiBy.h", "gpu": "h", "ssd": "GiBy.mo", "tpu": "h", "storage": "GiBy.mo"}


@functools.cache
def billing_data() -> Mapping[str, Any]:
    """``data/gcp_billing.yaml``: service IDs and each machine family's SKU names."""
    text = resources.files("components.prices").joinpath("data", "gcp_billing.yaml").read_text("utf-8")
    doc: Mapping[str, Any] = yaml.safe_load(text)
    return doc


def api_key(environ: Mapping[str, str] | None = None) -> str:
    """The API key from the environment; raises PriceApiError naming the variables."""
    env = os.environ if environ is None else environ
    for var in KEY_VARIABLES:
        if env.get(var):
            return env[var]
    raise PriceApiError(
        f"{API}: no API key; set {KEY_VARIABLES[0]} (or {KEY_VARIABLES[1]}) to an API key allowed to call the "
        "Cloud Billing API (console: APIs & Services > Credentials > Create credentials > API key)"
    )


@dataclass(frozen=True)
class SkuPrice:
    usd: float
    sku_id: str
    description: str


def _unit_price(sku: Mapping[str, Any], where: str) -> tuple[float, str]:
    """(USD per usage unit, usage unit) of a SKU's current pricing; raises on a malformed SKU."""
    info = sku.get("pricingInfo")
    if not isinstance(info, list) or not info or not isinstance(info[0], dict):
        raise PriceApiError(f"{API}: {where} has no pricingInfo")
    expr = info[0].get("pricingExpression")
    if not isinstance(expr, dict) or not isinstance(expr.get("tieredRates"), list):
        raise PriceApiError(f"{API}: {where} has no pricingExpression.tieredRates")
    for rate in expr["tieredRates"]:
        price = rate.get("unitPrice") if isinstance(rate, dict) else None
        if not isinstance(price, dict):
            raise PriceApiError(f"{API}: {where} has a tiered rate without unitPrice")
        if price.get("currencyCode", "USD") != "USD":
            raise PriceApiError(f"{API}: {where} is priced in {price.get('currencyCode')}, not USD")
        try:
            usd = int(price.get("units") or 0) + int(price.get("nanos") or 0) / 1e9
        except (TypeError, ValueError):
            raise PriceApiError(f"{API}: {where} has a unitPrice whose units/nanos are not integers") from None
        if usd > 0:
            return usd, str(expr.get("usageUnit", ""))
    return 0.0, str(expr.get("usageUnit", ""))


class SkuIndex:
    """SKU prices by (part name, capacity, region), from the listed SKUs."""

    def __init__(self) -> None:
        self.parts: dict[tuple[str, str, str, str], SkuPrice] = {}  # (kind, name lower, capacity, region)
        self.skipped_units: list[str] = []

    def add(self, sku: Mapping[str, Any], where: str) -> None:
        data = billing_data()
        desc = sku.get("description")
        cat = sku.get("category")
        if not isinstance(desc, str) or not isinstance(cat, dict):
            raise PriceApiError(f"{API}: {where} has no description or category")
        capacity = _USAGE.get(str(cat.get("usageType")))
        if capacity is None or any(w.lower() in desc.lower() for w in data["excludeWords"]):
            return
        regions = sku.get("serviceRegions")
        if not isinstance(regions, list):
            raise PriceApiError(f"{API}: {where} ({desc}) has no serviceRegions list")
        kind, name = self._classify(desc, str(cat.get("resourceGroup", "")))
        if kind is None:
            return
        usd, unit = _unit_price(sku, f"{where} ({desc})")
        if usd <= 0:
            return
        if unit != _UNITS[kind]:
            self.skipped_units.append(f"{desc}: usage unit {unit!r}, expected {_UNITS[kind]!r}")
            return
        entry = SkuPrice(usd, str(sku.get("skuId", "")), desc)
        for region in regions:
            self.parts.setdefault((kind, name.lower(), capacity, str(region)), entry)

    @staticmethod
    def _classify(desc: str, group: str) -> tuple[str | None, str]:
        data = billing_data()
        tpu = _TPU.search(desc)
        if tpu is not None and (group == "TPU" or "GPU" not in desc):
            version = tpu.group("version").lower()
            return "tpu", data["tpuVersionAliases"].get(version, version)
        if desc.lower().startswith((data["localSsd"].lower(), "spot preemptible " + data["localSsd"].lower())):
            return "ssd", "local"
        for key, name in data["storage"].items():
            if desc.startswith(f"{name} in ") or desc == name:
                return "storage", key
        if m := _GPU.match(desc):
            return "gpu", m.group("name")
        if m := _PART.match(desc):
            return m.group("part").lower(), m.group("name")
        return None, ""

    def get(self, kind: str, name: str, capacity: str, region: str) -> SkuPrice | None:
        return self.parts.get((kind, name.lower(), capacity, region))


def _family(machine_type: str) -> tuple[str, Mapping[str, Any]] | None:
    fams = billing_data()["families"]
    keys = sorted((k for k in fams if machine_type.startswith(k)), key=len, reverse=True)
    return (keys[0], fams[keys[0]]) if keys else None


def _list_skus(client: JsonClient, base: str, service: str, key: str, index: SkuIndex) -> int:
    url = with_query(f"{base}/v1/services/{service}/skus", {"currencyCode": "USD", "pageSize": "5000", "key": key})
    token: str | None = None
    pages = 0
    while True:
        pages += 1
        if pages > MAX_PAGES:
            raise PriceApiError(f"{API}: more than {MAX_PAGES} pages for service {service}; nextPageToken loops")
        page_url = with_query(url, {"pageToken": token}) if token else url
        doc = client.get(page_url)
        skus = doc.get("skus")
        if not isinstance(skus, list):
            raise PriceApiError(f"{API}: the answer from {shown(page_url)} has no skus list")
        for i, sku in enumerate(skus):
            if not isinstance(sku, dict):
                raise PriceApiError(f"{API}: skus[{i}] of page {pages} for service {service} is not an object")
            index.add(sku, f"skus[{i}] of page {pages} for service {service}")
        token = doc.get("nextPageToken") or None
        if not token:
            return pages


def _machine(index: SkuIndex, t: Target, capacity: str) -> tuple[float, str] | str:
    """(USD per node-hour, how it was composed), or why it cannot be."""
    offer = t.machine
    assert offer is not None
    fam = _family(offer.machine_type)
    if fam is None:
        return f"no SKU mapping for {offer.machine_type} in gcp_billing.yaml"
    _key, spec = fam
    parts: list[tuple[str, float, SkuPrice]] = []
    wanted = [("core", spec["host"], float(offer.vcpu)), ("ram", spec["host"], float(offer.memory_gib))]
    wanted.append(("gpu", spec["gpu"], float(offer.accelerators_per_node)))
    if spec.get("localSsd") and offer.local_nvme:
        wanted.append(("ssd", "local", float(offer.local_nvme.total_gib)))
    for kind, name, qty in wanted:
        sku = index.get(kind, name, capacity, t.region)
        if sku is None:
            label = "local SSD" if kind == "ssd" else f"'{name}'" + ("" if kind == "gpu" else f" {kind.title()}")
            return f"no {capacity} {label} SKU in {t.region}"
        parts.append((kind, qty, sku))
    total = 0.0
    words = []
    for kind, qty, sku in parts:
        unit = sku.usd / HOURS_PER_MONTH if kind == "ssd" else sku.usd
        total += qty * unit
        what = {"core": "vCPU", "ram": "GiB", "gpu": "GPU", "ssd": "GiB local SSD"}[kind]
        words.append(f"{qty:g} {what} x ${unit:.6g} ({sku.sku_id})")
    return total, " + ".join(words)


def fetch(targets: list[Target], endpoint: str | None, client: JsonClient, fetched_at: str, key: str) -> FetchResult:
    """Price every GCP target from the SKUs of Compute Engine and Cloud TPU."""
    result = FetchResult()
    base = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
    index = SkuIndex()
    services = billing_data()["services"]
    for label, service in (("Compute Engine", services["compute"]), ("Cloud TPU", services["tpu"])):
        pages = _list_skus(client, base, service, key, index)
        result.notes.append(f"gcp: {counted(pages, 'page')} of {label} SKUs (services/{service})")
    result.notes.extend(f"gcp: skipped SKU {s}" for s in index.skipped_units[:10])
    reasons: dict[tuple[str, str, str], str] = {}
    for t in targets:
        service = services["tpu"] if t.kind == "tpu" else services["compute"]
        source = f"{base}/v1/services/{service}/skus ({API})"
        for cap in t.capacities():
            if t.kind == "machine":
                got = _machine(index, t, cap)
                if isinstance(got, str):
                    reasons[(t.offer, t.region, cap)] = got
                    continue
                usd, detail = got
                result.add(t, cap, usd, source, fetched_at, detail)
            else:
                kind = "tpu" if t.kind == "tpu" else "storage"
                sku = index.get(kind, t.offer, cap, t.region)
                if sku is None:
                    reasons[(t.offer, t.region, cap)] = f"no {cap} SKU for {t.kind} {t.offer} in {t.region}"
                    continue
                result.add(t, cap, sku.usd, source, fetched_at, f"{sku.description} ({sku.sku_id})")
    result.close(targets, lambda t, cap: reasons.get((t.offer, t.region, cap), f"not found in {t.region}"))
    return result
