"""Validate-time errors for Azure clusters: each names its spec path and says how to fix it.

Some of these are caught by the cloud-neutral checks (pool names from clouds.yaml, TPU slices
from the unsupported table, Lustre sizes from storage.yaml); they are tested here because an
Azure user meets them on Azure.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.azure import rules
from components.azure import translate as tr
from components.spec import SpecError, load_fleet_object
from tests.components.azure.conftest import fleet_doc, resolve_cluster

H100 = {"name": "ndh100", "accelerator": "H100-80GB", "maxNodes": 2}
CRG = "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/capacityReservationGroups/h100"


def _issues(**fields: Any) -> list[tuple[str, str, str]]:
    """(severity, path, message) of every issue the spec produces (errors raise SpecError)."""
    try:
        _, warnings = load_fleet_object(fleet_doc(**fields), "<test>")
    except SpecError as err:
        return [(i.severity, i.path, i.message) for i in err.issues]
    return [(i.severity, i.path, i.message) for i in warnings]


def _assert_issue(issues: list[tuple[str, str, str]], severity: str, path: str, pattern: str) -> None:
    hits = [i for i in issues if i[0] == severity and i[1] == path and re.search(pattern, i[2])]
    assert hits, f"no {severity} at {path} matching {pattern!r}; got {issues}"


@pytest.mark.parametrize(
    "name",
    [
        "h100-pool",  # hyphen: AKS Linux pool names are lowercase alphanumerics only
        "trainingpool1",  # 13 characters: AKS allows at most 12
        "gpu_pool",  # underscore (the fleet schema rejects it first)
        "1gpu",  # must start with a letter
    ],
)
def test_agent_pool_names_azure_rejects(name: str) -> None:
    issues = _issues(gpuPools=[{**H100, "name": name}])
    _assert_issue(issues, "error", "clusters[0].gpuPools[0].name", r".")


def test_pool_named_like_the_system_pool() -> None:
    _assert_issue(
        _issues(gpuPools=[{**H100, "name": "system"}]), "error", "clusters[0].gpuPools[0].name", "system pool"
    )


def test_tpu_slice_on_azure() -> None:
    issues = _issues(gpuPools=[H100], tpuSlices=[{"name": "v5p", "version": "v5p", "topology": "2x2x1"}])
    _assert_issue(issues, "error", "clusters[0].tpuSlices", r"TPU slices exist only on Google Cloud")


@pytest.mark.parametrize(
    ("capacity", "tier", "minimum"),
    [(4096, 250, 8192), (8192, 125, 16384), (16384, 40, 49152), (2048, 500, 4096)],
)
def test_lustre_capacity_below_the_sku_minimum(capacity: int, tier: int, minimum: int) -> None:
    issues = _issues(
        storage=[{"name": "data", "kind": "lustre", "capacityGiB": capacity, "throughputMBpsPerTiB": tier}]
    )
    _assert_issue(
        issues,
        "error",
        "clusters[0].storage[0].capacityGiB",
        rf"Managed Lustre.*does not accept .*: {minimum}-[0-9]+ GiB in steps of",
    )


def test_lustre_capacity_off_the_sku_increment() -> None:
    issues = _issues(storage=[{"name": "data", "kind": "lustre", "capacityGiB": 12288, "throughputMBpsPerTiB": 250}])
    _assert_issue(issues, "error", "clusters[0].storage[0].capacityGiB", r"steps of 8192 GiB")


def test_lustre_needs_a_zone() -> None:
    issues = _issues(zone=None, storage=[{"name": "data", "kind": "lustre", "capacityGiB": 8192}])
    _assert_issue(issues, "error", "clusters[0].zone", r"zonal")


def test_lustre_throughput_tier_azure_does_not_sell() -> None:
    issues = _issues(storage=[{"name": "data", "kind": "lustre", "capacityGiB": 9000, "throughputMBpsPerTiB": 1000}])
    _assert_issue(issues, "error", "clusters[0].storage[0].throughputMBpsPerTiB", r"no 1000 MB/s/TiB tier")


def test_existing_cluster_must_be_an_aks_resource_id() -> None:
    issues = _issues(kubernetes={"existingCluster": "prod-aks"}, gpuPools=[H100])
    _assert_issue(issues, "error", "clusters[0].kubernetes.existingCluster", r"not an AKS cluster resource ID")


def test_reservation_must_be_a_capacity_reservation_group_id() -> None:
    pool = {**H100, "capacity": "reserved", "reservation": "my-reservation"}
    _assert_issue(
        _issues(gpuPools=[pool]), "error", "clusters[0].gpuPools[0].reservation", "capacity reservation group"
    )
    assert not [i for i in _issues(gpuPools=[{**pool, "reservation": CRG}]) if i[0] == "error"]


def test_pool_larger_than_an_aks_agent_pool() -> None:
    issues = _issues(gpuPools=[{**H100, "maxNodes": 1001}])
    _assert_issue(issues, "error", "clusters[0].gpuPools[0].maxNodes", r"at most 1000")


def test_block_volume_needs_a_zone_and_fits_premium_ssd_v2_limits() -> None:
    issues = _issues(zone=None, storage=[{"name": "vol", "kind": "block", "capacityGiB": 10, "iops": 8000}])
    _assert_issue(issues, "error", "clusters[0].zone", r"Premium SSD v2")
    _assert_issue(issues, "error", "clusters[0].storage[0].iops", r"at most 5000 IOPS")
    issues = _issues(
        storage=[{"name": "vol", "kind": "block", "capacityGiB": 100, "iops": 3000, "throughputMBps": 900}]
    )
    _assert_issue(issues, "error", "clusters[0].storage[0].throughputMBps", r"at most 750 MB/s")


def test_nfs_share_name_rules() -> None:
    issues = _issues(storage=[{"name": "my--share", "kind": "nfs", "capacityGiB": 1024}])
    _assert_issue(issues, "error", "clusters[0].storage[0].name", r"file share name")


def test_cidr_too_small_for_lustre_subnets() -> None:
    lustre = [{"name": f"fs{i}", "kind": "lustre", "capacityGiB": 8192} for i in range(9)]
    issues = _issues(network={"cidr": "10.30.0.0/20"}, storage=lustre)
    _assert_issue(issues, "error", "clusters[0].network.cidr", r"no room for 9 Lustre subnets \(2,304 addresses\)")


def test_warnings_pinned_version_with_auto_channel_latest_driver_existing_cluster_storage() -> None:
    aks = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/prod"
    issues = _issues(
        kubernetes={"version": "1.31", "releaseChannel": "stable"}, gpuPools=[{**H100, "gpuDriver": "latest"}]
    )
    _assert_issue(issues, "warning", "clusters[0].kubernetes.releaseChannel", r"drift")
    _assert_issue(issues, "warning", "clusters[0].gpuPools[0].gpuDriver", r"no 'latest'")
    issues = _issues(
        kubernetes={"existingCluster": aks}, storage=[{"name": "models", "kind": "nfs", "capacityGiB": 1024}]
    )
    _assert_issue(issues, "warning", "clusters[0].kubernetes.existingCluster", r"peer")


def test_check_cluster_is_clean_for_the_example_shape() -> None:
    cluster = resolve_cluster(
        gpuPools=[H100], storage=[{"name": "data", "kind": "lustre", "capacityGiB": 16384, "throughputMBpsPerTiB": 250}]
    )
    assert rules.check_cluster(cluster) == []


def _fs(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": "lustre", "capacityGiB": 8192, **extra}


def test_lustre_subnets_that_hash_to_one_slot_name_the_entry() -> None:
    # a /20 VNet leaves a /21 for Lustre: eight /24 slots, so some pair of names picks the same one
    small = {"cidr": "10.30.0.0/20"}

    def slot(name: str) -> str:
        return tr.network_layout(resolve_cluster(network=small, storage=[_fs(name)])).lustre_subnets[name]

    first = "fs-a"
    second = next(n for n in (f"fs-{i}" for i in range(100)) if slot(n) == slot(first))
    # the entry whose name sorts last is blamed, whatever the order of the list
    for order in ([first, second], [second, first]):
        blamed = order.index(max(order))
        issues = _issues(network=small, storage=[_fs(n) for n in order])
        _assert_issue(
            issues,
            "error",
            f"clusters[0].storage[{blamed}].name",
            r"overlaps .*; rename one of them, or give one subnetCidr",
        )
    free = next(f"10.30.{i}.0/24" for i in range(8, 16) if f"10.30.{i}.0/24" != slot(first))
    pinned = [_fs(first), _fs(second, subnetCidr=free)]
    assert [i for i in _issues(network=small, storage=pinned) if i[0] == "error"] == []
    bad = [_fs(first, subnetCidr="10.30.0.0/24")]
    _assert_issue(
        _issues(network=small, storage=bad), "error", "clusters[0].storage[0].subnetCidr", "outside the node subnet"
    )
