"""Fixes in the spec's own words: ai-infra's resources, built from a fleet spec on the mock engine.

The program's resources carry ``aiinfra-cluster`` / ``aiinfra-pool`` / ``aiinfra-storage``
labels; with the stack's ``aiinfra:fleet`` config the rules name spec paths and fields
(``clusters[0].gpuPools[0].maxNodes: 64 → at most 2``). Other programs' resources keep the
provider's field names (tests/policies/test_rules.py).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.fleet import Fleet
from components.mockengine import run_program
from components.policy.normalize import from_captured, normalize_stack
from components.policy.rules import Finding, evaluate
from components.policy.settings import POLICIES, fleet_hints, settings_for
from components.spec import load_fleet_object
from tests.support.specs import GCP_TRAIN


def findings(spec: dict[str, Any], config: dict[str, Any] | None = None) -> dict[str, list[Finding]]:
    """Every policy's findings on the resources the fleet spec builds (as the pack judges them)."""
    fleet, _ = load_fleet_object(spec, "spec.yaml")
    capture = run_program(lambda: Fleet("fleet", fleet), stack="t")
    view = normalize_stack(from_captured(capture.resources))
    hints = fleet_hints(spec)
    return evaluate(view, [settings_for(p.name, (config or {}).get(p.name), {}, hints) for p in POLICIES])


def dev_spec(**pool: Any) -> dict[str, Any]:
    spec = copy.deepcopy(GCP_TRAIN)
    spec["environment"] = "dev"
    spec.pop("budget")
    cl = spec["clusters"][0]
    cl["gpuPools"][0].update(pool)
    cl["tpuSlices"] = []
    cl["storage"] = []
    return spec


def test_stack_ceiling_fix_names_the_spec_field_and_the_change() -> None:
    found = findings(dev_spec(accelerator="L4", acceleratorsPerNode=8, maxNodes=64, capacity="spot", localSsd="none"))
    (f,) = found["stack-ceilings"]
    assert "can reach 64 x g2-standard-96 = 512 L4" in f.message
    assert f.fix.startswith("clusters[0].gpuPools[0].maxNodes: 64 → at most 2 (dev ceiling: 16 accelerators")
    assert "spot" not in f.fix  # the pool is already spot
    (f,) = found["pool-max-nodes"]
    assert (
        f.fix
        == "clusters[0].gpuPools[0].maxNodes: 64 → at most 4 (dev limit: 4 per pool), or split it into several pools"
    )


def test_a_pool_that_cannot_fit_beside_the_others_names_the_largest_by_spec_path() -> None:
    # a 4x4 v6e slice (16 chips) alone reaches the dev ceiling of 16: the GPU pool beside it
    # cannot shrink under it (one node of 8 is its least); "exceed" was wrong at exactly 16
    spec = dev_spec(accelerator="A100-80GB", acceleratorsPerNode=8, maxNodes=1, capacity="spot", localSsd="none")
    spec["clusters"][0]["tpuSlices"] = [{"name": "v6", "version": "v6e", "topology": "4x4", "capacity": "spot"}]
    (gpu,) = [f for f in findings(spec)["stack-ceilings"] if "A100-80GB" in f.message]
    assert gpu.fix == (
        "lower the larger pools first (clusters[0].tpuSlices[0] is the largest): "
        "the others alone reach it (dev ceiling: 16 accelerators)"
    )


@pytest.mark.parametrize(("ceiling", "spot_offered"), [(20, True), (10, False)])
def test_spot_is_offered_only_when_it_alone_brings_the_pool_within_the_ceiling(
    ceiling: float, spot_offered: bool
) -> None:
    # 4 x g2-standard-96 on-demand, $32/h; the same at spot is under $20/h but over $10/h. The
    # fixes are alternatives ("; or"): spot was offered whenever a $/h ceiling was among the
    # ceilings hit, even beside an accelerator ceiling it cannot lower
    spec = dev_spec(accelerator="L4", acceleratorsPerNode=8, maxNodes=4, capacity="on-demand", localSsd="none")
    config = {"stack-ceilings": {"maxAccelerators": {"dev": 1000}, "maxHourlyUsd": {"dev": ceiling}}}
    (f,) = findings(spec, config)["stack-ceilings"]
    assert ("capacity: on-demand → spot" in f.fix) is spot_offered, f.fix


def test_fix_and_message_never_repeat_each_other() -> None:
    spec = dev_spec(maxNodes=64, minNodes=1, capacity="on-demand")
    spec["clusters"][0]["network"]["fabric"] = "none"
    for policy, items in findings(spec).items():
        for f in items:
            assert f.fix, (policy, f.message)
            assert f.fix not in f.message and f.message not in f.fix, (policy, f)
            assert "\n" not in f.message and "\n" not in f.fix


