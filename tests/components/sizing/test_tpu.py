"""TPU slices in ``aiinfra size``: the shapes considered, the policies' per-slice limits, and
TPU candidates for training and inference, each figure recomputed from the catalog by hand."""

from __future__ import annotations

import math

import pytest

from components.catalog import get_catalog
from components.catalog.tpu import topology_error
from components.sizing import formulas as f
from components.sizing.candidates import Candidate, policy_notes, size_workload
from components.sizing.emit import fleet_spec
from components.sizing.tpu import SliceLimits, allowed_shapes, slice_limits, slice_shapes
from components.sizing.workload import Workload, assumptions, check_workload
from components.spec.loader import check_document


def _workload(**doc: object) -> Workload:
    w, issues = check_workload(doc)
    assert not issues and w is not None, issues
    return w


LLAMA = {
    "kind": "training",
    "parameters": "70e9",
    "tokens": "2e12",
    "deadlineHours": 720,
    "candidates": {"accelerators": ["v6e", "v5p", "B200"]},
}


def _by_accelerator(w: Workload) -> dict[str, Candidate]:
    return {c.accelerator: c for c in size_workload(w).candidates}


@pytest.mark.parametrize("version", ["v4", "v5e", "v5p", "v6e"])
def test_every_shape_sized_is_a_topology_the_spec_accepts(version: str) -> None:
    v = get_catalog().tpus[version]
    shapes = slice_shapes(v)
    assert shapes and [s.chips for s in shapes] == sorted(s.chips for s in shapes)
    for s in shapes:
        assert topology_error(v, s.topology) is None
        assert s.chips <= v.max_chips
        assert s.shape.nodes * s.shape.chips_per_vm == s.chips


def test_shapes_are_the_listed_2d_topologies_and_compact_3d_cubes() -> None:
    cat = get_catalog()
    assert [s.topology for s in slice_shapes(cat.tpus["v6e"])] == list(cat.tpus["v6e"].listed_topologies)
    v5p = [s.topology for s in slice_shapes(cat.tpus["v5p"])]
    # the v5p page's common shapes are all there, up to the 96-cube (6,144-chip) maximum
    for t in ("2x2x1", "2x4x4", "4x4x4", "4x4x8", "4x8x8", "8x8x8", "8x8x16", "8x16x16", "16x16x16", "16x16x24"):
        assert t in v5p
    assert "4x4x56" not in v5p  # valid under the cube rule, but a thin slab: not compact
    assert v5p[-1] == "16x16x24"


def test_slice_limits_follow_the_environment_and_the_policy_config() -> None:
    assert slice_limits("dev") == SliceLimits("dev", 16, 4)
    assert slice_limits("staging") == SliceLimits("staging", 256, 32)
    assert slice_limits("prod") == SliceLimits("prod", 8960, 256)
    custom = slice_limits("prod", {"tpu-slice-size": {"maxChipsPerSlice": {"prod": 512}}, "pool-max-nodes": "advisory"})
    assert custom == SliceLimits("prod", 512, 256)
    v5p = get_catalog().tpus["v5p"]
    # prod: 256 VMs of 4 chips at most -> 8x8x16 (1,024 chips) is the largest v5p slice
    assert allowed_shapes(v5p, slice_limits("prod"))[-1].topology == "8x8x16"
    assert allowed_shapes(v5p, slice_limits("dev"))[-1].topology == "2x2x4"


