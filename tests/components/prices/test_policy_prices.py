"""The policy pack's view priced from overlays: the region each pool is priced for, and every
kind of shape (bundled machines, N1 + guest GPUs, TPU slices) re-priced from the same book."""

from __future__ import annotations

from typing import Any

import pytest

from components.policy.normalize import normalize_stack
from components.prices.policy import apply_prices, fleet_regions
from tests.policies.raw import gke_pool

FLEET = {
    "clusters": [
        {"name": "train", "cloud": "gcp", "region": "us-east5"},
        {"name": "serve", "cloud": "gcp", "region": "us-central1"},
    ]
}


def rows(*items: tuple[str, str, str, str, float]) -> dict[str, Any]:
    units = {"machine": "node-hour", "tpu": "chip-hour"}
    return {
        "schema": "aiinfra-price-overlay/v1",
        "prices": [
            {
                "cloud": "gcp",
                "kind": kind,
                "offer": offer,
                "region": region,
                "capacity": cap,
                "priceUsd": usd,
                "unit": units[kind],
                "source": "https://cloudbilling.googleapis.com (recorded)",
                "fetchedAt": "2026-12-01",
            }
            for kind, offer, region, cap, usd in items
        ],
    }


def labelled(name: str, cluster: str, **kw: Any) -> Any:
    (raw,) = gke_pool(name, **kw)
    raw.props["nodeConfig"].setdefault("resourceLabels", {})["aiinfra-cluster"] = cluster
    return raw


def test_a_pool_is_priced_for_its_clusters_region() -> None:
    view = normalize_stack([labelled("a", "train"), labelled("b", "serve")])
    overlay = rows(
        ("machine", "a3-highgpu-8g", "us-east5", "on-demand", 90.0),
        ("machine", "a3-highgpu-8g", "us-central1", "on-demand", 80.0),
    )
    priced = apply_prices(view, {"prices": overlay}, {"aiinfra:fleet": FLEET})
    assert {p.name: p.shape.on_demand_usd for p in priced.pools} == {"a": 90.0, "b": 80.0}
    # without the fleet spec, an unlabelled region falls back to the catalog's reference region
    unknown = apply_prices(view, {"prices": overlay}, {})
    assert {p.shape.on_demand_usd for p in unknown.pools} == {80.0}


def test_no_prices_leaves_the_view_untouched() -> None:
    view = normalize_stack(gke_pool("a"))
    assert apply_prices(view, {}, {}) is view


def test_the_stack_setting_is_read_as_pulumi_hands_it_over() -> None:
    import json

    view = normalize_stack(gke_pool("a"))
    overlay = rows(("machine", "a3-highgpu-8g", "us-central1", "spot", 40.0))
    # Pulumi config values that are objects arrive as JSON text
    priced = apply_prices(view, {}, {"aiinfra:prices": json.dumps(overlay), "aiinfra:fleet": json.dumps(FLEET)})
    assert priced.pools[0].shape.spot_usd == 40.0


def test_guest_gpus_and_tpu_slices_are_repriced_too() -> None:
    t4 = [{"type": "nvidia-tesla-t4", "count": 2.0}]
    view = normalize_stack(
        gke_pool("n1", machine="n1-standard-16", guest=t4, networks=0, compact=False)
        + gke_pool("tpu", machine="ct5p-hightpu-4t", networks=0, topology="2x2x4")
    )
    overlay = rows(
        ("machine", "n1-standard-16", "us-central1", "on-demand", 1.2), ("tpu", "v5p", "us-east5", "on-demand", 4.0)
    )
    priced = {p.name: p.shape for p in apply_prices(view, {"prices": overlay}, {}).pools}
    assert priced["n1"].on_demand_usd == pytest.approx(1.2)  # the 2-GPU row priced as a whole
    assert priced["tpu"].on_demand_usd == pytest.approx(4.0 * 4)  # 4 chips per VM, per chip-hour x chips


def test_fleet_regions_reads_clusters() -> None:
    assert fleet_regions(FLEET) == ({"train": "us-east5", "serve": "us-central1"}, {"gcp": {"us-east5", "us-central1"}})
    assert fleet_regions("not json") == ({}, {})
