"""performance.yaml: sizing facts for every accelerator and every offer, consistent with the offers."""

from __future__ import annotations

from components.catalog import get_catalog


def test_every_accelerator_has_performance_facts() -> None:
    cat = get_catalog()
    assert set(cat.performance) == set(cat.accelerators)
    for perf in cat.performance.values():
        assert perf.source.startswith("https://") and perf.as_of
        if perf.bf16_tflops and perf.fp8_tflops:
            # FP8 is at least BF16 on every part that has both (twice on NVIDIA/AMD, equal on Trainium)
            assert perf.fp8_tflops >= perf.bf16_tflops


def test_every_offer_has_a_fabric_bandwidth_consistent_with_its_fabric() -> None:
    cat = get_catalog()
    for offer in cat.offers:
        row = cat.fabric_gbps(offer)
        assert row is not None, f"{offer.cloud} {offer.machine_type} has no fabric row in performance.yaml"
        if offer.fabric.kind == "none":
            assert row.gbps == 0, offer.machine_type
        if offer.fabric.essential:
            assert row.gbps >= 400, offer.machine_type
        if offer.fabric.links:  # Azure InfiniBand: links x link speed
            assert row.gbps == offer.fabric.links * offer.fabric.link_gbps, offer.machine_type


def test_dense_figures_are_half_the_sparse_headlines() -> None:
    perf = get_catalog().perf("H100-80GB")
    assert perf is not None and perf.tflops("bf16") == 989.4 and perf.tflops("fp8") == 1978.9
    t4 = get_catalog().perf("T4")
    assert t4 is not None and t4.tflops("bf16") is None
