"""Kubernetes versions against the catalog's lifecycles: expired, about to expire, extended,
unknown, and the GKE minimums of accelerator families. "Today" is injected (the parameter, or
AIINFRA_TODAY), so the verdicts do not change with the calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from components.catalog.kubernetes import services, version_lifecycle
from components.spec import load_fleet_object
from components.spec.resolved import ResolvedCluster
from components.spec.versions import TODAY_ENV, today, version_issues

DEC_1 = dt.date(2026, 12, 1)
REGION = {"gcp": ("us-central1", "us-central1-a"), "azure": ("eastus", "1"), "aws": ("us-east-1", "us-east-1a")}


def cluster(cloud: str, version: str = "1.35", **extra: Any) -> ResolvedCluster:
    region, zone = REGION[cloud]
    doc = {"clusters": [{"name": "c1", "cloud": cloud, "region": region, "zone": zone, **extra}]}
    fleet, _ = load_fleet_object(doc, "<test>")
    c = fleet.clusters[0]
    return replace(c, spec=replace(c.spec, kubernetes=replace(c.spec.kubernetes, version=version)))


def messages(c: ResolvedCluster, on: dt.date) -> list[tuple[str, str, str | None]]:
    return [(i.severity, i.message, i.hint) for i in version_issues(c, on)]


def test_expired_version_is_rejected() -> None:
    # EKS 1.31 left extended support on 2026-11-26
    [(severity, message, hint)] = messages(cluster("aws", "1.31"), DEC_1)
    assert severity == "error"
    assert message == "EKS 1.31 is no longer supported: its support ended on 2026-11-26"
    assert hint == "use kubernetes.version 1.35"  # 1.34's standard support ends the next day
    # the day before, it was still (expensively) supported, and ending soon
    before = messages(cluster("aws", "1.31"), dt.date(2026, 11, 25))
    assert [s for s, *_ in before] == ["warning", "warning"]
    assert "in extended support (charged extra per cluster hour) until 2026-11-26" in before[0][1]
    assert "ends on 2026-11-26 (in 1 days)" in before[1][1]


def test_version_about_to_expire_warns_with_the_date() -> None:
    [(severity, message, _)] = messages(cluster("aws", "1.34"), DEC_1)
    assert severity == "warning"
    assert message == (
        "EKS 1.34's standard support ends on 2026-12-02 (in 1 days), then extended support (charged extra) "
        "until 2027-12-02"
    )
    # 60 days is the horizon: AKS 1.35 ends 2027-03-31
    assert messages(cluster("azure", "1.35"), dt.date(2027, 1, 29)) == []
    [(severity, message, _)] = messages(cluster("azure", "1.35"), dt.date(2027, 1, 30))
    assert severity == "warning" and "AKS 1.35's standard support ends on 2027-03-31 (in 60 days)" in message


def test_past_standard_support_where_the_extension_needs_what_ai_infra_does_not_set() -> None:
    [(severity, message, hint)] = messages(cluster("azure", "1.34"), DEC_1)
    assert severity == "error" and "standard support ended on 2026-11-30" in message
    assert "Premium tier and the AKSLongTermSupport plan" in message and hint == "use kubernetes.version 1.36 or 1.37"
    [(severity, message, _)] = messages(cluster("gcp", "1.34"), DEC_1)
    assert severity == "error" and "Extended release channel" in message


def test_versions_outside_the_table() -> None:
    [(severity, message, _)] = messages(cluster("gcp", "1.27"), DEC_1)
    assert severity == "error" and "older than every version GKE supports (oldest in the catalog: 1.32" in message
    [(severity, message, _)] = messages(cluster("aws", "1.40"), DEC_1)
    assert severity == "warning" and "newer than the catalog's version table" in message


@pytest.mark.parametrize(
    ("accelerator", "minimum", "below"),
    [("H200", "1.31.4-gke.1183000", "1.30"), ("B200", "1.32.2-gke.1422000", "1.31")],
)
def test_gke_family_minimum(accelerator: str, minimum: str, below: str) -> None:
    pool = {"name": "gpu", "accelerator": accelerator, "acceleratorsPerNode": 8, "maxNodes": 1}
    issues = messages(cluster("gcp", below, gpuPools=[pool]), DEC_1)
    family = [m for m in issues if "node pools" in m[1]]
    assert family == [
        (
            "error",
            f"{accelerator} node pools ({'a3-ultragpu-8g' if accelerator == 'H200' else 'a4-highgpu-8g'}, "
            f"clusters[0].gpuPools[0]) need GKE {minimum} or later; kubernetes.version is {below}",
            f"use kubernetes.version {minimum[:4]} or later",
        )
    ]
    assert [m for m in messages(cluster("gcp", "1.35", gpuPools=[pool]), DEC_1) if "node pools" in m[1]] == []


def test_the_example_stacks_pin_a_supported_version() -> None:
    for cloud in ("gcp", "azure", "aws"):
        life = version_lifecycle(cloud, "1.35", DEC_1)
        assert life.phase == "standard" and (life.days_left or 0) > 60, (cloud, life)


def test_today_is_injectable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_ENV, "2027-01-02")
    assert today() == dt.date(2027, 1, 2)
    monkeypatch.setenv(TODAY_ENV, "not-a-date")
    assert today() == dt.date.today()
    monkeypatch.setenv(TODAY_ENV, "2026-11-25")
    _fleet, warnings = load_fleet_object(
        {"clusters": [{"name": "c1", "cloud": "aws", "region": "us-east-1", "kubernetes": {"version": "1.31"}}]}, "<t>"
    )
    assert any("2026-11-26" in w.message for w in warnings)


def test_every_row_has_its_source_and_ordered_dates() -> None:
    for svc in services().values():
        assert svc.source.startswith("https://") and svc.as_of
        for v in svc.versions:
            assert v.released < v.standard_end <= v.extended_end, (svc.name, v)