def test_training_on_v6e_slices_recomputed_by_hand() -> None:
    w = _workload(**LLAMA)
    c = _by_accelerator(w)["TPU-v6e"]
    cat = get_catalog()
    v6e = cat.tpus["v6e"]
    perf = cat.perf("TPU-v6e")
    assert perf is not None and perf.bf16_tflops == 918
    hours = f.accelerator_hours(6 * 70e9 * 2e12, 918, 0.40)  # 635,439 chip-hours
    need = math.ceil(hours / 720)  # 883 chips by the deadline (memory needs far fewer)
    assert need == 883
    assert c.tpu is not None and c.tpu.slice.topology == "16x16" and c.tpu.count == 4
    assert c.accelerators == 1024 and c.nodes == 4 * 64  # ct6e-standard-4t: 4 chips per VM
    assert c.accelerator_hours == pytest.approx(hours)
    assert c.wall_hours == pytest.approx(hours / 1024)
    # priced per chip-hour: 1,024 chips x $2.70, in the price's region
    assert v6e.price.on_demand_usd == 2.70
    assert c.compute_hourly_usd == pytest.approx(1024 * 2.70)
    assert c.region == "us-east5" and c.price.snapshot == "catalog"
    assert c.fabric_kind == "ici" and c.fabric_gbps == 3200 and c.tpu.multislice
    assert c.to_json()["fabric"]["dataCenterNetwork"] is True
    # the shared storage floor counts the chips like GPUs of the class (training: 125 MB/s)
    assert c.storage.policy_floor_mbps == pytest.approx(0.25 * 125 * 1024)


def test_training_on_v5p_stays_within_the_prod_slice_limit() -> None:
    c = _by_accelerator(_workload(**LLAMA))["TPU-v5p"]
    hours = f.accelerator_hours(6 * 70e9 * 2e12, 459, 0.40)
    assert math.ceil(hours / 720) == 1766
    # 256 VMs per slice at most: 2 slices of 8x8x16 (1,024 chips), not one 12x12x12 of 1,728
    assert c.tpu is not None and (c.tpu.slice.topology, c.tpu.count) == ("8x8x16", 2)
    assert c.compute_hourly_usd == pytest.approx(2048 * 4.20)


def test_tpus_rank_against_gpus_by_cost_and_by_time() -> None:
    s = size_workload(_workload(**LLAMA))
    order = [c.accelerator for c in s.candidates]
    assert order[0] == "TPU-v6e"  # 635,439 chip-hours x $2.70 is the cheapest run
    assert all(a.total_usd <= b.total_usd for a, b in zip(s.candidates, s.candidates[1:], strict=False))
    times = [c.wall_hours for c in s.by_time()]
    assert times == sorted(times)


def test_max_accelerators_only_takes_whole_slices() -> None:
    w = _workload(
        kind="training", parameters="7B", tokens="100e9", maxAccelerators=1000, candidates={"accelerators": ["v6e"]}
    )
    c = size_workload(w).candidates[0]
    assert c.tpu is not None and (c.tpu.slice.topology, c.tpu.count, c.accelerators) == ("16x16", 3, 768)


def test_fp8_training_only_where_the_catalog_has_an_fp8_path() -> None:
    w = _workload(**{**LLAMA, "precision": "fp8", "candidates": {"accelerators": ["v5p", "v6e"]}})
    s = size_workload(w)
    assert [c.accelerator for c in s.candidates] == ["TPU-v5p"]
    assert s.candidates[0].detail["peakTflops"] == 459  # FP8 at the BF16 rate on v5p
    assert [k.reason for k in s.skipped] == ["TPU-v6e has no FP8 tensor throughput in the catalog"]


def test_inference_prefers_single_host_slices_and_spans_hosts_only_when_it_must() -> None:
    w = _workload(
        kind="inference",
        parameters="70B",
        tokensPerSecond=20000,
        contextLength=8192,
        candidates={"accelerators": ["v6e", "v5e"]},
    )
    by = _by_accelerator(w)
    a = assumptions()
    v6e = by["TPU-v6e"]
    # 140 GB of BF16 weights fit one 8-chip v6e host (8 x 32 GB x 0.9 = 230 GB): replicas of 2x4
    assert v6e.tpu is not None and v6e.tpu.slice.topology == "2x4" and not v6e.tpu.slice.shape.multi_host
    assert not v6e.fabric_required and not v6e.tpu.multislice  # independent replicas, no DCN
    # v5e (16 GB per chip): 8 chips hold 115 GB, less than the weights: a 4x4 slice over 4 hosts
    v5e = by["TPU-v5e"]
    assert v5e.tpu is not None and v5e.tpu.slice.topology == "4x4" and v5e.fabric_required
    shape = f.model_shape(70e9, a["aspectRatio"])
    kv = f.kv_bytes_per_token(shape, 2, 0.125) * 8192
    r = f.replica_throughput(
        accelerators=8,
        usable_bytes=f.usable_memory_bytes(32, a["memoryReserveFraction"]),
        weights_bytes=140e9,
        kv_per_sequence=kv,
        flops_token=f.flops_per_token(70e9, shape, 8192),
        peak_tflops=918,
        memory_tbps=1.6,
        mfu=0.40,
        mbu=0.60,
        max_batch=a["defaults"]["maxBatch"],
    )
    assert r is not None
    assert v6e.detail["replicaTokensPerSecond"] == pytest.approx(r.tokens_per_second)
    assert v6e.tpu.count == math.ceil(20000 / r.tokens_per_second)
    assert v6e.compute_hourly_usd == pytest.approx(v6e.accelerators * 2.70)


