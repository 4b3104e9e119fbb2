"""Pure translation: spec -> azure-native arguments, with plain asserts and golden files.

Regenerate golden files with ``AIINFRA_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import base64
import ipaddress
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from components.azure import translate as tr
from components.catalog import get_catalog
from components.spec import load_fleet
from tests.components.azure.conftest import resolve_cluster
from tests.support.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parents[3]
AZURE_OFFERS = get_catalog().offers_for("azure")


def _translate_all(cluster: Any) -> dict[str, Any]:
    """Every translated argument of a cluster, with placeholder references to other resources."""
    layout = tr.network_layout(cluster)
    out: dict[str, Any] = {
        "resourceGroup": tr.resource_group_name(cluster),
        "layout": {
            "vnet": layout.vnet_cidr,
            "nodes": layout.node_subnet,
            "lustre": dict(layout.lustre_subnets),
            "pods": layout.pod_cidr,
            "services": layout.service_cidr,
            "dns": layout.dns_service_ip,
        },
        "vnet": tr.vnet_args(cluster, layout, "<rg>"),
        "subnets": {
            "nodes": tr.subnet_args("nodes", layout.node_subnet, "<rg>", "<vnet-name>", "<nat-id>"),
            **{
                f"lustre-{n}": tr.subnet_args(f"lustre-{n}", c, "<rg>", "<vnet-name>", "<nat-id>")
                for n, c in layout.lustre_subnets.items()
            },
        },
        "natGateway": tr.nat_gateway_args(cluster, "<rg>", "<pip-id>"),
        "publicIp": tr.public_ip_args(cluster, "<rg>"),
        "managedCluster": tr.managed_cluster_args(cluster, layout, "<rg>", "<identity-id>", "<nodes-subnet-id>"),
        "pools": {
            p.name: {
                "agentPool": tr.agent_pool_args(
                    cluster, p, "<rg>", "<cluster-name>", "<nodes-subnet-id>", "<ppg-id>" if p.compact else None
                ),
                "ppg": tr.ppg_args(cluster, p, "<rg>") if p.compact else None,
            }
            for p in cluster.pools
        },
        "storage": {},
        "nextSteps": tr.next_steps(cluster),
    }
    for st in cluster.storage:
        if st.spec.kind == "lustre":
            out["storage"][st.name] = tr.aml_filesystem_args(cluster, st, "<rg>", "<lustre-subnet-id>")
        elif st.spec.kind == "nfs":
            name = tr.storage_account_name(cluster, st, "ai-infra/test")
            out["storage"][st.name] = {
                "account": tr.nfs_account_args(cluster, st, "<rg>", name, ["<nodes-subnet-id>"]),
                "share": tr.nfs_share_args(st, "<rg>", name),
            }
        else:
            out["storage"][st.name] = tr.disk_args(cluster, st, "<rg>")
    return out


def test_azure_train_stack_golden() -> None:
    fleet, _ = load_fleet(ROOT / "stacks" / "Pulumi.azure-train.yaml")
    assert_golden(GOLDEN / "azure-train.json", _translate_all(fleet.clusters[0]))


@pytest.mark.parametrize("offer", AZURE_OFFERS, ids=lambda o: o.machine_type)
def test_agent_pool_per_offer_golden(offer: Any) -> None:
    """One golden file per catalog VM size: a two-node pool, so fabric sizes get InfiniBand."""
    pool = {
        "name": "gpu",
        "accelerator": offer.accelerator,
        "acceleratorsPerNode": offer.accelerators_per_node,
        "machineType": offer.machine_type,
        "minNodes": 0,
        "maxNodes": 2,
    }
    cluster = resolve_cluster(gpuPools=[pool])
    (rp,) = cluster.pools
    assert rp.offer.machine_type == offer.machine_type
    args = tr.agent_pool_args(
        cluster, rp, "<rg>", "<cluster-name>", "<nodes-subnet-id>", "<ppg-id>" if rp.compact else None
    )
    assert args["vm_size"] == offer.machine_type
    assert args["min_count"] == 0 and args["enable_auto_scaling"] is True
    assert args["mode"] == "User"
    if offer.fabric.kind == "infiniband":
        assert rp.fabric is not None and rp.compact
        assert args["proximity_placement_group_id"] == "<ppg-id>"
        assert args["gpu_profile"] == {"driver": "None"}
    else:
        assert rp.fabric is None and "proximity_placement_group_id" not in args
    golden = {"agentPool": args, "ppg": tr.ppg_args(cluster, rp, "<rg>") if rp.compact else None}
    assert_golden(GOLDEN / "pools" / f"{offer.machine_type}.json", golden)


def test_spot_pool_gets_spot_priority_delete_eviction_and_on_demand_cap() -> None:
    cluster = resolve_cluster(
        gpuPools=[{"name": "t4", "accelerator": "T4", "acceleratorsPerNode": 1, "maxNodes": 3, "capacity": "spot"}]
    )
    args = tr.agent_pool_args(cluster, cluster.pools[0], "rg", "c", None, None)
    assert args["scale_set_priority"] == "Spot"
    assert args["scale_set_eviction_policy"] == "Delete"
    assert args["spot_max_price"] == -1
    assert "upgrade_settings" not in args  # AKS's own upgrade behaviour on spot pools
    assert args["node_taints"] == ["nvidia.com/gpu=present:NoSchedule"]
    assert args["gpu_profile"] == {"driver": "Install"}
    assert "vnet_subnet_id" not in args


def test_reserved_pool_uses_capacity_reservation_group() -> None:
    crg = "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/capacityReservationGroups/h100"
    cluster = resolve_cluster(
        gpuPools=[
            {
                "name": "a100",
                "accelerator": "A100-80GB",
                "acceleratorsPerNode": 1,
                "capacity": "reserved",
                "reservation": crg,
            }
        ]
    )
    args = tr.agent_pool_args(cluster, cluster.pools[0], "rg", "c", None, None)
    assert args["capacity_reservation_group_id"] == crg
    assert "scale_set_priority" not in args


def test_gpu_driver_none_and_amd_skip_the_aks_driver() -> None:
    cluster = resolve_cluster(
        gpuPools=[
            {"name": "t4", "accelerator": "T4", "acceleratorsPerNode": 1, "gpuDriver": "none"},
            {"name": "mi300", "accelerator": "MI300X", "maxNodes": 1},
        ]
    )
    t4, mi = cluster.pools
    assert tr.gpu_driver(t4) == "None"
    assert tr.gpu_driver(mi) == "None"
    assert tr.agent_pool_args(cluster, mi, "rg", "c", None, None)["node_taints"] == ["amd.com/gpu=present:NoSchedule"]
    steps = " ".join(tr.next_steps(cluster))
    # The GPU Operator add-on serves the gpuDriver: none pool; nothing ships for AMD.
    assert "NVIDIA GPU Operator" not in steps and "AMD GPU Operator" in steps
    off = resolve_cluster(
        gpuPools=[{"name": "t4", "accelerator": "T4", "acceleratorsPerNode": 1, "gpuDriver": "none"}],
        addons={"gpuOperator": "disabled"},
    )
    (step,) = tr.next_steps(off)
    assert "NVIDIA GPU Operator" in step and "clusters[].addons.gpuOperator is disabled" in step


@pytest.mark.parametrize(
    ("addon", "fragment"),
    [
        ("networkOperator", "NVIDIA Network Operator"),
        ("gpuOperator", "GPU Operator with GPUDirect RDMA"),
        ("nvidiaDevicePlugin", "NVIDIA device plugin"),
        ("lustreCsi", "Azure Managed Lustre CSI driver"),
        ("nfsCsi", "Azure Files CSI driver"),
    ],
)
def test_next_steps_name_only_what_a_switched_off_addon_leaves_to_do(addon: str, fragment: str) -> None:
    fields: dict[str, Any] = {
        "gpuPools": [
            {"name": "ib", "accelerator": "H100-80GB", "maxNodes": 2},
            {"name": "single", "accelerator": "A100-80GB", "acceleratorsPerNode": 1, "maxNodes": 1},
        ],
        "storage": [
            {"name": "data", "kind": "lustre", "capacityGiB": 8192, "throughputMBpsPerTiB": 500},
            {"name": "home", "kind": "nfs", "capacityGiB": 1024},
        ],
    }
    on = tr.next_steps(resolve_cluster(**fields))
    assert len(on) == 1 and "AKSInfinibandSupport" in on[0]  # the one step Pulumi cannot take
    off = tr.next_steps(resolve_cluster(**fields, addons={addon: "disabled"}))
    (extra,) = [s for s in off if s not in on]
    assert fragment in extra and f"clusters[].addons.{addon} is disabled" in extra


def test_single_node_ib_pool_gets_no_fabric_and_keeps_the_driver() -> None:
    cluster = resolve_cluster(gpuPools=[{"name": "h100", "accelerator": "H100-80GB", "maxNodes": 1}])
    (p,) = cluster.pools
    assert p.fabric is None and not p.compact
    assert tr.gpu_driver(p) == "Install"
    assert tr.fabric_notes(cluster) is None


def test_pools_where_aks_installs_the_driver_carry_the_gpu_operator_opt_out_label() -> None:
    cluster = resolve_cluster(
        gpuPools=[
            {"name": "ib", "accelerator": "H100-80GB", "maxNodes": 2},
            {"name": "single", "accelerator": "H100-80GB", "maxNodes": 1},
            {"name": "own", "accelerator": "A100-80GB", "acceleratorsPerNode": 1, "maxNodes": 1, "gpuDriver": "none"},
        ]
    )
    skip = "nvidia.com/gpu.deploy.operands"
    labels = {p.name: (tr.gpu_driver(p), tr.node_labels(p)) for p in cluster.pools}
    assert labels["single"][0] == "Install" and labels["single"][1][skip] == "false"
    assert labels["ib"][0] == labels["own"][0] == "None"
    assert skip not in labels["ib"][1] and skip not in labels["own"][1]


def test_raid0_keeps_nvme_disks_free_and_labels_nodes() -> None:
    cluster = resolve_cluster(
        gpuPools=[
            {
                "name": "h100",
                "accelerator": "H100-80GB",
                "maxNodes": 2,
                "localSsd": "raid0",
                "labels": {"workload": "train"},
            }
        ]
    )
    args = tr.agent_pool_args(cluster, cluster.pools[0], "rg", "c", None, None)
    assert args["os_disk_type"] == "Managed"
    assert args["node_labels"][tr.LABEL_LOCAL_NVME] == "raid0"
    assert args["node_labels"]["workload"] == "train"
    manifest = tr.raid0_manifest(cluster)
    assert "kind: DaemonSet" in manifest and "aiinfra-local-nvme: raid0" in manifest
    assert "mdadm --create /dev/md0" in manifest and "{key: nvidia.com/gpu" in manifest


def test_lustre_translation_uses_tier_sku_whole_tib_zone_and_maintenance() -> None:
    cluster = resolve_cluster(
        storage=[{"name": "data", "kind": "lustre", "capacityGiB": 8192, "throughputMBpsPerTiB": 500}]
    )
    args = tr.aml_filesystem_args(cluster, cluster.storage[0], "rg", "sub")
    assert args["sku"] == {"name": "AMLFS-Durable-Premium-500"}
    assert args["storage_capacity_ti_b"] == 8
    assert args["zones"] == ["1"]
    assert args["maintenance_window"] == {"day_of_week": "Sunday", "time_of_day_utc": "02:00"}
    assert args["filesystem_subnet"] == "sub"


def test_network_layout_carves_lustre_subnets_outside_the_node_subnet() -> None:
    cluster = resolve_cluster(
        storage=[
            {"name": "aa", "kind": "lustre", "capacityGiB": 8192},
            {"name": "bb", "kind": "lustre", "capacityGiB": 49152 * 5, "throughputMBpsPerTiB": 40},
        ]
    )
    layout = tr.network_layout(cluster)
    nodes = ipaddress.ip_network(layout.node_subnet)
    subs = [ipaddress.ip_network(c) for c in layout.lustre_subnets.values()]
    assert layout.node_subnet == "10.30.0.0/17"
    assert subs[0].prefixlen == 24 and subs[0].subnet_of(ipaddress.ip_network("10.30.128.0/17"))
    assert subs[1].prefixlen == 23  # 240 TiB: a /23 (up to 400 TiB)
    for s in subs:
        assert not s.overlaps(nodes)
    assert not subs[0].overlaps(subs[1])
    for extra in (layout.pod_cidr, layout.service_cidr):
        assert not ipaddress.ip_network(extra).overlaps(ipaddress.ip_network(layout.vnet_cidr))


def test_service_and_pod_cidrs_avoid_a_vnet_on_the_aks_defaults() -> None:
    cluster = resolve_cluster(network={"cidr": "10.0.0.0/8"})
    layout = tr.network_layout(cluster)
    assert layout.service_cidr == "172.29.0.0/16"
    assert layout.pod_cidr == "172.30.0.0/16"
    assert layout.dns_service_ip == "172.29.0.10"


def test_amlfs_subnet_prefix_table() -> None:
    assert tr.amlfs_subnet_prefix(4096) == 24
    assert tr.amlfs_subnet_prefix(196 * 1024) == 24
    assert tr.amlfs_subnet_prefix(200 * 1024) == 23
    assert tr.amlfs_subnet_prefix(768 * 1024) == 22


def test_names_ids_and_role_definitions() -> None:
    aks = "/subscriptions/0000/resourceGroups/rg-a/providers/Microsoft.ContainerService/managedClusters/prod-aks"
    parsed = tr.parse_aks_id(aks)
    assert parsed == tr.AksClusterId("0000", "rg-a", "prod-aks")
    assert tr.parse_aks_id("prod-aks") is None
    assert tr.role_definition_id("/subscriptions/abc/resourceGroups/x", tr.ROLE_CONTRIBUTOR) == (
        f"/subscriptions/abc/providers/Microsoft.Authorization/roleDefinitions/{tr.ROLE_CONTRIBUTOR}"
    )
    assert tr.role_definition_id("vnet-id", "g") == "/providers/Microsoft.Authorization/roleDefinitions/g"
    cluster = resolve_cluster(storage=[{"name": "models", "kind": "nfs", "capacityGiB": 1024}])
    name = tr.storage_account_name(cluster, cluster.storage[0], "ai-infra/prod")
    assert 3 <= len(name) <= 24 and name.isalnum() and name.islower()
    assert name != tr.storage_account_name(cluster, cluster.storage[0], "ai-infra/dev")
    assert tr.resource_group_name(cluster) == "aiinfra-prod-train-az"


def test_decode_kubeconfig() -> None:
    blob = base64.b64encode(b"apiVersion: v1\nkind: Config\n").decode()
    result = SimpleNamespace(kubeconfigs=[SimpleNamespace(name="clusterUser", value=blob)])
    assert tr.decode_kubeconfig(result) == "apiVersion: v1\nkind: Config\n"
    assert tr.decode_kubeconfig(SimpleNamespace(kubeconfigs=None)) == ""
    assert tr.decode_kubeconfig(None) == ""


def test_release_channel_maps_to_aks_upgrade_channels() -> None:
    for channel, aks in (("regular", "patch"), ("rapid", "rapid"), ("stable", "stable")):
        cluster = resolve_cluster(kubernetes={"releaseChannel": channel})
        args = tr.managed_cluster_args(cluster, tr.network_layout(cluster), "rg", "id", "sub")
        assert args["auto_upgrade_profile"]["upgrade_channel"] == aks
        assert "kubernetes_version" not in args


def test_dev_clusters_use_the_free_tier() -> None:
    import copy

    from components.spec import load_fleet_object
    from tests.components.azure.conftest import fleet_doc

    doc = copy.deepcopy(fleet_doc())
    doc["environment"] = "dev"
    fleet, _ = load_fleet_object(doc, "<test>")
    cluster = fleet.clusters[0]
    args = tr.managed_cluster_args(cluster, tr.network_layout(cluster), "rg", "id", "sub")
    assert args["sku"] == {"name": "Base", "tier": "Free"}


def test_rules_module_stays_light() -> None:
    """`aiinfra validate` imports components.azure.rules: it must not pull in the SDK."""
    import subprocess
    import sys

    code = (
        "import sys, components.azure.rules, components.azure; "
        "assert not [m for m in sys.modules if m.startswith('pulumi_azure_native')]"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_physical_names_fit_azure_limits() -> None:
    assert tr.physical_name("train-az", "data") == "train-az-data"
    long = tr.physical_name("c" * 63, "s" * 63)
    assert len(long) == 80 and long != tr.physical_name("c" * 63, "t" * 63)
    assert long.startswith("c" * 63)


LUSTRE = [
    {"name": "datasets", "kind": "lustre", "capacityGiB": 8192},
    {"name": "checkpoints", "kind": "lustre", "capacityGiB": 49152 * 5, "throughputMBpsPerTiB": 40},
    {"name": "scratch", "kind": "lustre", "capacityGiB": 8192},
]


def test_lustre_subnets_do_not_move_when_storage_is_reordered() -> None:
    forward = tr.network_layout(resolve_cluster(storage=LUSTRE)).lustre_subnets
    backward = tr.network_layout(resolve_cluster(storage=list(reversed(LUSTRE)))).lustre_subnets
    assert dict(forward) == dict(backward)


def test_lustre_subnets_do_not_move_when_storage_is_added() -> None:
    before = tr.network_layout(resolve_cluster(storage=LUSTRE[:1])).lustre_subnets
    nfs = {"name": "home", "kind": "nfs", "capacityGiB": 1024}
    for added in ([nfs, *LUSTRE], [*LUSTRE[1:], LUSTRE[0]], [LUSTRE[2], LUSTRE[0], LUSTRE[1]]):
        after = tr.network_layout(resolve_cluster(storage=added)).lustre_subnets
        assert after["datasets"] == before["datasets"], added


def test_lustre_subnet_can_be_pinned() -> None:
    pinned = [{**LUSTRE[0], "subnetCidr": "10.30.128.0/24"}]  # where the first one used to go
    assert tr.network_layout(resolve_cluster(storage=pinned)).lustre_subnets == {"datasets": "10.30.128.0/24"}


def test_entra_kubeconfig_signs_in_through_kubelogin_and_the_azure_cli() -> None:
    import yaml

    aks = (
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://c.hcp.eastus.azmk8s.io:443'}\n"
        "users:\n- name: clusterUser_rg_c\n  user:\n    exec:\n      command: kubelogin\n"
        "      args: [get-token, --login, devicecode, --server-id, x]\n"
    )
    doc = yaml.safe_load(tr.entra_kubeconfig(aks))
    (user,) = doc["users"]
    assert user["user"]["exec"]["args"] == [
        "get-token",
        "--login",
        "azurecli",
        "--server-id",
        "6dae42f8-4368-4678-94ff-3960e28e3630",
    ]
    assert user["user"]["exec"]["interactiveMode"] == "Never"
    assert doc["clusters"][0]["cluster"]["server"].endswith(":443")
    assert tr.entra_kubeconfig("") == ""
