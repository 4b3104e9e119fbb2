"""Unsupported GCP combinations fail at validate time, each naming its spec path.

The first block runs GCP specs through the cloud-neutral checks (zones, topologies, spot vs
reservation); the rest exercises ``components.gcp.rules``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
        "10240-102400 GiB in steps of 2560 GiB",
    ),
    (
        # (the Lustre CSI driver's 1.31 and multi-networking's 1.28 minimums sit below the
        # version catalog's oldest supported GKE version, which rejects these first)
        "gke-older-than-supported",
        cluster_doc(kubernetes={"version": "1.27"}, storage=[{"name": "data", "kind": "lustre", "capacityGiB": 36000}]),
        "clusters[0].kubernetes.version",
        "older than every version GKE supports",
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
        r"pods range 10.20.8.0/21 \(the upper half of 10.20.0.0/20\) has 2048 addresses; 42 nodes at max "
        r"scale \(2 system \+ 40 GPU\) need",
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
            cluster_doc(network={"cidr": "10.0.0.0/12"}, gpuPools=[{**FAMILIES["a3-mega"], "maxNodes": 200}]),
            "clusters[0].gpuPools[0].maxNodes",
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


_cidrs = st.one_of(
    st.sampled_from(["10.0.0.0/8", "10.20.0.0/16", "192.168.0.0/16", "172.16.0.0/12", "10.0.0.0/30", "fd00::/8"]),
    st.builds(lambda a, b, p: f"10.{a}.{b}.0/{p}", st.integers(0, 255), st.integers(0, 255), st.integers(0, 33)),
    st.text(max_size=12),
)
_pools = st.lists(
    st.builds(
        lambda fam, mx, mn, cap, ssd: {
            **FAMILIES[fam],
            "maxNodes": mx,
            "minNodes": mn,
            "capacity": cap,
            "localSsd": ssd,
        },
        st.sampled_from(sorted(FAMILIES)),
        st.integers(1, 3000),
        st.integers(0, 5),
        st.sampled_from(["on-demand", "spot", "reserved"]),
        st.sampled_from(["none", "raid0"]),
    ),
    max_size=3,
)
_slices = st.lists(
    st.builds(
        lambda v, topo, count, mode, cap: {
            "name": "tpu",
            "version": v,
            "topology": topo,
            "count": count,
            "mode": mode,
            "capacity": cap,
        },
        st.sampled_from(["v4", "v5e", "v5p", "v6e"]),
        st.sampled_from(["1x1", "2x2", "2x4", "4x4", "2x2x1", "2x2x4", "4x4x4", "3x3", "16x16", "8x8x8"]),
        st.integers(1, 40),
        st.sampled_from(["gke", "vm", "queued"]),
        st.sampled_from(["on-demand", "spot"]),
    ),
    max_size=1,
)
_storage = st.lists(
    st.builds(
        lambda kind, cap, iops: {
            "name": f"s{kind}",
            "kind": kind,
            "capacityGiB": cap,
            **({"iops": iops} if kind == "block" else {}),
        },
        st.sampled_from(["lustre", "nfs", "block"]),
        st.integers(1, 200000),
        st.integers(1, 500000),
    ),
    max_size=3,
    unique_by=lambda s: s["kind"],
)


@settings(max_examples=150, deadline=None)
@given(
    cidr=_cidrs,
    zone=st.sampled_from([None, "us-central1-a", "us-central1"]),
    version=st.sampled_from([None, "1.27", "1.30", "1.31", "1.33"]),
    existing=st.sampled_from([None, "prod", "projects/p/locations/us-central1-a/clusters/x", "bad/ref"]),
    pools=_pools,
    slices=_slices,
    storage=_storage,
)
def test_no_gcp_spec_produces_a_traceback(
    cidr: str,
    zone: str | None,
    version: str | None,
    existing: str | None,
    pools: list[dict[str, Any]],
    slices: list[dict[str, Any]],
    storage: list[dict[str, Any]],
) -> None:
    k8s: dict[str, Any] = {"existingCluster": existing} if existing else ({"version": version} if version else {})
    doc = cluster_doc(
        zone=zone,
        kubernetes=k8s,
        network={"cidr": cidr},
        gpuPools=[{**p, "name": f"p{i}"} for i, p in enumerate(pools)],
        tpuSlices=slices,
        storage=storage,
    )
    try:
        load_fleet_object(fleet_doc(doc), "<test>")
    except SpecError as err:
        assert all(i.path for i in err.issues)
