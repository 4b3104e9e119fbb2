"""Unsupported GCP combinations fail at validate time, each naming its spec path.

The first block runs GCP specs through the cloud-neutral checks (zones, topologies, spot vs
reservation); the rest exercises ``components.gcp.rules``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.gcp.rules import check_cluster
from components.spec import SpecError, SpecIssue, load_fleet_object
from tests.components.gcp.helpers import FAMILIES, cluster_doc, fleet_doc, resolve


def issues(cluster: dict[str, Any]) -> list[SpecIssue]:
    try:
        _, found = load_fleet_object(fleet_doc(cluster), "<test>")
    except SpecError as err:
        return list(err.issues)
    return found


def errors_at(cluster: dict[str, Any]) -> dict[str, str]:
    return {i.path: i.message for i in issues(cluster) if i.severity == "error"}


def tpu(**fields: Any) -> dict[str, Any]:
    return {"name": "tpu", "version": "v5p", "topology": "2x2x4", **fields}


CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # (case, cluster document, spec path, message pattern)
    (
        "compact-without-zone",
        cluster_doc(zone=None, gpuPools=[{**FAMILIES["g2-l4"], "placement": "compact"}]),
        "clusters[0].zone",
        "compact placement",
    ),
    (
        "fabric-without-zone",
        cluster_doc(zone=None, gpuPools=[FAMILIES["a3-mega"]]),
        "clusters[0].zone",
        "gpudirect-tcpxo",
    ),
    ("tpu-without-zone", cluster_doc(zone=None, tpuSlices=[tpu()]), "clusters[0].zone", "zonal"),
    (
        "tpu-topology-not-valid",
        cluster_doc(tpuSlices=[tpu(version="v5e", topology="3x3")]),
        "clusters[0].tpuSlices[0].topology",
        "not a TPU v5e topology",
    ),
    (
        "spot-with-reservation",
        cluster_doc(gpuPools=[{**FAMILIES["a3-high"], "capacity": "spot", "reservation": "r"}]),
        "clusters[0].gpuPools[0].reservation",
        "spot capacity cannot consume a reservation",
    ),
    (
        "queued-spot",
        cluster_doc(tpuSlices=[tpu(mode="queued", capacity="spot")]),
        "clusters[0].tpuSlices[0].capacity",
        "queued resources",
    ),
    (
        "queued-reserved",
        cluster_doc(tpuSlices=[tpu(mode="queued", capacity="reserved", reservation="r")]),
        "clusters[0].tpuSlices[0].capacity",
        "queued resources",
    ),
    (
        "system-pool-name",
        cluster_doc(gpuPools=[{**FAMILIES["g2-l4"], "name": "system"}]),
        "clusters[0].gpuPools[0].name",
        "system node pool",
    ),
    (
        "system-slice-name",
        cluster_doc(tpuSlices=[tpu(name="system")]),
        "clusters[0].tpuSlices[0].name",
        "system node pool",
    ),
    (
        "multislice-name-too-long",
        cluster_doc(tpuSlices=[tpu(name="a" * 39, count=12)]),
        "clusters[0].tpuSlices[0].name",
        "longer than 40",
    ),
    (
        "block-without-zone",
        cluster_doc(zone=None, storage=[{"name": "scratch", "kind": "block", "capacityGiB": 100}]),
        "clusters[0].zone",
        "zonal Hyperdisk",
    ),
    (
        "hyperdisk-iops-per-gib",
        cluster_doc(storage=[{"name": "scratch", "kind": "block", "capacityGiB": 10, "iops": 6000}]),
        "clusters[0].storage[0].iops",
        "500 IOPS per GiB",
    ),
    (
        "filestore-high-band-step",
        cluster_doc(storage=[{"name": "home", "kind": "nfs", "capacityGiB": 10496}]),
        "clusters[0].storage[0].capacityGiB",
        "2.5 TiB",
    ),
    (
        "lustre-needs-gke-131",
        cluster_doc(
            kubernetes={"version": "1.30"},
            storage=[{"name": "data", "kind": "lustre", "capacityGiB": 36000}],
        ),
        "clusters[0].kubernetes.version",
        "Lustre CSI driver",
    ),
    (
        "gke-too-old-for-multinetworking",
        cluster_doc(kubernetes={"version": "1.27"}),
        "clusters[0].kubernetes.version",
        "1.28",
    ),
    (
        "existing-cluster-ref",
        cluster_doc(kubernetes={"existingCluster": "projects/p/clusters/x"}, gpuPools=[FAMILIES["g2-l4"]]),
        "clusters[0].kubernetes.existingCluster",
        "neither a GKE cluster name",
    ),
    (
        "pods-range-too-small",
        cluster_doc(network={"cidr": "10.20.0.0/20"}, gpuPools=[{**FAMILIES["g2-l4"], "maxNodes": 40}]),
        "clusters[0].network.cidr",
        "pods range 10.20.8.0/21 has 2048 addresses",
    ),
    (
        "fabric-subnet-too-small",
        cluster_doc(network={"cidr": "10.0.0.0/8"}, gpuPools=[{**FAMILIES["a3-mega"], "maxNodes": 1100}]),
        "clusters[0].gpuPools",
        "each fabric subnet holds 1020",
    ),
    (
        "lustre-tier-size",
        cluster_doc(storage=[{"name": "data", "kind": "lustre", "capacityGiB": 40000}]),
        "clusters[0].storage[0].capacityGiB",
        "nearest|does not accept",
    ),
]


@pytest.mark.parametrize(("case", "doc", "path", "pattern"), CASES, ids=[c[0] for c in CASES])
def test_unsupported_combination_fails_with_its_path(case: str, doc: dict[str, Any], path: str, pattern: str) -> None:
    found = errors_at(doc)
    assert path in found, f"{case}: no error at {path}; got {found}"
    assert re.search(pattern, found[path]), found[path]


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        (
            cluster_doc(tpuSlices=[tpu(mode="vm", capacity="reserved", reservation="r")]),
            "clusters[0].tpuSlices[0].reservation",
        ),
        (
            cluster_doc(kubernetes={"existingCluster": "prod"}, gpuPools=[FAMILIES["a4"]]),
            "clusters[0].kubernetes.existingCluster",
        ),
        (
            cluster_doc(
                kubernetes={"existingCluster": "prod"}, storage=[{"name": "d", "kind": "nfs", "capacityGiB": 1024}]
            ),
            "clusters[0].kubernetes.existingCluster",
        ),
    ],
)
def test_warnings_do_not_block(doc: dict[str, Any], path: str) -> None:
    found = issues(doc)
    assert [i.path for i in found if i.severity == "warning"] == [path]
    assert not [i for i in found if i.severity == "error"]


def test_valid_clusters_have_no_gcp_issues() -> None:
    doc = cluster_doc(
        gpuPools=list(FAMILIES.values()),
        tpuSlices=[tpu(count=2, capacity="spot")],
        storage=[
            {"name": "data", "kind": "lustre", "capacityGiB": 36000},
            {"name": "home", "kind": "nfs", "capacityGiB": 12800},
            {"name": "scratch", "kind": "block", "capacityGiB": 1000, "iops": 50000},
        ],
    )
    assert check_cluster(resolve(doc)) == []


def test_every_error_names_a_path_and_a_fix() -> None:
    for _, doc, _, _ in CASES:
        for issue in issues(doc):
            assert issue.path.startswith("clusters[0]")
            # The fix is in the hint, or (TPU topologies) in the message's list of valid values.
            assert issue.hint or "use one of" in issue.message, issue.format()
