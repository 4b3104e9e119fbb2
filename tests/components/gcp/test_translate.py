"""Pure translation: network plans from the fabric table, node pool / TPU / storage arguments.

Golden files (``golden/``) hold the translated arguments, one dimension changed per case;
regenerate with ``AIINFRA_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from components.gcp import translate as t
from tests.components.gcp.helpers import FAMILIES, TPUS, at_version, cluster_doc, resolve
from tests.support.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
REFS = t.Refs(
    project="test-project",
    network="<network>",
    network_id="projects/test-project/global/networks/c1-net",
    network_name="c1-net",
    subnetwork="<subnetwork>",
    subnetwork_id="projects/test-project/regions/us-central1/subnetworks/c1-nodes",
    cluster="<cluster>",
    location="us-central1",
)


def _pool_case(pool: dict[str, Any], **cluster: Any) -> dict[str, Any]:
    c = resolve(cluster_doc(gpuPools=[pool], **cluster))
    plan = t.network_plan(c)
    return {
        "nodePool": t.gpu_pool_args(c, c.pools[0], plan, REFS),
        "fabricNetworks": [
            {"network": t.fabric_network_args(c, n, "test-project"), "subnets": [s.cidr for s in n.subnets]}
            for n in plan.fabric
        ],
    }


# ----- addressing ------------------------------------------------------------------------------


def test_address_plan_splits_the_cidr_without_overlap() -> None:
    plan = t.address_plan("10.20.0.0/16")
    assert (plan.nodes, plan.services, plan.pods) == ("10.20.0.0/18", "10.20.64.0/20", "10.20.128.0/17")
    nets = [ipaddress.ip_network(x) for x in (plan.nodes, plan.services, plan.pods)]
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "10.20.0.0/16", "172.16.0.0/12", "192.168.0.0/20"])
def test_address_plan_fits_inside_the_cidr(cidr: str) -> None:
    outer = ipaddress.ip_network(cidr)
    plan = t.address_plan(cidr)
    for sub in (plan.nodes, plan.services, plan.pods):
        assert ipaddress.ip_network(sub).subnet_of(outer)  # type: ignore[arg-type]


def test_fabric_range_avoids_the_cluster_cidr() -> None:
    assert t.fabric_base("10.20.0.0/16") == "192.168.0.0/16"
    assert t.fabric_base("192.168.0.0/16") == "172.16.0.0/16"
    with pytest.raises(ValueError, match="free of"):
        t.fabric_base("0.0.0.0/0")


# ----- fabric network plans (from fabrics.yaml, not from machine names) ------------------------


def test_a3_high_gets_four_gpu_vpcs_with_mtu_8244_and_firewalls() -> None:
    c = resolve(cluster_doc(gpuPools=[FAMILIES["a3-high"]]))
    plan = t.network_plan(c)
    assert [n.role for n in plan.fabric] == ["gpu-0", "gpu-1", "gpu-2", "gpu-3"]
    assert {n.mtu for n in plan.fabric} == {8244}
    assert all(n.internal_firewall and n.network_profile is None for n in plan.fabric)
    assert plan.pool_interfaces["a3high"] == tuple((f"gpu-{i}", f"gpu-{i}") for i in range(4))


def test_a3_mega_gets_eight_gpu_vpcs() -> None:
    c = resolve(cluster_doc(gpuPools=[FAMILIES["a3-mega"]]))
    plan = t.network_plan(c)
    assert [n.role for n in plan.fabric] == [f"gpu-{i}" for i in range(8)]
    assert {n.mtu for n in plan.fabric} == {8244}
    fw = t.fabric_firewall_args(c, plan.fabric[0], plan, "<net>")
    assert fw["source_ranges"] == ["192.168.0.0/16"]
    assert {a["protocol"] for a in fw["allows"]} == {"tcp", "udp", "icmp"}


@pytest.mark.parametrize("family", ["a3-ultra", "a4"])
def test_rdma_families_get_a_roce_vpc_with_eight_subnets(family: str) -> None:
    c = resolve(cluster_doc(gpuPools=[FAMILIES[family]]))
    plan = t.network_plan(c)
    rdma = plan.network("rdma")
    assert rdma.network_profile == "us-central1-a-vpc-roce"
    assert len(rdma.subnets) == 8
    assert not rdma.internal_firewall
    args = t.fabric_network_args(c, rdma, "test-project")
    assert args["network_profile"] == "projects/test-project/global/networkProfiles/us-central1-a-vpc-roce"
    # The primary VPC is the first gVNIC network; one more gVNIC VPC, then the 8 RDMA NICs.
    assert [n.role for n in plan.fabric] == ["gvnic-1", "rdma"]
    nics = plan.pool_interfaces[FAMILIES[family]["name"]]
    assert nics[0] == ("gvnic-1", "gvnic-1") and len(nics) == 9


def test_fabric_none_and_single_node_pools_get_no_extra_networks() -> None:
    for cluster in (
        cluster_doc(gpuPools=[FAMILIES["a3-mega"]], network={"cidr": "10.20.0.0/16", "fabric": "none"}),
        cluster_doc(gpuPools=[{**FAMILIES["a3-mega"], "maxNodes": 1}]),
    ):
        plan = t.network_plan(resolve(cluster))
        assert plan.fabric == () and plan.pool_interfaces == {}


def test_fabric_subnets_keep_their_slots_when_another_fabric_is_added() -> None:
    alone = t.network_plan(resolve(cluster_doc(gpuPools=[FAMILIES["a3-ultra"]])))
    mixed = t.network_plan(resolve(cluster_doc(gpuPools=[FAMILIES["a3-mega"], FAMILIES["a3-ultra"]])))
    assert alone.network("rdma") == mixed.network("rdma")
    assert alone.network("gvnic-1") == mixed.network("gvnic-1")
    cidrs = [ipaddress.ip_network(s.cidr) for n in mixed.fabric for s in n.subnets]
    assert len(cidrs) == 17
    assert not any(a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1 :])


def test_fabric_manifests_name_every_fabric_subnet() -> None:
    c = resolve(cluster_doc(gpuPools=[FAMILIES["a4"]]))
    docs = t.fabric_manifests(c, t.network_plan(c))
    params = [d for d in docs if d["kind"] == "GKENetworkParamSet"]
    assert len(params) == 9
    assert {p["spec"]["deviceMode"] for p in params} == {"NetDevice", "RDMA"}
    assert all(d["kind"] in ("GKENetworkParamSet", "Network") for d in docs)
    # The names GKE's GPUDirect samples reference from pod annotations.
    assert [p["metadata"]["name"] for p in params] == ["gvnic-1"] + [f"rdma-{k}" for k in range(8)]
    assert params[1]["spec"] == {"vpc": "c1-rdma", "vpcSubnet": "c1-rdma-0-sub", "deviceMode": "RDMA"}
    tcpx = t.fabric_manifests(c, t.network_plan(resolve(cluster_doc(gpuPools=[FAMILIES["a3-high"]]))))
    assert [d["metadata"]["name"] for d in tcpx if d["kind"] == "Network"] == ["vpc1", "vpc2", "vpc3", "vpc4"]


# ----- GPU node pools --------------------------------------------------------------------------


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_gpu_pool_golden(family: str) -> None:
    assert_golden(GOLDEN / f"pool-{family}.json", _pool_case(FAMILIES[family]))


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("spot", {"capacity": "spot"}),
        ("reserved", {"capacity": "reserved", "reservation": "h100-res"}),
        ("raid0", {"localSsd": "raid0"}),
        ("driver-latest", {"gpuDriver": "latest"}),
        ("driver-none", {"gpuDriver": "none"}),
        ("labels", {"labels": {"workload": "training"}}),
        ("min-nodes", {"minNodes": 1, "maxNodes": 4}),
    ],
)
def test_gpu_pool_one_dimension_golden(case: str, change: dict[str, Any]) -> None:
    assert_golden(GOLDEN / f"pool-a3-high-{case}.json", _pool_case({**FAMILIES["a3-high"], **change}))


def test_gpu_pool_key_arguments() -> None:
    args = _pool_case({**FAMILIES["a3-ultra"], "localSsd": "raid0", "capacity": "spot"})["nodePool"]
    cfg = args["node_config"]
    assert cfg["machine_type"] == "a3-ultragpu-8g"
    assert cfg["guest_accelerators"] == [
        {"type": "nvidia-h200-141gb", "count": 8, "gpu_driver_installation_config": {"gpu_driver_version": "DEFAULT"}}
    ]
    assert cfg["disk_type"] == "hyperdisk-balanced"
    assert cfg["spot"] is True and "reservation_affinity" not in cfg
    assert cfg["ephemeral_storage_local_ssd_config"] == {"local_ssd_count": 32}
    assert cfg["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}]
    assert cfg["gvnic"] == {"enabled": True}
    assert args["placement_policy"] == {"type": "COMPACT"}
    assert args["autoscaling"] == {"min_node_count": 0, "max_node_count": 2}
    assert len(args["network_config"]["additional_node_network_configs"]) == 9


def test_reserved_pool_targets_the_named_reservation() -> None:
    args = _pool_case({**FAMILIES["a3-mega"], "capacity": "reserved", "reservation": "mega-res"})["nodePool"]
    assert args["node_config"]["reservation_affinity"] == {
        "consume_reservation_type": "SPECIFIC_RESERVATION",
        "key": "compute.googleapis.com/reservation-name",
        "values": ["mega-res"],
    }
    assert "spot" not in args["node_config"]


def test_regional_pool_bounds_are_totals() -> None:
    c = resolve(cluster_doc(zone=None, gpuPools=[{**FAMILIES["g2-l4"], "maxNodes": 6}]))
    args = t.gpu_pool_args(c, c.pools[0], t.network_plan(c), REFS)
    assert args["autoscaling"] == {"total_min_node_count": 0, "total_max_node_count": 6, "location_policy": "ANY"}
    assert "node_locations" not in args and "placement_policy" not in args


def test_n1_t4_attaches_guest_accelerators_to_an_n1_machine() -> None:
    args = _pool_case(FAMILIES["n1-t4"])["nodePool"]
    assert args["node_config"]["machine_type"] == "n1-standard-8"
    assert args["node_config"]["guest_accelerators"][0]["type"] == "nvidia-tesla-t4"
    assert "placement_policy" not in args and "network_config" not in args


# ----- TPU ---------------------------------------------------------------------------------------


def _slice(key: str, **change: Any) -> Any:
    version, topology = TPUS[key]
    c = resolve(cluster_doc(tpuSlices=[{"name": "tpu", "version": version, "topology": topology, **change}]))
    return c, c.slices[0]


@pytest.mark.parametrize("key", sorted(TPUS))
def test_tpu_pool_golden(key: str) -> None:
    c, sl = _slice(key)
    assert_golden(GOLDEN / f"tpu-{key}.json", t.tpu_pool_args(c, sl, 0, REFS))


@pytest.mark.parametrize(
    ("key", "machine", "nodes"),
    [
        ("v4-single", "ct4p-hightpu-4t", 1),
        ("v4-multi", "ct4p-hightpu-4t", 4),
        ("v5e-single", "ct5lp-hightpu-8t", 1),
        ("v5e-multi", "ct5lp-hightpu-4t", 4),
        ("v5p-single", "ct5p-hightpu-4t", 1),
        ("v5p-multi", "ct5p-hightpu-4t", 8),
        ("v6e-single", "ct6e-standard-4t", 1),
        ("v6e-multi", "ct6e-standard-4t", 16),
    ],
)
def test_tpu_pool_shape(key: str, machine: str, nodes: int) -> None:
    c, sl = _slice(key)
    args = t.tpu_pool_args(c, sl, 0, REFS)
    assert args["node_config"]["machine_type"] == machine
    assert args["node_count"] == nodes
    if nodes > 1:
        assert args["placement_policy"] == {"type": "COMPACT", "tpu_topology": TPUS[key][1]}
    else:
        assert "placement_policy" not in args


def test_multislice_makes_count_node_pools() -> None:
    c, sl = _slice("v5p-multi", count=3, capacity="spot")
    names = [t.tpu_pool_args(c, sl, i, REFS)["name"] for i in range(3)]
    assert names == ["tpu-0", "tpu-1", "tpu-2"]
    assert t.tpu_pool_args(c, sl, 2, REFS)["node_config"]["spot"] is True
    assert_golden(GOLDEN / "tpu-v5p-multi-multislice.json", [t.tpu_pool_args(c, sl, i, REFS) for i in range(3)])


@pytest.mark.parametrize("key", ["v4-multi", "v5e-multi", "v5p-single", "v6e-multi"])
def test_tpu_vm_golden(key: str) -> None:
    c, sl = _slice(key, mode="vm", capacity="spot")
    args = t.tpu_vm_args(c, sl, 0, REFS)
    assert args["accelerator_config"]["topology"] == TPUS[key][1]
    assert args["scheduling_config"] == {"spot": True}
    assert_golden(GOLDEN / f"tpu-vm-{key}.json", args)


def test_tpu_queued_multislice_has_one_node_spec_per_slice() -> None:
    c, sl = _slice("v5p-multi", mode="queued", count=2)
    args = t.tpu_queued_args(c, sl, REFS)
    specs = args["tpu"]["node_specs"]
    assert [s["node_id"] for s in specs] == ["c1-tpu-0", "c1-tpu-1"]
    assert {s["node"]["accelerator_type"] for s in specs} == {"v5p-64"}
    assert specs[0]["parent"] == "projects/test-project/locations/us-central1-a"
    assert_golden(GOLDEN / "tpu-queued-v5p-multi.json", args)


# ----- cluster and storage --------------------------------------------------------------------


def test_cluster_golden() -> None:
    c = resolve(cluster_doc(gpuPools=[FAMILIES["a3-high"]]))
    assert_golden(GOLDEN / "cluster.json", t.cluster_args(c, REFS))


def test_cluster_is_private_with_workload_identity_and_multinetworking() -> None:
    c = resolve(cluster_doc(kubernetes={"version": "1.35", "releaseChannel": "rapid"}), environment="prod")
    args = t.cluster_args(c, REFS)
    assert args["private_cluster_config"]["enable_private_nodes"] is True
    assert args["workload_identity_config"] == {"workload_pool": "test-project.svc.id.goog"}
    assert args["release_channel"] == {"channel": "RAPID"}
    assert args["enable_multi_networking"] is True and args["datapath_provider"] == "ADVANCED_DATAPATH"
    assert args["deletion_protection"] is True
    assert args["resource_labels"]["aiinfra-environment"] == "prod"
    sys_pool = t.system_pool_args(c, REFS)
    assert sys_pool["node_count"] == 2 and sys_pool["node_config"]["machine_type"] == "e2-standard-4"


STORAGE = {
    "lustre": {"name": "datasets", "kind": "lustre", "capacityGiB": 18000, "throughputMBpsPerTiB": 500},
    "nfs": {"name": "home", "kind": "nfs", "capacityGiB": 2048},
    "block": {"name": "scratch", "kind": "block", "capacityGiB": 500, "iops": 20000, "throughputMBps": 600},
}


@pytest.mark.parametrize("kind", sorted(STORAGE))
def test_storage_golden(kind: str) -> None:
    c = resolve(cluster_doc(storage=[STORAGE[kind]]))
    st = c.storage[0]
    fn = {"lustre": t.lustre_args, "nfs": t.filestore_args}.get(kind)
    args = fn(c, st, REFS) if fn else t.disk_args(c, st)
    assert_golden(GOLDEN / f"storage-{kind}.json", args)


def test_lustre_arguments_follow_the_sdk_forms() -> None:
    c = resolve(cluster_doc(storage=[STORAGE["lustre"]]))
    args = t.lustre_args(c, c.storage[0], REFS)
    assert args["capacity_gib"] == "18000" and args["per_unit_storage_throughput"] == "500"
    assert args["filesystem"] == "datasets" and len(args["filesystem"]) <= 8
    assert args["network"] == "projects/test-project/global/networks/c1-net"
    assert "gke_support_enabled" not in args


def test_old_gke_uses_the_legacy_lustre_port() -> None:
    c = at_version(resolve(cluster_doc(storage=[STORAGE["lustre"]])), "1.31")
    plan = t.network_plan(c)
    assert t.lustre_args(c, c.storage[0], REFS)["gke_support_enabled"] is True
    assert t.cluster_args(c, REFS)["addons_config"]["lustre_csi_driver_config"] == {
        "enabled": True,
        "enable_legacy_lustre_port": True,
    }
    assert t.lustre_firewall_args(c, plan, REFS)["allows"] == [{"protocol": "tcp", "ports": ["6988"]}]
    new = resolve(cluster_doc(storage=[STORAGE["lustre"]]))
    assert t.lustre_firewall_args(new, t.network_plan(new), REFS)["allows"] == [{"protocol": "tcp", "ports": ["988"]}]


def test_private_services_range_is_free_of_cluster_and_fabric() -> None:
    c = resolve(cluster_doc(gpuPools=[FAMILIES["a4"]], storage=[STORAGE["nfs"]]))
    plan = t.network_plan(c)
    assert plan.psa_cidr is not None
    psa = ipaddress.ip_network(plan.psa_cidr)
    assert not psa.overlaps(ipaddress.ip_network("10.20.0.0/16"))
    assert plan.fabric_base is not None and not psa.overlaps(ipaddress.ip_network(plan.fabric_base))
    assert t.psa_range_args(c, plan, REFS)["prefix_length"] == 20


def test_names_the_cloud_accepts() -> None:
    assert t.lustre_filesystem_name("train-data-2024") == "traindat"
    assert t.filestore_share_name("model-weights-shared") == "model_weights_sh"


def test_address_demand_counts_pod_ranges_per_node() -> None:
    assert [t.pod_range_per_node(n) for n in (8, 32, 64, 110)] == [16, 64, 128, 256]
    c = resolve(
        cluster_doc(
            gpuPools=[{**FAMILIES["a3-high"], "maxNodes": 4}],
            tpuSlices=[{"name": "tpu", "version": "v5p", "topology": "2x2x4", "count": 2}],
        )
    )
    need = t.address_demand(c, t.network_plan(c))
    # system 2 nodes at /24, 4 GPU nodes + 2 slices x 4 TPU nodes at /26
    assert need.nodes == 2 + 4 + 8
    assert need.pod_addresses == 2 * 256 + 12 * 64
    assert need.fabric_nodes == 4 and need.fabric_subnet == 1020


@settings(max_examples=200, deadline=None)
@given(
    base=st.sampled_from(["10.0.0.0", "172.16.0.0", "192.168.0.0"]),
    prefix=st.integers(min_value=8, max_value=20),
    offset=st.integers(min_value=0, max_value=2**24),
)
def test_address_plan_never_overlaps_fabric_or_psa(base: str, prefix: int, offset: int) -> None:
    """Any private CIDR the spec accepts gets disjoint nodes/pods/services, fabric and PSA ranges."""
    outer = ipaddress.ip_network(base).supernet(new_prefix=min(prefix, ipaddress.ip_network(base + "/16").prefixlen))
    nets = list(outer.subnets(new_prefix=prefix)) if prefix >= outer.prefixlen else [outer]
    cidr = nets[offset % len(nets)]
    if not cidr.is_private:
        return
    plan = t.address_plan(str(cidr))
    ranges = [ipaddress.ip_network(x) for x in (plan.nodes, plan.services, plan.pods)]
    try:
        fabric = ipaddress.ip_network(t.fabric_base(str(cidr)))
    except ValueError:
        return  # reported at validate time (rules), never a traceback in the program
    assert all(r.subnet_of(cidr) for r in ranges)  # type: ignore[arg-type]
    assert not fabric.overlaps(cidr)
    assert not any(a.overlaps(b) for i, a in enumerate(ranges) for b in ranges[i + 1 :])


def test_node_service_account_flows_into_every_pool() -> None:
    c = resolve(
        cluster_doc(gpuPools=[FAMILIES["g2-l4"]], tpuSlices=[{"name": "tpu", "version": "v6e", "topology": "2x2"}])
    )
    refs = t.Refs(cluster="<cluster>", location="us-central1", node_service_account="nodes@p.iam.gserviceaccount.com")
    plan = t.network_plan(c)
    for args in (
        t.system_pool_args(c, refs),
        t.gpu_pool_args(c, c.pools[0], plan, refs),
        t.tpu_pool_args(c, c.slices[0], 0, refs),
    ):
        assert args["node_config"]["service_account"] == "nodes@p.iam.gserviceaccount.com"
    # a name that fits keeps today's account id; longer ones end in a hash, so two names sharing
    # their first 24 characters no longer get one service account
    assert t.node_service_account_args(resolve(cluster_doc(name="train")))["account_id"] == "train-nodes"
    long_a = t.node_service_account_args(resolve(cluster_doc(name="a" * 40)))["account_id"]
    long_b = t.node_service_account_args(resolve(cluster_doc(name="a" * 39 + "b")))["account_id"]
    assert long_a != long_b and len(long_a) == len(long_b) == 30
    assert re.fullmatch(r"a{15}-[0-9a-f]{8}-nodes", long_a)
    assert re.fullmatch(r"[a-z](?:[-a-z0-9]{4,28}[a-z0-9])", long_a)  # GCP's account id rule
    binding = t.node_service_account_binding_args(
        "p", "roles/artifactregistry.reader", "nodes@p.iam.gserviceaccount.com"
    )
    assert binding["member"] == "serviceAccount:nodes@p.iam.gserviceaccount.com"


def test_gpu_metrics_from_our_exporter_or_gke_managed_dcgm_never_both() -> None:
    # gpuMonitoring on (auto with an NVIDIA pool): Managed Prometheus scrapes ai-infra's own
    # per-pool exporter, so GKE's managed DCGM (a second DCGM on the node) stays off.
    with_gpus = t.cluster_args(resolve(cluster_doc(gpuPools=[FAMILIES["a3-high"]])), REFS)
    assert with_gpus["monitoring_config"] == {
        "enable_components": ["SYSTEM_COMPONENTS"],
        "managed_prometheus": {"enabled": True},
    }
    # gpuMonitoring off: GKE's managed DCGM metrics where GKE manages the drivers on 1.30+.
    managed = t.cluster_args(
        resolve(cluster_doc(gpuPools=[FAMILIES["a3-high"]], addons={"gpuMonitoring": "disabled"})), REFS
    )
    assert managed["monitoring_config"] == {
        "enable_components": ["SYSTEM_COMPONENTS", "DCGM"],
        "managed_prometheus": {"enabled": True},
    }
    off = {"gpuMonitoring": "disabled"}
    for cluster in (
        resolve(cluster_doc()),
        resolve(cluster_doc(gpuPools=[{**FAMILIES["a3-high"], "gpuDriver": "none"}], addons=off)),
        at_version(resolve(cluster_doc(gpuPools=[FAMILIES["g2-l4"]], addons=off)), "1.29"),
    ):
        assert "monitoring_config" not in t.cluster_args(cluster, REFS)


def test_kubeconfig_uses_the_gke_auth_plugin_and_holds_no_secret() -> None:
    text = t.kubeconfig("train", "34.1.2.3", "Q0FDRVJU")
    assert text is not None
    doc = yaml.safe_load(text)
    assert doc["clusters"][0]["cluster"] == {"server": "https://34.1.2.3", "certificate-authority-data": "Q0FDRVJU"}
    assert doc["users"][0]["user"]["exec"]["command"] == "gke-gcloud-auth-plugin"
    assert doc["current-context"] == "gke_train"
    assert t.kubeconfig("train", None, "x") is None


def test_a_private_clusters_kubeconfig_uses_the_dns_endpoint_without_a_cluster_ca() -> None:
    dns = "gke-0123456789abcdef-123456789012.us-central1.gke.goog"
    doc = yaml.safe_load(t.kubeconfig("train", "10.20.0.2", "Q0FDRVJU", dns) or "")
    assert doc["clusters"][0]["cluster"] == {"server": f"https://{dns}"}
    assert doc["users"][0]["user"]["exec"]["command"] == "gke-gcloud-auth-plugin"
    assert t.kubeconfig("train", None, None, dns) is not None  # the IP endpoint is not needed


def test_physical_names_that_fit_are_unchanged_and_long_ones_do_not_collide() -> None:
    assert t.physical_name(resolve(cluster_doc(name="train")), "net") == "train-net"
    a = t.physical_name(resolve(cluster_doc(name="x" * 39 + "a")), "router", limit=40)
    b = t.physical_name(resolve(cluster_doc(name="x" * 39 + "b")), "router", limit=40)
    assert a != b and len(a) == len(b) == 40


def test_gke_version_floor_is_the_family_minimum_in_the_same_minor() -> None:
    # an H200 (A3 Ultra) pool on "1.31" would let GKE pick a 1.31 patch below the one A3 Ultra needs
    h200 = at_version(resolve(cluster_doc(gpuPools=[FAMILIES["a3-ultra"]])), "1.31")
    assert t.cluster_args(h200, REFS)["min_master_version"] == "1.31.4-gke.1183000"
    b200 = at_version(resolve(cluster_doc(gpuPools=[FAMILIES["a4"], FAMILIES["a3-ultra"]])), "1.32")
    assert t.cluster_args(b200, REFS)["min_master_version"] == "1.32.2-gke.1422000"
    assert t.cluster_args(resolve(cluster_doc(gpuPools=[FAMILIES["a4"]])), REFS)["min_master_version"] == "1.35"
