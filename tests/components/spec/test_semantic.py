"""Semantic checks that need the catalog: each error has its exact spec path and a fix."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from components.spec import check_document
from components.spec.errors import SpecIssue


def cluster(cloud: str = "gcp", **extra: Any) -> dict[str, Any]:
    region = {"gcp": "us-central1", "azure": "eastus", "aws": "us-east-1"}[cloud]
    zone = {"gcp": "us-central1-a", "azure": "1", "aws": "us-east-1a"}[cloud]
    base: dict[str, Any] = {"name": "c1", "cloud": cloud, "region": region, "zone": zone}
    base.update(extra)
    return base


def errors_of(*clusters: dict[str, Any], **top: Any) -> list[SpecIssue]:
    doc: dict[str, Any] = {"clusters": list(clusters), **top}
    fleet, issues = check_document(copy.deepcopy(doc), "spec.yaml")
    errors = [i for i in issues if i.severity == "error"]
    assert (fleet is None) == bool(errors)
    return errors


def one(issues: list[SpecIssue], path: str, pattern: str) -> SpecIssue:
    matching = [i for i in issues if i.path == path]
    assert len(matching) == 1, [i.format() for i in issues]
    assert re.search(pattern, matching[0].message), matching[0].message
    return matching[0]


def pool(**kw: Any) -> dict[str, Any]:
    return {"name": "gpu", "accelerator": "H100-80GB", "acceleratorsPerNode": 8, "maxNodes": 2, **kw}


# --- accelerators and offers ---------------------------------------------------------------
def test_unknown_accelerator_with_did_you_mean() -> None:
    issue = one(
        errors_of(cluster(gpuPools=[pool(accelerator="H10-80GB")])),
        "clusters[0].gpuPools[0].accelerator",
        r"^unknown accelerator 'H10-80GB'$",
    )
    assert issue.hint is not None and issue.hint.startswith("did you mean 'H100-80GB'?")


def test_alias_resolves() -> None:
    assert errors_of(cluster(gpuPools=[pool(accelerator="h100")])) == []


def test_accelerator_not_offered_on_cloud_names_where_it_is() -> None:
    issue = one(
        errors_of(cluster("gcp", gpuPools=[pool(accelerator="MI300X")])),
        "clusters[0].gpuPools[0].accelerator",
        r"MI300X is not offered on gcp",
    )
    assert issue.hint == "it is offered on azure"


def test_accelerators_per_node_lists_valid_counts() -> None:
    issue = one(
        errors_of(cluster("aws", gpuPools=[pool(acceleratorsPerNode=4)])),
        "clusters[0].gpuPools[0].acceleratorsPerNode",
        r"aws has no H100-80GB node with 4 accelerators",
    )
    assert issue.hint == "offered per node: 1, 8"


def test_machine_type_must_match_an_offer() -> None:
    issue = one(
        errors_of(cluster(gpuPools=[pool(machineType="a3-megagpu-4g")])),
        "clusters[0].gpuPools[0].machineType",
        r"not a gcp machine type for H100-80GB",
    )
    assert issue.hint is not None and "a3-megagpu-8g" in issue.hint


def test_machine_type_selects_a3_mega() -> None:
    fleet, _ = check_document({"clusters": [cluster(gpuPools=[pool(machineType="a3-megagpu-8g")])]})
    assert fleet is not None
    assert fleet.clusters[0].pools[0].offer.machine_type == "a3-megagpu-8g"
    assert fleet.clusters[0].pools[0].fabric is not None
    assert fleet.clusters[0].pools[0].fabric.kind == "gpudirect-tcpxo"


def test_tpu_in_gpu_pools_points_to_tpu_slices() -> None:
    issue = one(
        errors_of(cluster(gpuPools=[pool(accelerator="v5p")])),
        "clusters[0].gpuPools[0].accelerator",
        r"is a TPU; TPUs are declared under tpuSlices",
    )
    assert issue.hint == "add a tpuSlices entry with version: v5p"


def test_default_per_node_is_the_largest() -> None:
    fleet, _ = check_document({"clusters": [cluster("aws", gpuPools=[{"name": "g", "accelerator": "L4"}])]})
    assert fleet is not None and fleet.clusters[0].pools[0].offer.machine_type == "g6.48xlarge"


# --- scaling and capacity ----------------------------------------------------------------
def test_min_nodes_above_max_nodes() -> None:
    one(
        errors_of(cluster(gpuPools=[pool(minNodes=5, maxNodes=2)])),
        "clusters[0].gpuPools[0].minNodes",
        r"^minNodes 5 is greater than maxNodes 2$",
    )


def test_reserved_needs_a_reservation() -> None:
    one(
        errors_of(cluster(gpuPools=[pool(capacity="reserved")])),
        "clusters[0].gpuPools[0].reservation",
        r"capacity is reserved but no reservation is named",
    )


def test_spot_cannot_use_a_reservation() -> None:
    one(
        errors_of(cluster(gpuPools=[pool(capacity="spot", reservation="r1")])),
        "clusters[0].gpuPools[0].reservation",
        r"spot capacity cannot consume a reservation",
    )


def test_on_demand_with_reservation() -> None:
    one(
        errors_of(cluster(gpuPools=[pool(reservation="r1")])),
        "clusters[0].gpuPools[0].reservation",
        r"only consumed with capacity: reserved",
    )


def test_capacity_block_is_aws_only() -> None:
    one(
        errors_of(
            cluster("gcp", gpuPools=[pool(capacity="reserved", reservation="r", reservationKind="capacity-block")])
        ),
        "clusters[0].gpuPools[0].reservationKind",
        r"Capacity Blocks are an AWS feature",
    )


def test_capacity_block_with_forced_placement_warns() -> None:
    doc = {
        "clusters": [
            cluster(
                "aws",
                gpuPools=[
                    pool(capacity="reserved", reservation="cr-0123456789abcdef0", reservationKind="capacity-block")
                ],
            )
        ]
    }
    fleet, issues = check_document(doc)
    assert fleet is not None
    assert [(i.severity, i.path) for i in issues] == [("warning", "clusters[0].gpuPools[0].placement")]


# --- fabric, zones, placement --------------------------------------------------------------
@pytest.mark.parametrize("cloud", ["gcp", "azure", "aws"])
def test_fabric_pool_needs_a_zone(cloud: str) -> None:
    c = cluster(cloud, gpuPools=[pool(name="gpu")])
    del c["zone"]
    issue = one(errors_of(c), "clusters[0].zone", r"pool 'gpu' gets the .* fabric, which needs every node in one zone")
    assert issue.hint is not None and issue.hint.startswith("set zone")


def test_single_node_pool_gets_no_fabric_and_needs_no_zone() -> None:
    c = cluster("aws", gpuPools=[pool(maxNodes=1)])
    del c["zone"]
    fleet, _ = check_document({"clusters": [c]})
    assert fleet is not None and fleet.clusters[0].pools[0].fabric is None


def test_fabric_none_needs_no_zone() -> None:
    c = cluster("gcp", gpuPools=[pool()], network={"fabric": "none"})
    del c["zone"]
    fleet, _ = check_document({"clusters": [c]})
    assert fleet is not None and fleet.clusters[0].pools[0].fabric is None


def test_compact_placement_without_zone() -> None:
    c = cluster("gcp", gpuPools=[pool(accelerator="L4", acceleratorsPerNode=1, placement="compact")])
    del c["zone"]
    one(errors_of(c), "clusters[0].zone", r"asks for compact placement, which needs one zone")


def test_rdma_on_a_machine_without_fabric() -> None:
    one(
        errors_of(cluster("gcp", network={"fabric": "rdma"}, gpuPools=[pool(accelerator="L4", acceleratorsPerNode=1)])),
        "clusters[0].gpuPools[0].accelerator",
        r"network.fabric is rdma but g2-standard-12 \(L4\) has no RDMA fabric",
    )


def test_raid0_without_local_nvme() -> None:
    one(
        errors_of(cluster("gcp", gpuPools=[pool(accelerator="L4", acceleratorsPerNode=1, localSsd="raid0")])),
        "clusters[0].gpuPools[0].localSsd",
        r"g2-standard-12 has no local NVMe",
    )


def test_zone_not_in_region() -> None:
    one(
        errors_of(cluster("gcp", zone="us-east1-b", gpuPools=[pool()])),
        "clusters[0].zone",
        r"zone 'us-east1-b' is not in region 'us-central1'",
    )


def test_bad_region() -> None:
    one(errors_of(cluster("aws", region="useast1", gpuPools=[pool()])), "clusters[0].region", r"does not look like")


# --- TPUs ----------------------------------------------------------------------------------
def tpu(**kw: Any) -> dict[str, Any]:
    return {"name": "tpu", "version": "v5p", "topology": "2x2x4", **kw}


def test_tpu_on_azure() -> None:
    one(
        errors_of(cluster("azure", tpuSlices=[tpu()])),
        "clusters[0].tpuSlices",
        r"TPU slices exist only on Google Cloud",
    )


def test_tpu_topology_with_wrong_dimensions() -> None:
    one(
        errors_of(cluster(tpuSlices=[tpu(version="v5e", topology="2x2x2")])),
        "clusters[0].tpuSlices[0].topology",
        r"TPU v5e slices have 2-D topologies",
    )


def test_tpu_topology_not_listed() -> None:
    one(
        errors_of(cluster(tpuSlices=[tpu(version="v6e", topology="3x3")])),
        "clusters[0].tpuSlices[0].topology",
        r"'3x3' is not a TPU v6e topology; use one of 1x1, 2x2",
    )


def test_tpu_cube_rule() -> None:
    assert errors_of(cluster(tpuSlices=[tpu(topology="4x4x8")])) == []
    one(errors_of(cluster(tpuSlices=[tpu(topology="8x4x4")])), "clusters[0].tpuSlices[0].topology", r"non-decreasing")


def test_tpu_size_limit() -> None:
    one(
        errors_of(cluster(tpuSlices=[tpu(version="v4", topology="16x16x20")])),
        "clusters[0].tpuSlices[0].topology",
        r"5120 chips; TPU v4 slices are at most 4096 chips",
    )


def test_tpu_needs_a_zone() -> None:
    c = cluster(tpuSlices=[tpu()])
    del c["zone"]
    one(errors_of(c), "clusters[0].zone", r"TPU slice 'tpu' needs a zone.*multi-host slices use compact placement")


def test_tpu_runtime_only_for_vms() -> None:
    one(
        errors_of(cluster(tpuSlices=[tpu(runtimeVersion="v2-alpha-tpuv5")])),
        "clusters[0].tpuSlices[0].runtimeVersion",
        r"applies to TPU VMs",
    )


# --- names ----------------------------------------------------------------------------------
def test_aks_pool_name_rule() -> None:
    issue = one(
        errors_of(cluster("azure", gpuPools=[pool(name="h100-pool")])),
        "clusters[0].gpuPools[0].name",
        r"'h100-pool' is not a valid name on azure",
    )
    assert issue.hint is not None and "at most 12" in issue.hint
    assert issue.hint.endswith("; e.g. 'h100pool'")  # a name the rule accepts, made from theirs


def test_aks_pool_name_too_long() -> None:
    issue = one(
        errors_of(cluster("azure", gpuPools=[pool(name="verylongpoolname")])),
        "clusters[0].gpuPools[0].name",
        r"not a valid name on azure",
    )
    assert issue.hint is not None and issue.hint.endswith("; e.g. 'verylongpool'")


@pytest.mark.parametrize(
    ("name", "pattern", "length", "near"),
    [
        ("H100_Train", "^[a-z]([-a-z0-9]*[a-z0-9])?$", 40, "h100-train"),  # GKE: lowercase, hyphens
        ("8xh100", "^[a-z][a-z0-9]*$", 12, "p8xh100"),  # AKS: a letter first
        ("a-" + "b" * 50, "^[a-z]([-a-z0-9]*[a-z0-9])?$", 40, "a-" + "b" * 38),
        ("---", "^[a-z][a-z0-9]*$", 12, None),  # nothing to make a name of
    ],
)
def test_valid_name_near(name: str, pattern: str, length: int, near: str | None) -> None:
    from components.spec.semantic import valid_name_near

    assert valid_name_near(name, pattern, length) == near
    if near is not None:
        assert re.fullmatch(pattern, near) and len(near) <= length


def test_gke_name_limit() -> None:
    one(errors_of(cluster("gcp", name="c" * 41, gpuPools=[pool()])), "clusters[0].name", r"not a valid name on gcp")


def test_duplicate_pool_and_slice_names() -> None:
    one(
        errors_of(cluster(gpuPools=[pool(name="x")], tpuSlices=[tpu(name="x")])),
        "clusters[0].tpuSlices[0].name",
        r"already used at clusters\[0\].gpuPools\[0\]",
    )


def test_duplicate_cluster_names() -> None:
    one(
        errors_of(cluster(gpuPools=[pool()]), cluster("aws", gpuPools=[pool()])),
        "clusters[1].name",
        r"cluster name 'c1' is already used",
    )


# --- storage --------------------------------------------------------------------------------
def store(**kw: Any) -> dict[str, Any]:
    return {"name": "data", "kind": "lustre", "capacityGiB": 36000, **kw}


def test_gcp_lustre_capacity_step_with_nearest() -> None:
    issue = one(
        errors_of(cluster(storage=[store(capacityGiB=40000, throughputMBpsPerTiB=250)])),
        "clusters[0].storage[0].capacityGiB",
        r"Google Cloud Managed Lustre at 250 MB/s/TiB does not accept 40000 GiB: 36000-6120000 GiB in steps of 36000",
    )
    assert issue.hint == "nearest valid sizes: 36000 GiB (below) or 72000 GiB (above)"


def test_azure_lustre_below_sku_minimum() -> None:
    issue = one(
        errors_of(cluster("azure", storage=[store(capacityGiB=4096, throughputMBpsPerTiB=125)])),
        "clusters[0].storage[0].capacityGiB",
        r"Azure Managed Lustre at 125 MB/s/TiB does not accept 4096 GiB",
    )
    assert issue.hint == "smallest valid size: 16384 GiB"


def test_fsx_first_step_is_1200() -> None:
    assert errors_of(cluster("aws", storage=[store(capacityGiB=1200)])) == []
    assert errors_of(cluster("aws", storage=[store(capacityGiB=4800)])) == []
    one(
        errors_of(cluster("aws", storage=[store(capacityGiB=3600)])),
        "clusters[0].storage[0].capacityGiB",
        r"does not accept 3600 GiB: 1200 GiB, or 2400-2361600 GiB in steps of 2400 GiB",
    )


def test_unknown_throughput_tier() -> None:
    issue = one(
        errors_of(cluster(storage=[store(throughputMBpsPerTiB=200)])),
        "clusters[0].storage[0].throughputMBpsPerTiB",
        r"has no 200 MB/s/TiB tier",
    )
    assert issue.hint == "nearest tier: 250; allowed: 125, 250, 500, 1000"


def test_block_only_fields() -> None:
    one(errors_of(cluster(storage=[store(iops=3000)])), "clusters[0].storage[0].iops", r"block volumes only")


def test_block_iops_ceiling() -> None:
    one(
        errors_of(cluster("aws", storage=[{"name": "vol", "kind": "block", "capacityGiB": 1000, "iops": 300000}])),
        "clusters[0].storage[0].iops",
        r"at most 256000 IOPS",
    )


def test_lustre_needs_zone() -> None:
    c = cluster(storage=[store()])
    del c["zone"]
    one(errors_of(c), "clusters[0].zone", r"Lustre file system 'data' is zonal")


# --- network --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cidr", "pattern"),
    [("10.0.0.1/16", "not a network CIDR"), ("8.8.0.0/16", "not a private range"), ("10.0.0.0/24", "too small")],
)
def test_cidr(cidr: str, pattern: str) -> None:
    one(errors_of(cluster(network={"cidr": cidr}, gpuPools=[pool()])), "clusters[0].network.cidr", pattern)


def test_every_semantic_error_is_collected() -> None:
    issues = errors_of(
        cluster(
            "azure",
            gpuPools=[pool(name="bad-name", minNodes=3, maxNodes=1)],
            tpuSlices=[tpu()],
            storage=[store(capacityGiB=1)],
        )
    )
    assert {i.path for i in issues} >= {
        "clusters[0].gpuPools[0].name",
        "clusters[0].gpuPools[0].minNodes",
        "clusters[0].tpuSlices",
        "clusters[0].storage[0].capacityGiB",
    }


def test_filestore_has_two_capacity_ranges() -> None:
    nfs = {"name": "home", "kind": "nfs"}
    assert errors_of(cluster(storage=[{**nfs, "capacityGiB": 9984}])) == []
    assert errors_of(cluster(storage=[{**nfs, "capacityGiB": 12800}])) == []
    issue = one(
        errors_of(cluster(storage=[{**nfs, "capacityGiB": 10496}])),
        "clusters[0].storage[0].capacityGiB",
        r"1024-9984 GiB in steps of 256 GiB, or 10240-102400 GiB in steps of 2560 GiB",
    )
    assert issue.hint == "nearest valid sizes: 10240 GiB (below) or 12800 GiB (above)"


def test_a3_high_below_eight_gpus_is_spot_or_reserved_only() -> None:
    issue = one(
        errors_of(cluster(gpuPools=[pool(acceleratorsPerNode=4)])),
        "clusters[0].gpuPools[0].capacity",
        r"a3-highgpu-4g is offered only as spot or reserved capacity, not on-demand",
    )
    assert issue.hint is not None and issue.hint.startswith("set capacity: spot")
    assert errors_of(cluster(gpuPools=[pool(acceleratorsPerNode=4, capacity="spot")])) == []


def test_invalid_capacity_gives_the_valid_sizes_on_both_sides() -> None:
    # FSx for Lustre: 1200 GiB, then multiples of 2400; 5000 lies between 4800 and 7200 (4800 is nearer)
    issue = one(
        errors_of(cluster("aws", storage=[store(capacityGiB=5000)])),
        "clusters[0].storage[0].capacityGiB",
        r"does not accept 5000 GiB",
    )
    assert issue.hint == "nearest valid sizes: 4800 GiB (below) or 7200 GiB (above)"
    # below the smallest size there is only one side
    issue = one(
        errors_of(cluster(storage=[store(capacityGiB=1000, throughputMBpsPerTiB=250)])),
        "clusters[0].storage[0].capacityGiB",
        r"does not accept 1000 GiB",
    )
    assert issue.hint == "smallest valid size: 36000 GiB"


def test_a100_is_ambiguous_and_says_which_it_could_be() -> None:
    issue = one(
        errors_of(cluster(gpuPools=[pool(accelerator="A100", acceleratorsPerNode=1)])),
        "clusters[0].gpuPools[0].accelerator",
        r"'A100' is ambiguous: it comes as A100-40GB and A100-80GB",
    )
    assert issue.hint == "write A100-40GB or A100-80GB"


def test_a_near_miss_suggests_the_accelerator_it_starts_like() -> None:
    issue = one(
        errors_of(cluster(gpuPools=[pool(accelerator="a100-80", acceleratorsPerNode=1)])),
        "clusters[0].gpuPools[0].accelerator",
        r"unknown accelerator 'a100-80'",
    )
    assert issue.hint is not None and issue.hint.startswith("did you mean 'A100-80GB'?")


def test_tpu_version_aliases_resolve() -> None:
    slices = [{"name": "t", "version": "trillium", "topology": "2x2", "capacity": "spot"}]
    doc = {"environment": "dev", "clusters": [cluster(tpuSlices=slices)]}
    fleet, issues = check_document(doc, "spec.yaml")
    assert fleet is not None, [i.format() for i in issues]
    assert fleet.clusters[0].slices[0].version.version == "v6e"


def test_articles_fit_the_cloud_name() -> None:
    issue = one(
        errors_of(cluster("azure", gpuPools=[pool(accelerator="A100-80GB", acceleratorsPerNode=1, machineType="x1")])),
        "clusters[0].gpuPools[0].machineType",
        r"'x1' is not an azure machine type",
    )
    assert "a azure" not in issue.message


# --- names that would collide once joined ------------------------------------------------------
def test_cluster_and_pool_names_that_join_to_the_same_name() -> None:
    a = cluster(name="a", gpuPools=[pool(name="b-c")])
    ab = cluster(name="a-b", gpuPools=[pool(name="c")])
    issue = one(
        errors_of(a, ab), "clusters[1].gpuPools[0].name", r"would be named 'a-b-c', as clusters\[0\]\.gpuPools\[0\]"
    )
    assert "rename one of them" in (issue.hint or "")
    # storage has its own namespace; other clouds their own resources
    assert (
        errors_of(
            cluster(name="a", gpuPools=[pool(name="b-c")]),
            cluster(name="a-b", storage=[{"name": "c", "kind": "block", "capacityGiB": 100}]),
        )
        == []
    )
    assert errors_of(a, cluster("aws", name="a-b", gpuPools=[pool(name="c")])) == []


def test_multislice_names_collide_with_a_pool() -> None:
    c = cluster(
        gpuPools=[pool(name="x-1")],
        tpuSlices=[{"name": "x", "version": "v5e", "topology": "2x2", "count": 2, "capacity": "spot"}],
    )
    one(errors_of(c), "clusters[0].tpuSlices[0].name", r"would be named 'c1-x-1', as clusters\[0\]\.gpuPools\[0\]")
