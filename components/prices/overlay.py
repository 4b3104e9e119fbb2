"""The price overlay file: dated prices and discounts that replace the catalog's list prices.

One JSON document (schema ``overlay.schema.json``, ``"schema": "aiinfra-price-overlay/v1"``)::

    {
      "schema": "aiinfra-price-overlay/v1",
      "createdAt": "2026-12-01T15:00:00Z",
      "createdBy": "aiinfra prices refresh --cloud aws",
      "prices": [
        {"cloud": "aws", "kind": "machine", "offer": "p5.48xlarge", "region": "us-east-1",
         "capacity": "on-demand", "priceUsd": 55.04, "unit": "node-hour",
         "source": "AWS Price List Query API GetProducts (AmazonEC2, ...)", "fetchedAt": "2026-12-01T15:00:00Z"}
      ],
      "missing": [...],
      "discounts": [{"cloud": "gcp", "family": "a3", "percent": 20, "note": "3-year CUD"}]
    }

``aiinfra prices refresh`` writes the ``prices`` and ``missing`` rows; users add ``discounts``
(or keep them in a file of their own: several overlays can be layered, later rows winning).
Errors name the file and the path inside it (``prices[3].priceUsd``) and never raise past
:class:`OverlayError`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

SCHEMA_ID = "aiinfra-price-overlay/v1"
KINDS = ("machine", "tpu", "storage")
CAPACITIES = ("on-demand", "spot")
UNITS = {"machine": "node-hour", "tpu": "chip-hour", "storage": "GiB-month"}


class OverlayError(ValueError):
    """A price overlay that cannot be read or does not match its schema (exit 2)."""


@dataclass(frozen=True)
class PriceRow:
    """One price: an offer in a region at a capacity, with where and when it was read."""

    cloud: str
    kind: str  # machine | tpu | storage
    offer: str  # machine type, TPU version, storage key (lustre/250)
    region: str
    capacity: str  # on-demand | spot
    price_usd: float
    unit: str
    source: str
    fetched_at: str
    detail: str = ""

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """(cloud, kind, offer lowercased, region, capacity): one row per key in an overlay."""
        return (self.cloud, self.kind, self.offer.lower(), self.region, self.capacity)

    @property
    def date(self) -> str:
        """The fetch date (YYYY-MM-DD)."""
        return self.fetched_at[:10]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "cloud": self.cloud,
            "kind": self.kind,
            "offer": self.offer,
            "region": self.region,
            "capacity": self.capacity,
            "priceUsd": self.price_usd,
            "unit": self.unit,
            "source": self.source,
            "fetchedAt": self.fetched_at,
        }
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True)
class MissingRow:
    """An offer a refresh looked for in a region and did not find."""

    cloud: str
    kind: str
    offer: str
    region: str
    capacity: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "cloud": self.cloud,
            "kind": self.kind,
            "offer": self.offer,
            "region": self.region,
            "capacity": self.capacity,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Discount:
    """A percentage off list prices for a cloud, optionally narrowed to a family or accelerator."""

    cloud: str
    percent: float
    family: str | None = None
    accelerator: str | None = None
    capacities: tuple[str, ...] = ("on-demand",)
    note: str = ""

    @property
    def specificity(self) -> int:
        """How narrow the rule is: the most specific matching rule wins."""
        return int(self.family is not None) * 2 + int(self.accelerator is not None)

    def describe(self) -> str:
        scope = " ".join(x for x in (self.cloud, self.family, self.accelerator) if x)
        note = f" ({self.note})" if self.note else ""
        return f"{self.percent:g}% {scope} discount{note}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"cloud": self.cloud, "percent": self.percent}
        if self.family:
            out["family"] = self.family
        if self.accelerator:
            out["accelerator"] = self.accelerator
        if self.capacities != ("on-demand",):
            out["capacities"] = list(self.capacities)
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class Overlay:
    """A price overlay document: where it came from, its prices, what was missing, discounts."""

    origin: str  # file path, or "policy config" / "stack config aiinfra:prices" for inline ones
    prices: list[PriceRow] = field(default_factory=list)
    missing: list[MissingRow] = field(default_factory=list)
    discounts: list[Discount] = field(default_factory=list)
    created_at: str | None = None
    created_by: str | None = None
    note: str | None = None

    @property
    def name(self) -> str:
        """A short name for messages: the file name, or the inline origin."""
        return Path(self.origin).name if self.origin.endswith(".json") else self.origin

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schema": SCHEMA_ID}
        if self.created_at:
            out["createdAt"] = self.created_at
        if self.created_by:
            out["createdBy"] = self.created_by
        if self.note:
            out["note"] = self.note
        out["prices"] = [
            p.to_json() for p in sorted(self.prices, key=lambda p: (p.cloud, p.kind, p.offer, p.region, p.capacity))
        ]
        if self.missing:
            out["missing"] = [m.to_json() for m in self.missing]
        if self.discounts:
            out["discounts"] = [d.to_json() for d in self.discounts]
        return out

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2) + "\n"


@functools.cache
def schema() -> Mapping[str, Any]:
    """The overlay's JSON Schema (``overlay.schema.json``)."""
    text = resources.files("components.prices").joinpath("overlay.schema.json").read_text("utf-8")
    doc: Mapping[str, Any] = json.loads(text)
    return doc


