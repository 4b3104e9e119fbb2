"""Maintainers: refresh the shipped catalog's prices from a price overlay, as a reviewable diff.

``aiinfra prices update-catalog OVERLAY [--write]`` takes every overlay row quoted for the
region the catalog row's price is quoted in and rewrites that row's ``price`` in
``components/catalog/data/*.yaml`` in place (comments and layout kept): the figure, and the
price's own ``source`` and ``asOf`` (the overlay's source and fetch date). It prints what
changes (old -> new, with the percentage) and the unified diff of the data files; with
``--write`` it also writes them. Rows for other regions are listed as skipped, never applied:
the catalog quotes one reference region per row.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from components.catalog import DATA_FILES, Catalog
from components.prices.book import STORAGE_REGIONS, storage_key
from components.prices.overlay import Overlay, PriceRow

OFFER_FILES = {"gcp": "gcp.yaml", "azure": "azure.yaml", "aws": "aws.yaml"}


@dataclass(frozen=True)
class Change:
    """One catalog price the overlay changes."""

    file: str
    cloud: str
    item: str  # machine type, tpu-v5p, storage lustre/250
    field: str  # onDemandUsd | spotUsd | onDemandUsdPerChip | spotUsdPerChip | priceUsdPerGiBMonth
    region: str
    old: float | None
    new: float
    source: str
    as_of: str

    @property
    def percent(self) -> float | None:
        return None if not self.old else (self.new - self.old) / self.old * 100

    def describe(self) -> str:
        old = "-" if self.old is None else f"{self.old:g}"
        pct = "" if self.percent is None else f" ({self.percent:+.1f}%)"
        where = f"{self.cloud} {self.item} {self.field} ({self.region})"
        return f"{where}: {old} -> {self.new:g}{pct}  [{self.source}, {self.as_of}]"


def data_dir() -> Path:
    return Path(str(resources.files("components.catalog").joinpath("data")))


def _num(value: float) -> str:
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return text if "." in text else text + ".0"


def _flow_span(text: str, start: int) -> tuple[int, int]:
    """The span of the flow mapping ``{...}`` starting at ``start`` (balanced braces, quotes respected)."""
    depth = 0
    quote = ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return start, i + 1
    raise ValueError("unbalanced flow mapping")


def _price_text(region: str, fields: dict[str, str | None], source: str, as_of: str, keys: tuple[str, str]) -> str:
    parts = [f"region: {region}"]
    parts += [f"{key}: {fields[key]}" for key in keys if fields.get(key) is not None]
    parts.append(f'source: "{source}"')
    parts.append(f'asOf: "{as_of}"')
    return "price: {" + ", ".join(parts) + "}"


def _short_source(row: PriceRow) -> str:
    """The URL part of a row's source (the catalog keeps URLs; the overlay keeps the detail)."""
    first = row.source.split(" ", 1)[0]
    return first if first.startswith(("https://", "http://")) else row.source


def _rewrite_price(block: str, new: dict[str, float], source: str, as_of: str, keys: tuple[str, str]) -> str:
    """``block`` with its ``price: {...}`` rewritten: ``new`` figures, unchanged ones as written."""
    m = re.search(r"price: \{", block)
    if m is None:
        raise ValueError("no price mapping")
    start, end = _flow_span(block, m.start() + len("price: "))
    current = block[start:end]
    region = re.search(r"region: ([^,}]+)", current)
    fields: dict[str, str | None] = {}
    for key in keys:
        found = re.search(rf"\b{key}: ([0-9.]+|null)", current)
        fields[key] = found.group(1) if found and found.group(1) != "null" else None
    fields.update({k: _num(v) for k, v in new.items()})
    text = _price_text(region.group(1).strip() if region else "", fields, source, as_of, keys)
    return block[: m.start()] + text + block[end:]


def _catalog() -> Catalog:
    """The catalog as the data files on disk are now (not the copy loaded at start-up)."""
    import yaml

    base = data_dir()
    return Catalog({name: yaml.safe_load((base / name).read_text("utf-8")) for name in DATA_FILES})