def test_policy_notes_for_tpu_slices_outside_prod() -> None:
    w = _workload(**{**LLAMA, "environment": "staging", "candidates": {"accelerators": ["v6e"]}})
    c = size_workload(w).candidates[0]
    # staging: slices of at most 32 VMs (8x16, 128 chips); 883 chips -> 7 slices
    assert c.tpu is not None and (c.tpu.slice.topology, c.tpu.count) == ("8x16", 7)
    notes = policy_notes(c, "staging")
    assert any(n.startswith("stack-ceilings: 896 accelerators; staging allows 128") for n in notes)
    # a fixed-size slice is not an autoscaling pool: the pack applies neither of these to it
    assert not any(n.startswith(("pool-max-nodes", "tpu-slice-size", "scale-to-zero")) for n in notes)


def test_emitted_tpu_spec_has_the_slices_zone_and_a_network_wide_enough() -> None:
    w = _workload(**LLAMA)
    by = _by_accelerator(w)
    spec = fleet_spec(w, by["TPU-v6e"])
    cluster = spec["clusters"][0]
    assert cluster["region"] == "us-east5" and cluster["zone"] == "us-east5-b"  # v6e's zone in the region
    assert cluster["tpuSlices"] == [
        {"name": "v6e", "version": "v6e", "topology": "16x16", "count": 4, "capacity": "on-demand"}
    ]
    assert "gpuPools" not in cluster and cluster["network"]["cidr"] == "10.20.0.0/16"
    # Managed Lustre's client port is written down (988 from GKE 1.33; the legacy 6988 before),
    # so a later version bump cannot change it, and the spec validates without a warning
    version = tuple(int(x) for x in cluster["kubernetes"]["version"].split("."))
    assert cluster["storage"][0]["lustrePort"] == (988 if version >= (1, 33) else 6988)
    assert check_document(spec, "emitted")[1] == []
    v5p = fleet_spec(w, by["TPU-v5p"])["clusters"][0]
    assert v5p["zone"] == "us-east5-a"
    # 512 VMs do not fit the pod range of a /16 (GKE reserves a range per node): one bit wider
    assert v5p["network"]["cidr"] == "10.20.0.0/15"


def test_pick_keys_name_tpu_candidates_by_version() -> None:
    c = _by_accelerator(_workload(**LLAMA))["TPU-v6e"]
    assert c.pick_keys == ("gcp/tpu-v6e", "gcp/v6e") and c.label == "gcp tpu v6e 16x16 x4"


def test_a_model_no_allowed_slice_holds_is_left_out_with_the_limit() -> None:
    w = _workload(
        kind="inference",
        parameters="1T",
        tokensPerSecond=10,
        contextLength=1000,
        environment="dev",
        candidates={"accelerators": ["v5e"]},
    )
    s = size_workload(w)
    assert s.candidates == []
    assert [k.reason for k in s.skipped] == [
        "the weights (2,000 GB) and one 1000-token KV cache do not fit in the largest TPU v5e slice dev allows "
        "(tpu-slice-size: 16 chips, pool-max-nodes: 4 VMs per slice)"
    ]