def _path(parts: Sequence[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def parse_overlay(doc: Any, origin: str) -> Overlay:
    """Check ``doc`` against the schema and build an :class:`Overlay`; raises OverlayError."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    problems = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    if problems:
        lines = [f"{origin}: {_path(e.absolute_path)}: {e.message}" for e in problems[:10]]
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise OverlayError("not a valid price overlay (aiinfra-price-overlay/v1):\n  " + "\n  ".join(lines) + more)
    overlay = Overlay(
        origin=origin,
        created_at=doc.get("createdAt"),
        created_by=doc.get("createdBy"),
        note=doc.get("note"),
    )
    seen: dict[tuple[str, str, str, str, str], int] = {}
    for i, p in enumerate(doc.get("prices", [])):
        row = PriceRow(
            cloud=p["cloud"],
            kind=p["kind"],
            offer=p["offer"],
            region=p["region"],
            capacity=p["capacity"],
            price_usd=float(p["priceUsd"]),
            unit=p["unit"],
            source=p["source"],
            fetched_at=p["fetchedAt"],
            detail=p.get("detail", ""),
        )
        if row.unit != UNITS[row.kind]:
            raise OverlayError(
                f"{origin}: prices[{i}].unit: a {row.kind} price is per {UNITS[row.kind]}, not per {row.unit}"
            )
        if row.key in seen:
            raise OverlayError(
                f"{origin}: prices[{i}]: {row.cloud} {row.offer} in {row.region} ({row.capacity}) is already "
                f"priced at prices[{seen[row.key]}]; keep one row per offer, region and capacity"
            )
        seen[row.key] = i
        overlay.prices.append(row)
    for m in doc.get("missing", []):
        overlay.missing.append(MissingRow(m["cloud"], m["kind"], m["offer"], m["region"], m["capacity"], m["reason"]))
    for d in doc.get("discounts", []):
        overlay.discounts.append(
            Discount(
                cloud=d["cloud"],
                percent=float(d["percent"]),
                family=d.get("family"),
                accelerator=d.get("accelerator"),
                capacities=tuple(d.get("capacities", ("on-demand",))),
                note=d.get("note", ""),
            )
        )
    return overlay


def load_overlay(path: str | Path) -> Overlay:
    """Read and check an overlay file; raises OverlayError naming the file."""
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except OSError as exc:
        raise OverlayError(f"{p}: cannot read the price overlay: {exc.strerror or exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OverlayError(f"{p}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})") from None
    return parse_overlay(doc, str(p))