def plan_changes(overlay: Overlay) -> tuple[dict[str, tuple[str, str]], list[Change], list[str]]:
    """(file -> (old text, new text), changes, skipped notes) for applying ``overlay``."""
    cat = _catalog()
    base = data_dir()
    texts: dict[str, str] = {}

    def text_of(name: str) -> str:
        if name not in texts:
            texts[name] = (base / name).read_text("utf-8")
        return texts[name]

    originals: dict[str, str] = {}
    changes: list[Change] = []
    skipped: list[str] = []
    # group rows by item so on-demand and spot land in one rewrite
    grouped: dict[tuple[str, str, str], list[PriceRow]] = {}
    for row in overlay.prices:
        grouped.setdefault((row.cloud, row.kind, row.offer), []).append(row)
    for (cloud, kind, offer_name), rows in sorted(grouped.items()):
        if kind == "machine":
            offer = cat.offer_by_machine_type(cloud, offer_name)
            if offer is None:
                skipped.append(f"{cloud} {offer_name}: not a catalog machine type")
                continue
            ref, file = offer.price.region, OFFER_FILES[cloud]
            keys = ("onDemandUsd", "spotUsd")
            olds = {"onDemandUsd": offer.price.on_demand_usd, "spotUsd": offer.price.spot_usd}
            pattern = rf"- \{{machineType: {re.escape(offer.machine_type)},"
            item = offer.machine_type
        elif kind == "tpu":
            tpu = cat.tpu(offer_name)
            if tpu is None:
                skipped.append(f"gcp TPU {offer_name}: not a catalog TPU version")
                continue
            ref, file = tpu.price.region, "tpu.yaml"
            keys = ("onDemandUsdPerChip", "spotUsdPerChip")
            olds = {"onDemandUsdPerChip": tpu.price.on_demand_usd, "spotUsdPerChip": tpu.price.spot_usd}
            pattern = rf"- version: {re.escape(tpu.version)}\n"
            item = f"tpu-{tpu.version}"
        else:
            changes_s, skip_s = _storage(cat, cloud, offer_name, rows, text_of, originals, texts)
            changes += changes_s
            skipped += skip_s
            continue
        usable = [r for r in rows if r.region == ref]
        skipped += [
            f"{cloud} {item} {r.capacity} in {r.region}: the catalog quotes {ref}" for r in rows if r.region != ref
        ]
        if not usable:
            continue
        new: dict[str, float] = {}
        for r in usable:
            key = keys[0] if r.capacity == "on-demand" else keys[1]
            new[key] = round(r.price_usd, 4)
            if olds[key] is None or abs((olds[key] or 0) - new[key]) > 1e-9:
                changes.append(Change(file, cloud, item, key, ref, olds[key], new[key], _short_source(r), r.date))
        text = text_of(file)
        m = re.search(pattern, text)
        if m is None:
            skipped.append(f"{cloud} {item}: row not found in {file}")
            continue
        start = m.start()
        if kind == "machine":
            _s, end = _flow_span(text, start + 2)
        else:
            nxt = text.find("\n  - version:", start + 1)
            end = len(text) if nxt < 0 else nxt + 1
        newest = max(usable, key=lambda r: r.fetched_at)
        block = _rewrite_price(text[start:end], new, _short_source(newest), newest.date, keys)
        originals.setdefault(file, text)
        texts[file] = text[:start] + block + text[end:]
    files = {name: (originals[name], texts[name]) for name in originals if originals[name] != texts[name]}
    return files, changes, skipped


def _storage(
    cat: Catalog,
    cloud: str,
    key: str,
    rows: list[PriceRow],
    text_of: Callable[[str], str],
    originals: dict[str, str],
    texts: dict[str, str],
) -> tuple[list[Change], list[str]]:
    """Storage tiers: rewrite ``priceUsdPerGiBMonth`` of the tier (or single-tier row)."""
    kind, _, tier = key.partition("/")
    store = cat.storage_offer(cloud, kind)
    ref = STORAGE_REGIONS[cloud]
    if store is None or storage_key(store, int(tier) if tier else None) != key:
        return [], [f"{cloud} storage {key}: not a catalog storage tier"]
    usable = [r for r in rows if r.region == ref and r.capacity == "on-demand"]
    skipped = [f"{cloud} storage {key} in {r.region}: the catalog quotes {ref}" for r in rows if r.region != ref]
    if not usable:
        return [], skipped
    row = usable[0]
    t = store.tier(int(tier) if tier else None)
    assert t is not None
    text = text_of("storage.yaml")
    block_start = text.find(f"  - cloud: {cloud}\n    kind: {kind}\n")
    if block_start < 0:
        return [], [*skipped, f"{cloud} storage {key}: row not found in storage.yaml"]
    block_end = text.find("\n  - cloud:", block_start + 1)
    block_end = len(text) if block_end < 0 else block_end
    block = text[block_start:block_end]
    new_value = round(row.price_usd, 4)
    dated = f'priceSource: "{_short_source(row)}", priceAsOf: "{row.date}"'
    if tier:
        # the tier's flow mapping, its price with its own source and date (replacing earlier ones)
        m = re.search(rf'"{tier}": \{{', block)
        if m is None:
            return [], [*skipped, f"{cloud} storage {key}: price not found in storage.yaml"]
        start, end = _flow_span(block, m.end() - 1)
        body = re.sub(r',\s*price(?:Source|AsOf): "[^"]*"', "", block[start + 1 : end - 1])
        body, n = re.subn(r"(priceUsdPerGiBMonth: )([0-9.]+)", lambda p: p.group(1) + _num(new_value), body, count=1)
        new_block = block[:start] + "{" + body + ", " + dated + "}" + block[end:]
    else:
        # a single-tier row: its price and the row's priceSource/priceAsOf lines
        new_block, n = re.subn(
            r"(\n    priceUsdPerGiBMonth: )([0-9.]+)", lambda p: p.group(1) + _num(new_value), block, count=1
        )
        new_block = re.sub(r'\n    price(?:Source|AsOf): "[^"]*"', "", new_block)
        source_line, date_line = f'\n    priceSource: "{_short_source(row)}"', f'\n    priceAsOf: "{row.date}"'
        new_block = re.sub(r'(\n    asOf: "[^"]*")', lambda p: p.group(1) + source_line + date_line, new_block, count=1)
    if n == 0:
        return [], [*skipped, f"{cloud} storage {key}: price not found in storage.yaml"]
    originals.setdefault("storage.yaml", text)
    texts["storage.yaml"] = text[:block_start] + new_block + text[block_end:]
    change = []
    if abs(t.price_usd_per_gib_month - new_value) > 1e-9:
        change.append(
            Change(
                "storage.yaml",
                cloud,
                f"storage {key}",
                "priceUsdPerGiBMonth",
                ref,
                t.price_usd_per_gib_month,
                new_value,
                _short_source(row),
                row.date,
            )
        )
    return change, skipped


def unified_diff(files: dict[str, tuple[str, str]]) -> str:
    out: list[str] = []
    for name, (old, new) in sorted(files.items()):
        out.extend(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"a/components/catalog/data/{name}",
                tofile=f"b/components/catalog/data/{name}",
            )
        )
    return "".join(out)


def write(files: dict[str, tuple[str, str]]) -> None:
    base = data_dir()
    for name, (_old, new) in files.items():
        (base / name).write_text(new, encoding="utf-8")
