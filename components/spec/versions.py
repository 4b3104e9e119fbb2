"""Kubernetes version checks: the pinned ``kubernetes.version`` against the catalog's lifecycles.

- past its last day of support (or past standard support where the extended period needs what
  ai-infra does not set up: AKS LTS, the GKE Extended channel): an error, naming the versions
  to use instead;
- in EKS extended support (on by default, at an extra cost per cluster hour): a warning;
- within ``WARN_DAYS`` of the end of its current support period: a warning with the date;
- newer than every version in the catalog: a warning (the dates cannot be checked);
- on GKE, below the minimum an accelerator family's node pools need (H200 / A3 Ultra:
  1.31.4-gke.1183000; B200 / A4: 1.32.2-gke.1422000): an error.

"Today" is ``AIINFRA_TODAY`` (``YYYY-MM-DD``) when set, else the system date, so tests and
reproducible CI runs can pin it.
"""

from __future__ import annotations

import datetime as dt
import os

from components.catalog.kubernetes import (
    gke_minimums,
    minor_of,
    services,
    supported_versions,
    version_lifecycle,
)
from components.spec.errors import SpecIssue, join_path
from components.spec.resolved import ResolvedCluster

WARN_DAYS = 60
TODAY_ENV = "AIINFRA_TODAY"


def today() -> dt.date:
    """``AIINFRA_TODAY`` if set (tests, reproducible runs), else the system date."""
    pinned = os.environ.get(TODAY_ENV)
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError:
            pass  # a malformed override must not break validation: use the real date
    return dt.date.today()


def recommended_version(cloud: str, on: dt.date | None = None) -> str:
    """The newest version in standard support for more than ``WARN_DAYS`` (else the newest known):
    what a generated spec (``aiinfra size --emit-spec``) pins, so it validates without warnings."""
    on = on or today()
    options = supported_versions(cloud, on + dt.timedelta(days=WARN_DAYS))
    return options[-1] if options else services()[cloud].versions[-1].version


def _use(cloud: str, on: dt.date) -> str:
    """The versions to suggest: in standard support for more than ``WARN_DAYS`` from ``on``."""
    options = supported_versions(cloud, on + dt.timedelta(days=WARN_DAYS))
    return f"use kubernetes.version {' or '.join(options[-2:])}" if options else "see the provider's version calendar"


def version_issues(cluster: ResolvedCluster, on: dt.date | None = None) -> list[SpecIssue]:
    """Lifecycle and minimum-version problems of one cluster's ``kubernetes.version``."""
    spec = cluster.spec
    version = spec.kubernetes.version
    if version is None or spec.kubernetes.existing_cluster or spec.cloud not in services():
        return []
    on = on or today()
    path = join_path(spec.path, "kubernetes", "version")
    life = version_lifecycle(spec.cloud, version, on)
    svc = life.service
    issues: list[SpecIssue] = []
    where = f"{svc.name} {version}"
    if life.phase == "unknown-older":
        issues.append(
            SpecIssue(
                path,
                f"{where} is older than every version {svc.name} supports (oldest in the catalog: "
                f"{svc.versions[0].version}, as of {svc.as_of})",
                _use(spec.cloud, on),
            )
        )
    elif life.phase == "unknown-newer":
        issues.append(
            SpecIssue(
                path,
                f"{where} is newer than the catalog's version table (as of {svc.as_of}), so its support dates are "
                "not checked",
                "check it is offered, and add it to components/catalog/data/kubernetes.yaml",
                severity="warning",
            )
        )
    elif life.row is not None:
        row = life.row
        if life.phase == "ended" or (life.phase == "extended" and svc.extended_needs):
            last = row.extended_end if life.phase == "ended" else row.standard_end
            what = "support" if life.phase == "ended" else "standard support"
            extra = f"; {svc.extended_needs}" if life.phase == "extended" and svc.extended_needs else ""
            issues.append(
                SpecIssue(
                    path,
                    f"{where} is no longer supported: its {what} ended on {last.isoformat()}{extra}",
                    _use(spec.cloud, on),
                )
            )
        elif life.phase == "extended":
            issues.append(
                SpecIssue(
                    path,
                    f"{where} left standard support on {row.standard_end.isoformat()} and is in {svc.extended_name} "
                    f"(charged extra per cluster hour) until {row.extended_end.isoformat()}",
                    _use(spec.cloud, on),
                    severity="warning",
                )
            )
        ending = life.phase in ("standard", "extended") and life.days_left is not None
        if ending and (life.days_left or 0) <= WARN_DAYS and not (life.phase == "extended" and svc.extended_needs):
            period = "standard support" if life.phase == "standard" else svc.extended_name
            then = (
                f", then {svc.extended_name} (charged extra) until {row.extended_end.isoformat()}"
                if life.phase == "standard" and not svc.extended_needs
                else ""
            )
            issues.append(
                SpecIssue(
                    path,
                    f"{where}'s {period} ends on {life.ends.isoformat() if life.ends else '?'} "
                    f"(in {life.days_left} days){then}",
                    _use(spec.cloud, on),
                    severity="warning",
                )
            )
    if spec.cloud == "gcp":
        issues.extend(_gke_minimums(cluster, version, path))
    return issues


def _gke_minimums(cluster: ResolvedCluster, version: str, path: str) -> list[SpecIssue]:
    out: list[SpecIssue] = []
    minimums = gke_minimums()
    for pool in cluster.pools:
        need = minimums.get(pool.offer.accelerator)
        if need is not None and minor_of(version) < need.minor:
            out.append(
                SpecIssue(
                    path,
                    f"{pool.offer.accelerator} node pools ({pool.offer.machine_type}, {pool.spec.path}) need GKE "
                    f"{need.version} or later; kubernetes.version is {version}",
                    f"use kubernetes.version {need.minor[0]}.{need.minor[1]} or later",
                )
            )
    return out


def gke_version_floor(cluster: ResolvedCluster) -> str | None:
    """The GKE ``min_master_version`` for a cluster: its minor version, or an accelerator family's
    minimum patch when that is in the same minor (an H200 pool on "1.31" needs 1.31.4-gke.1183000)."""
    version = cluster.spec.kubernetes.version
    if version is None:
        return None
    floor = version
    minimums = gke_minimums()
    for pool in cluster.pools:
        need = minimums.get(pool.offer.accelerator)
        if (
            need is not None
            and need.minor == minor_of(version)
            and (floor == version or _key(need.version) > _key(floor))
        ):
            floor = need.version
    return floor


def _key(version: str) -> tuple[int, ...]:
    """``1.31.4-gke.1183000`` -> ``(1, 31, 4, 1183000)``: GKE versions in order."""
    return tuple(int(part) for part in version.replace("-gke.", ".").split(".") if part.isdigit())
