"""Every example stack in stacks/ validates, and resolves to the offers the README promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.spec import load_fleet

STACKS = sorted(Path(__file__).resolve().parents[3].joinpath("stacks").glob("Pulumi.*.yaml"))


def test_all_example_stacks_exist() -> None:
    names = {p.name for p in STACKS}
    for stack in ("gcp-train", "azure-train", "aws-train", "dev", "multi"):
        assert f"Pulumi.{stack}.yaml" in names


@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.stem)
def test_example_stack_is_valid(path: Path) -> None:
    fleet, warnings = load_fleet(path)
    assert fleet.clusters
    assert [w.format() for w in warnings] == []


def test_train_stacks_resolve_to_fabric_pools() -> None:
    want = {
        "gcp-train": ("a3-highgpu-8g", "gpudirect-tcpx"),
        "azure-train": ("Standard_ND96isr_H100_v5", "infiniband"),
        "aws-train": ("p5.48xlarge", "efa"),
    }
    for stack, (machine, fabric) in want.items():
        fleet, _ = load_fleet(next(p for p in STACKS if p.stem == f"Pulumi.{stack}"))
        pool = fleet.clusters[0].pools[0]
        assert pool.offer.machine_type == machine
        assert pool.fabric is not None and pool.fabric.kind == fabric
        assert pool.compact