def test_every_fix_on_an_ai_infra_pool_names_spec_fields() -> None:
    spec = dev_spec(maxNodes=64, minNodes=1, capacity="on-demand")
    spec["clusters"][0]["network"]["fabric"] = "none"
    found = findings(spec)
    fixes = {policy: [f.fix for f in items] for policy, items in found.items() if items}
    assert fixes["scale-to-zero"] == ["clusters[0].gpuPools[0].minNodes: 1 → 0 (dev pools scale to zero)"]
    assert fixes["allowed-accelerator-classes"][0].startswith("clusters[0].gpuPools[0].accelerator: H100-80GB → one of")
    assert fixes["spot-outside-prod"][0].startswith("clusters[0].gpuPools[0].capacity: on-demand → spot (spot: $")
    assert fixes["under-networked"][0].startswith("clusters[0].network.fabric: none → auto")
    for policy, texts in fixes.items():
        if policy != "accelerator-visibility":
            assert all(t.startswith("clusters[0].") for t in texts), (policy, texts)


@pytest.mark.parametrize(
    ("nodes", "fix"),
    [
        # 64 H100 read 16,000 MB/s; 4x that passes. 72000 GiB at 1000 MB/s/TiB delivers 70,312
        (
            8,
            "clusters[0].storage[0].capacityGiB: 72000 → 63000 (at most 64,000 MB/s passes); "
            "or clusters[0].storage[0].throughputMBpsPerTiB: 1000 → 500",
        ),
        # 8 H100: 8,000 MB/s passes, below the smallest Managed Lustre of any tier ("→ less" could not)
        (
            1,
            "clusters[0].storage[0].kind: lustre → nfs (the smallest Managed Lustre delivers 8,789 MB/s); "
            "or share one file system across more accelerators",
        ),
    ],
)
def test_storage_fix_names_the_storage_item_and_values_the_service_accepts(nodes: int, fix: str) -> None:
    spec = copy.deepcopy(GCP_TRAIN)
    spec["clusters"][0]["gpuPools"][0]["maxNodes"] = nodes
    spec["clusters"][0]["tpuSlices"] = []
    spec["clusters"][0]["storage"][0].update(capacityGiB=72000, throughputMBpsPerTiB=1000)
    (f,) = findings(spec)["shared-storage-overprovisioned"]
    assert f.fix == fix


def test_a_storage_bottleneck_fix_names_a_size_and_a_tier_the_service_accepts() -> None:
    # 72000 GiB at 125 MB/s/TiB (8,789 MB/s) behind 256 H100 (16,000 MB/s needed at 0.25 x 250
    # each): "capacityGiB: 72000 → more" and "a higher tier" named no value, and could fall short
    from components.catalog import get_catalog

    spec = copy.deepcopy(GCP_TRAIN)
    spec["clusters"][0]["tpuSlices"] = []
    spec["clusters"][0]["storage"][0].update(capacityGiB=72000, throughputMBpsPerTiB=125)
    spec["clusters"][0]["gpuPools"][0]["maxNodes"] = 32
    (f,) = findings(spec)["shared-storage-bottleneck"]
    size, tier = f.fix.split("; or ")
    assert size == "clusters[0].storage[0].capacityGiB: 72000 → 144000 (at least 16,000 MB/s in all)"
    assert tier == "clusters[0].storage[0].throughputMBpsPerTiB: 125 → 250"
    offer = get_catalog().storage_offer("gcp", "lustre")
    assert offer is not None and offer.tiers[125].accepts(144000) and offer.tiers[250].accepts(72000)
    assert 144000 * 125 / 1024 >= 16000 > 72000 * 125 / 1024  # enough, and one step less is not
    assert 72000 * 250 / 1024 >= 16000


@pytest.mark.parametrize("mode", ["gke", "vm"])
def test_fixed_size_tpu_slice_passes_scale_to_zero_in_every_mode(mode: str) -> None:
    # bug: a spot slice with the default mode: gke was told to "enable autoscaling with a minimum
    # of 0", which no spec field can do; mode: vm passed. A slice is all its VMs or none.
    spec = copy.deepcopy(GCP_TRAIN)
    spec["environment"] = "staging"
    spec.pop("budget")
    cl = spec["clusters"][0]
    cl["gpuPools"], cl["storage"] = [], []
    cl["tpuSlices"] = [{"name": "v5e", "version": "v5e", "topology": "4x4", "capacity": "spot", "mode": mode}]
    found = findings(spec)
    assert found["scale-to-zero"] == []
    assert found["pool-max-nodes"] == []  # its size is tpu-slice-size's business
    (f,) = findings(spec, {"tpu-slice-size": {"maxChipsPerSlice": 8}})["tpu-slice-size"]
    assert "slice of 16 chips" in f.message
    assert f.fix == "clusters[0].tpuSlices[0].topology: 4x4 → 2x4 or smaller (staging limit: 8 chips per slice)"
