"""Validate-time checks for AWS clusters: the cloud-neutral ones that matter on AWS, and
``components.aws.rules``. Every case goes through the real loader (schema, semantic checks,
cloud rules), as ``aiinfra validate`` does."""

from __future__ import annotations

from typing import Any

import pytest

from components.spec import SpecError, SpecIssue, load_fleet_object
from tests.components.aws.fleets import family_pool, fleet_doc


def issues(doc: dict[str, Any]) -> list[SpecIssue]:
    try:
        _fleet, warnings = load_fleet_object(doc, "<test>")
    except SpecError as err:
        return list(err.issues)
    return list(warnings)


def errors(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i.path, i.message) for i in issues(doc) if i.severity == "error"]


def test_valid_specs_have_no_errors() -> None:
    assert errors(fleet_doc([family_pool("p5"), family_pool("trn1")])) == []


def test_fabric_pool_without_a_single_zone() -> None:
    found = errors(fleet_doc([family_pool("p5")], zone=None))
    assert found == [
        ("clusters[0].zone", "pool 'p5' gets the efa fabric, which needs every node in one zone"),
    ]


@pytest.mark.parametrize("family", ["g5", "inf2"])
def test_efa_asked_for_on_an_instance_type_without_efa(family: str) -> None:
    pool = family_pool(family, acceleratorsPerNode=1)  # g5.xlarge / inf2.xlarge: no EFA
    found = errors(fleet_doc([pool], network={"cidr": "10.40.0.0/16", "fabric": "rdma"}))
    assert len(found) == 1
    path, message = found[0]
    assert path == "clusters[0].gpuPools[0].accelerator"
    assert "network.fabric is rdma" in message and "xlarge" in message


def test_capacity_block_without_placement_opt_out_warns() -> None:
    pool = family_pool("p5", capacity="reserved", reservation="cr-0123456789abcdef0", reservationKind="capacity-block")
    found = issues(fleet_doc([pool]))
    assert [(i.severity, i.path) for i in found] == [("warning", "clusters[0].gpuPools[0].placement")]


@pytest.mark.parametrize(
    ("reservation", "kind", "ok"),
    [
        ("cr-0123456789abcdef0", "reservation", True),
        ("cr-01234567", "reservation", True),
        ("arn:aws:resource-groups:us-east-1:123456789012:group/odcrs", "reservation", True),
        ("arn:aws:resource-groups:us-east-1:123456789012:group/odcrs", "capacity-block", False),
        ("my-reservation", "reservation", False),
        ("CR-0123456789ABCDEF0", "capacity-block", False),
    ],
)
def test_reservation_ids(reservation: str, kind: str, ok: bool) -> None:
    pool = family_pool("p5", capacity="reserved", reservation=reservation, reservationKind=kind, placement="none")
    found = errors(fleet_doc([pool]))
    assert (found == []) is ok, found
    if not ok:
        assert found[0][0] == "clusters[0].gpuPools[0].reservation"


def test_reservation_needs_a_zone() -> None:
    pool = family_pool("g6", capacity="reserved", reservation="cr-0123456789abcdef0")
    assert errors(fleet_doc([pool], zone=None)) == [
        ("clusters[0].zone", "pool 'g6' consumes a capacity reservation, which lives in one availability zone")
    ]


def test_capacity_block_min_nodes_warning() -> None:
    pool = family_pool(
        "p5",
        capacity="reserved",
        reservation="cr-0123456789abcdef0",
        reservationKind="capacity-block",
        placement="none",
        minNodes=2,
    )
    found = issues(fleet_doc([pool]))
    assert [(i.severity, i.path) for i in found] == [("warning", "clusters[0].gpuPools[0].minNodes")]


def test_gpu_driver_latest_warns() -> None:
    found = issues(fleet_doc([family_pool("g6", gpuDriver="latest")]))
    assert [(i.severity, i.path) for i in found] == [("warning", "clusters[0].gpuPools[0].gpuDriver")]


def test_gpu_driver_none_warns_that_nothing_installs_a_driver_on_amazon_linux() -> None:
    found = issues(fleet_doc([family_pool("g6", gpuDriver="none"), family_pool("trn1", gpuDriver="none")]))
    assert [(i.severity, i.path) for i in found] == [("warning", "clusters[0].gpuPools[0].gpuDriver")]
    assert "cannot install one on Amazon Linux" in found[0].message
    assert found[0].hint is not None and "gpuDriver: default" in found[0].hint


@pytest.mark.parametrize(
    ("volume", "path", "fragment"),
    [
        ({"capacityGiB": 100, "iops": 1000}, "iops", "start at 3000"),
        ({"capacityGiB": 20, "iops": 16000}, "iops", "needs at least 32 GiB"),
        ({"capacityGiB": 20, "iops": 30000}, "iops", "needs at least 30 GiB"),
        ({"capacityGiB": 1000, "iops": 20000, "throughputMBps": 500}, "throughputMBps", "no throughput setting"),
        ({"capacityGiB": 1000, "throughputMBps": 100}, "throughputMBps", "125 to 2000"),
        ({"capacityGiB": 1000, "throughputMBps": 1000}, "throughputMBps", "needs at least 4000 IOPS"),
    ],
)
def test_ebs_limits(volume: dict[str, Any], path: str, fragment: str) -> None:
    found = errors(fleet_doc(storage=[{"name": "vol", "kind": "block", **volume}]))
    assert any(p == f"clusters[0].storage[0].{path}" and fragment in m for p, m in found), found


def test_ebs_valid_volumes() -> None:
    for volume in (
        {"capacityGiB": 1000},
        {"capacityGiB": 1000, "iops": 16000, "throughputMBps": 1000},
        {"capacityGiB": 1000, "iops": 80000},
    ):
        assert errors(fleet_doc(storage=[{"name": "vol", "kind": "block", **volume}])) == [], volume


def test_lustre_capacity_increments() -> None:
    found = errors(fleet_doc(storage=[{"name": "data", "kind": "lustre", "capacityGiB": 3000}]))
    assert found and found[0][0] == "clusters[0].storage[0].capacityGiB"
    assert errors(fleet_doc(storage=[{"name": "data", "kind": "lustre", "capacityGiB": 7200}])) == []


def test_nfs_on_existing_cluster_needs_a_zone() -> None:
    doc = fleet_doc(
        storage=[{"name": "home", "kind": "nfs", "capacityGiB": 10}], zone=None, kubernetes={"existingCluster": "prod"}
    )
    assert errors(doc) == [
        ("clusters[0].zone", "EFS 'home' on an existing cluster gets its mount target in the cluster's zone")
    ]


def test_aws_rules_import_no_sdk() -> None:
    import subprocess
    import sys

    code = "import sys, components.aws.rules; print('pulumi_aws' in sys.modules, 'pulumi' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
