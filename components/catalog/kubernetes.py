"""Kubernetes versions per managed service and their support lifecycles (``data/kubernetes.yaml``).

``version_lifecycle(cloud, "1.31", today)`` says where a minor version stands on a date: in
standard support, in the extended period (EKS extended support, AKS long-term support, the
GKE Extended channel), or past its last day, and how many days are left; ``gke_minimum`` gives
the lowest GKE version an accelerator family's node pools run on. Data, checked against
``catalog.schema.json`` like the rest of the catalog; the judgement of what is an error and what
a warning lives in ``components.spec.versions``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FILE = "kubernetes.yaml"


@dataclass(frozen=True)
class K8sVersion:
    """One minor version on one managed service."""

    version: str
    released: dt.date
    standard_end: dt.date  # the last day of standard support
    extended_end: dt.date  # the last day of the extended period
    verified: bool

    @property
    def minor(self) -> tuple[int, int]:
        return minor_of(self.version)


@dataclass(frozen=True)
class Service:
    """A managed Kubernetes service's version table."""

    cloud: str
    name: str  # EKS | AKS | GKE
    extended_name: str
    extended_needs: str | None  # None: clusters ai-infra creates get the extended period as is
    source: str
    as_of: str
    versions: tuple[K8sVersion, ...]

    def find(self, version: str) -> K8sVersion | None:
        wanted = minor_of(version)
        return next((v for v in self.versions if v.minor == wanted), None)


@dataclass(frozen=True)
class GkeMinimum:
    accelerator: str
    machine_family: str
    version: str  # 1.31.4-gke.1183000
    source: str

    @property
    def minor(self) -> tuple[int, int]:
        return minor_of(self.version)


def minor_of(version: str) -> tuple[int, int]:
    """``"1.31"`` / ``"1.31.4-gke.1183000"`` -> ``(1, 31)``."""
    major, minor = version.split(".")[:2]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@functools.cache
def _data() -> Mapping[str, Any]:
    from components.catalog import _parse, _read_text, check_schema_once

    text = _read_text(FILE)
    raw = _parse(text)
    check_schema_once({FILE: raw}, {FILE: text})
    data: Mapping[str, Any] = raw
    return data


@functools.cache
def services() -> Mapping[str, Service]:
    """Every service's table, by cloud."""
    out: dict[str, Service] = {}
    for s in _data()["services"]:
        versions = tuple(
            sorted(
                (
                    K8sVersion(
                        v["version"],
                        _date(v["released"]),
                        _date(v["standardEnd"]),
                        _date(v["extendedEnd"]),
                        v["verified"],
                    )
                    for v in s["versions"]
                ),
                key=lambda v: v.minor,
            )
        )
        out[s["cloud"]] = Service(
            s["cloud"], s["service"], s["extendedName"], s["extendedNeeds"], s["source"], s["asOf"], versions
        )
    return out


@functools.cache
def gke_minimums() -> Mapping[str, GkeMinimum]:
    """The lowest GKE version per catalog accelerator (H200: A3 Ultra, B200: A4)."""
    return {
        m["accelerator"]: GkeMinimum(m["accelerator"], m["machineFamily"], m["version"], m["source"])
        for m in _data()["gkeMinimums"]
    }


@dataclass(frozen=True)
class Lifecycle:
    """Where a version stands on a date."""

    service: Service
    version: str
    row: K8sVersion | None  # None: not in the table
    phase: str  # standard | extended | ended | unknown-newer | unknown-older
    ends: dt.date | None  # the end of the current phase
    days_left: int | None


def version_lifecycle(cloud: str, version: str, today: dt.date) -> Lifecycle:
    """The support phase of ``version`` on ``cloud`` on ``today``."""
    service = services()[cloud]
    row = service.find(version)
    if row is None:
        newest = service.versions[-1]
        phase = "unknown-newer" if minor_of(version) > newest.minor else "unknown-older"
        return Lifecycle(service, version, None, phase, None, None)
    if today <= row.standard_end:
        return Lifecycle(service, version, row, "standard", row.standard_end, (row.standard_end - today).days)
    if today <= row.extended_end:
        return Lifecycle(service, version, row, "extended", row.extended_end, (row.extended_end - today).days)
    return Lifecycle(service, version, row, "ended", row.extended_end, (row.extended_end - today).days)


def supported_versions(cloud: str, today: dt.date) -> list[str]:
    """Versions in standard support on ``today`` (oldest first): the ones to suggest."""
    return [v.version for v in services()[cloud].versions if today <= v.standard_end]
