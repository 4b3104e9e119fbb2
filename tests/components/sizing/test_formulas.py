"""One test per sizing formula, with figures a reader can check by hand."""

from __future__ import annotations

import pytest

from components.sizing import formulas as f


def test_training_flops_is_6nd() -> None:
    assert f.training_flops(1e9, 1e12) == 6e21


def test_accelerator_hours() -> None:
    # 3.6e18 FLOPs at 1 PFLOP/s peak and 50% MFU = 7,200 s = 2 h
    assert f.accelerator_hours(3.6e18, 1000, 0.5) == pytest.approx(2.0)


def test_state_bytes_per_parameter() -> None:
    assert f.state_bytes_per_parameter(2, 2, 12) == 16
    assert f.state_bytes_per_parameter(1, 2, 12) == 15


def test_model_shape_inverts_12_l_h2() -> None:
    shape = f.model_shape(12 * 10 * (128 * 10) ** 2, 128)
    assert shape.layers == pytest.approx(10) and shape.hidden == pytest.approx(1280)


def test_activation_bytes() -> None:
    # s h = 1000 x 100 = 1e5; 10 layers x 2 + 34 = 54 -> 5.4e6 bytes
    assert f.activation_bytes(f.Shape(layers=10, hidden=100), 1000, 2, 34) == pytest.approx(5.4e6)


def test_usable_memory() -> None:
    assert f.usable_memory_bytes(80, 0.1) == pytest.approx(72e9)


def test_accelerators_for_memory() -> None:
    assert f.accelerators_for_memory(100e9, 30e9, 5e9) == 4  # 100 / 25
    assert f.accelerators_for_memory(100e9, 30e9, 30e9) is None  # no room next to the activations
    assert f.accelerators_for_memory(1e9, 30e9, 5e9) == 1


def test_accelerators_for_deadline_and_whole_nodes() -> None:
    assert f.accelerators_for_deadline(1000, 100) == 10
    assert f.accelerators_for_deadline(1001, 100) == 11
    assert f.whole_nodes(9, 8) == 2 and f.whole_nodes(8, 8) == 1


def test_checkpoint_and_rates() -> None:
    assert f.checkpoint_bytes(1e9, 2, 12) == 14e9
    assert f.write_mbps(60e9, 1) == pytest.approx(1000)  # 60 GB in 60 s
    # 1 GiB read twice over 1 h
    assert f.dataset_read_mbps(1, 2, 1) == pytest.approx(2 * 2**30 / 3600 / 1e6)
    assert f.dataset_read_mbps(1, 1, 0) == 0


def test_kv_and_flops_per_token() -> None:
    shape = f.Shape(layers=10, hidden=100)
    assert f.kv_bytes_per_token(shape, 2, 0.5) == 2 * 10 * 100 * 2 * 0.5
    assert f.flops_per_token(1e9, shape, 1000) == 2e9 + 2 * 10 * 1000 * 100


def test_replica_throughput_memory_and_compute_bound() -> None:
    # 1 accelerator, 10 GB usable, 4 GB weights, 1 GB per sequence -> batch 6
    r = f.replica_throughput(
        accelerators=1,
        usable_bytes=10e9,
        weights_bytes=4e9,
        kv_per_sequence=1e9,
        flops_token=1e9,
        peak_tflops=1000,
        memory_tbps=1,
        mfu=0.5,
        mbu=0.5,
        max_batch=256,
    )
    assert r is not None and r.batch == 6 and r.bound == "memory-bandwidth"
    assert r.step_seconds == pytest.approx(10e9 / 0.5e12)  # 4 + 6 x 1 GB at 0.5 TB/s
    assert r.tokens_per_second == pytest.approx(6 / r.step_seconds)
    # make compute the slower: 1e13 FLOPs per token
    c = f.replica_throughput(
        accelerators=1,
        usable_bytes=10e9,
        weights_bytes=4e9,
        kv_per_sequence=1e9,
        flops_token=1e13,
        peak_tflops=1000,
        memory_tbps=1,
        mfu=0.5,
        mbu=0.5,
        max_batch=2,
    )
    assert c is not None and c.batch == 2 and c.bound == "compute"
    assert c.step_seconds == pytest.approx(2 * 1e13 / 0.5e15)
    assert (
        f.replica_throughput(
            accelerators=1,
            usable_bytes=4e9,
            weights_bytes=4e9,
            kv_per_sequence=1e9,
            flops_token=1,
            peak_tflops=1,
            memory_tbps=1,
            mfu=1,
            mbu=1,
            max_batch=8,
        )
        is None
    )


def test_replica_sizes() -> None:
    assert f.replica_sizes(8) == [1, 2, 4, 8]
    assert f.replica_sizes(6) == [1, 2]
    assert f.multi_node_sizes(8, 3) == [16, 24]


def test_slices_for_uses_as_few_slices_as_the_largest_size_allows() -> None:
    sizes = [1, 4, 8, 16, 32, 64, 128, 256]
    # 883 chips: 4 slices (883 / 256 rounded up), each at least 221 chips -> 256
    assert f.slices_for(883, sizes) == (256, 4)
    # 200 chips fit one slice: the smallest size holding them
    assert f.slices_for(200, sizes) == (256, 1)
    assert f.slices_for(100, sizes) == (128, 1)
    # 300 chips: 2 slices of at least 150 -> 2 x 256 (no 150-chip shape)
    assert f.slices_for(300, sizes) == (256, 2)
    # 1,765 chips of slices up to 1,024: 2 slices of at least 883 -> 1,024 (no shape between)
    assert f.slices_for(1765, [512, 768, 1024]) == (1024, 2)
    assert f.slices_for(1, sizes) == (1, 1)
    assert f.slices_for(5, []) is None


def test_slices_within_uses_as_many_chips_as_identical_slices_allow() -> None:
    sizes = [1, 4, 8, 16, 32, 64, 128, 256]
    assert f.slices_within(1000, sizes) == (256, 3)  # 768 chips
    assert f.slices_within(100, sizes) == (64, 1)
    assert f.slices_within(3, [4, 8]) is None
