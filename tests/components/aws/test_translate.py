"""Pure translation: EFA interfaces, capacity, layout, user data, storage, golden files."""

from __future__ import annotations

import base64
import email
import ipaddress
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.aws import facts, translate
from components.catalog import get_catalog
from tests.components.aws.fleets import FAMILIES, family_pool, fleet_doc, resolve_cluster
from tests.support.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
SG = ["<node-sg>", "<cluster-sg>"]


def _offer(machine_type: str) -> Any:
    offer = get_catalog().offer_by_machine_type("aws", machine_type)
    assert offer is not None, machine_type
    return offer


# --- EFA -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("machine_type", "count"),
    [
        ("p5.48xlarge", 32),
        ("p5en.48xlarge", 16),
        ("p4d.24xlarge", 4),
        ("p4de.24xlarge", 4),
        ("p6-b200.48xlarge", 8),
        ("trn1.32xlarge", 8),
        ("trn1n.32xlarge", 16),
        ("trn2.48xlarge", 16),
        ("g5.48xlarge", 1),
        ("g6.48xlarge", 1),
        ("g4dn.12xlarge", 1),
    ],
)
def test_efa_interfaces_one_per_network_card(machine_type: str, count: int) -> None:
    nics = translate.efa_network_interfaces(_offer(machine_type))
    assert len(nics) == count
    assert [n["network_card_index"] for n in nics] == list(range(count))
    assert nics[0]["interface_type"] == "efa" and nics[0]["device_index"] == 0
    assert all(n["interface_type"] == "efa-only" and n["device_index"] == 1 for n in nics[1:])
    assert all(n["delete_on_termination"] == "true" for n in nics)


@pytest.mark.parametrize("machine_type", ["g5.xlarge", "inf2.48xlarge", "g4dn.xlarge"])
def test_efa_interfaces_refused_without_efa(machine_type: str) -> None:
    with pytest.raises(ValueError, match="no EFA"):
        translate.efa_network_interfaces(_offer(machine_type))


def test_every_catalog_efa_offer_translates() -> None:
    for offer in get_catalog().offers_for("aws"):
        if offer.fabric.kind == "efa":
            nics = translate.efa_network_interfaces(offer)
            assert len(nics) == offer.fabric.efa_interfaces >= 1


# --- pools ---------------------------------------------------------------------------------


def test_capacity_plans() -> None:
    def plan(**pool: Any) -> translate.CapacityPlan:
        cl = resolve_cluster(fleet_doc([family_pool("p5", **pool)]))
        return translate.capacity_plan(cl.pools[0])

    assert plan() == translate.CapacityPlan("ON_DEMAND", None, None, False)
    assert plan(capacity="spot").capacity_type == "SPOT"
    odcr = plan(capacity="reserved", reservation="cr-0123456789abcdef0")
    assert odcr.capacity_type == "ON_DEMAND"
    assert odcr.reservation_target == {
        "capacity_reservation_target": {"capacity_reservation_id": "cr-0123456789abcdef0"}
    }
    group = "arn:aws:resource-groups:us-east-1:123456789012:group/gpu-odcrs"
    assert plan(capacity="reserved", reservation=group).reservation_target == {
        "capacity_reservation_target": {"capacity_reservation_resource_group_arn": group}
    }
    block = plan(
        capacity="reserved", reservation="cr-0123456789abcdef0", reservationKind="capacity-block", placement="none"
    )
    assert block.capacity_type == "CAPACITY_BLOCK"
    assert block.market_type == "capacity-block"
    assert block.instance_type_in_template


def test_capacity_block_puts_instance_type_in_template_not_node_group() -> None:
    pool_spec = family_pool(
        "p5",
        capacity="reserved",
        reservation="cr-0123456789abcdef0",
        reservationKind="capacity-block",
        placement="none",
    )
    cl = resolve_cluster(fleet_doc([pool_spec]))
    pool = cl.pools[0]
    assert not pool.compact  # placement: none opts out of the placement group
    lt = translate.launch_template_args(cl, pool, SG, None)
    assert lt["instance_type"] == "p5.48xlarge"
    assert lt["instance_market_options"] == {"market_type": "capacity-block"}
    assert "placement" not in lt
    ng = translate.node_group_args(cl, pool, "c", "role", ["s"], "lt", "1")
    assert "instance_types" not in ng and ng["capacity_type"] == "CAPACITY_BLOCK"


def test_launch_template_imdsv2_and_root_volume() -> None:
    cl = resolve_cluster(fleet_doc([family_pool("g5", diskSizeGiB=500)]))
    lt = translate.launch_template_args(cl, cl.pools[0], SG, None)
    assert lt["metadata_options"] == {
        "http_endpoint": "enabled",
        "http_tokens": "required",
        "http_put_response_hop_limit": 1,
    }
    assert lt["block_device_mappings"][0]["ebs"]["volume_size"] == 500
    assert lt["block_device_mappings"][0]["ebs"]["encrypted"] == "true"
    # no fabric under auto for g5: security groups on the template, no interfaces
    assert lt["vpc_security_group_ids"] == SG and "network_interfaces" not in lt
    assert lt["region"] == "us-east-1"


def test_efa_pool_puts_security_groups_on_every_interface() -> None:
    cl = resolve_cluster(fleet_doc([family_pool("p4d")]))
    lt = translate.launch_template_args(cl, cl.pools[0], SG, "<pg>")
    assert "vpc_security_group_ids" not in lt
    assert len(lt["network_interfaces"]) == 4
    assert all(n["security_groups"] == SG for n in lt["network_interfaces"])
    assert lt["placement"] == {"group_name": "<pg>"}


def test_taints_by_accelerator_kind() -> None:
    assert translate.node_taints(_offer("p5.48xlarge")) == [
        {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}
    ]
    assert translate.node_taints(_offer("trn1.32xlarge"))[0]["key"] == "aws.amazon.com/neuron"
    assert translate.node_taints(_offer("inf2.48xlarge"))[0]["key"] == "aws.amazon.com/neuron"


def test_ami_type_from_catalog_and_gpu_driver_none() -> None:
    cl = resolve_cluster(
        fleet_doc([family_pool("p5"), family_pool("trn1"), family_pool("g6", name="own", gpuDriver="none")])
    )
    assert [translate.ami_type(p) for p in cl.pools] == [
        "AL2023_x86_64_NVIDIA",
        "AL2023_x86_64_NEURON",
        "AL2023_x86_64_STANDARD",
    ]


def test_pools_whose_ami_brings_the_nvidia_driver_carry_the_gpu_operator_opt_out_label() -> None:
    cl = resolve_cluster(
        fleet_doc([family_pool("p5"), family_pool("trn1"), family_pool("g6", name="own", gpuDriver="none")])
    )
    skip = "nvidia.com/gpu.deploy.operands"
    labels = {p.name: translate.node_labels(cl, p) for p in cl.pools}
    assert [translate.driver_from_ami(p) for p in cl.pools] == [True, False, False]
    assert labels["p5"][skip] == "false"
    assert skip not in labels["trn1"] and skip not in labels["own"]


def test_scaling_allows_zero() -> None:
    cl = resolve_cluster(fleet_doc([family_pool("g6", minNodes=0, maxNodes=3)]))
    assert translate.scaling_config(cl.pools[0]) == {"min_size": 0, "max_size": 3, "desired_size": 0}


def test_single_zone_pools() -> None:
    cl = resolve_cluster(
        fleet_doc(
            [
                family_pool("p5"),  # fabric
                family_pool("g6", name="inference"),  # no fabric: all zones
                family_pool("g5", name="odcr", capacity="reserved", reservation="cr-0123456789abcdef0"),
            ]
        )
    )
    assert [translate.pool_single_zone(p) for p in cl.pools] == [True, False, True]


# --- user data -----------------------------------------------------------------------------


def test_user_data_is_mime_multipart_with_the_shipped_script() -> None:
    cl = resolve_cluster(fleet_doc([family_pool("p5", localSsd="raid0")]))
    data = translate.user_data(cl.pools[0])
    assert data is not None
    msg = email.message_from_bytes(base64.b64decode(data))
    assert msg.is_multipart() and msg.get_content_type() == "multipart/mixed"
    parts = msg.get_payload()
    assert [p.get_content_type() for p in parts] == ["text/x-shellscript"]
    body = parts[0].get_payload()
    assert body.startswith("#!/usr/bin/env bash")
    assert body.rstrip("\n") == translate.raid0_script().rstrip("\n")


def test_no_user_data_without_local_ssd() -> None:
    cl = resolve_cluster(fleet_doc([family_pool("p5")]))
    assert translate.user_data(cl.pools[0]) is None
    assert "user_data" not in translate.launch_template_args(cl, cl.pools[0], SG, None)


# --- network -------------------------------------------------------------------------------


def test_zones_spec_zone_first_and_region_table() -> None:
    assert translate.choose_zones("us-east-1", "us-east-1c") == ["us-east-1c", "us-east-1a", "us-east-1b"]
    assert translate.choose_zones("ap-northeast-1", None) == ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]
    assert translate.choose_zones("eu-west-1", None) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert translate.choose_zones("us-west-1", "us-west-1c") == ["us-west-1c", "us-west-1a"]


@pytest.mark.parametrize("cidr", ["10.40.0.0/16", "10.0.0.0/8", "172.16.0.0/20", "192.168.0.0/18"])
def test_subnet_layout_fits_and_does_not_overlap(cidr: str) -> None:
    zones = ["z-a", "z-b", "z-c"]
    plans = translate.subnet_layout(cidr, zones)
    nets = [ipaddress.ip_network(p.cidr) for p in plans]
    vpc = ipaddress.ip_network(cidr)
    assert all(n.subnet_of(vpc) for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])
    private = [p for p in plans if p.role == "private"]
    assert [p.zone for p in private] == zones
    assert ipaddress.ip_network(private[0].cidr).prefixlen == vpc.prefixlen + 2


def test_nat_per_zone_in_prod_only() -> None:
    assert translate.nat_gateway_zones("prod", ["a", "b", "c"]) == ["a", "b", "c"]
    assert translate.nat_gateway_zones("dev", ["a", "b", "c"]) == ["a"]


def test_partitions_and_policy_arns() -> None:
    assert translate.managed_policy_arn("us-east-1", "AmazonEKSClusterPolicy") == (
        "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
    )
    assert translate.managed_policy_arn("cn-north-1", "X").startswith("arn:aws-cn:")
    assert translate.managed_policy_arn("us-gov-west-1", "X").startswith("arn:aws-us-gov:")
    assert translate.service_principal("ec2", "cn-north-1") == "ec2.amazonaws.com.cn"


def test_least_privilege_node_policies() -> None:
    assert set(facts.NODE_POLICIES) == {"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"}
    assert facts.CNI_POLICY not in facts.NODE_POLICIES


# --- storage -------------------------------------------------------------------------------


def test_lustre_persistent2_throughput_from_tier() -> None:
    cl = resolve_cluster(
        fleet_doc(storage=[{"name": "data", "kind": "lustre", "capacityGiB": 4800, "throughputMBpsPerTiB": 500}])
    )
    args = translate.lustre_args(cl, cl.storage[0], "<subnet>", ["<sg>"])
    assert args["deployment_type"] == "PERSISTENT_2"
    assert args["per_unit_storage_throughput"] == 500
    assert args["storage_capacity"] == 4800
    assert args["subnet_ids"] == "<subnet>"


@pytest.mark.parametrize(
    ("iops", "throughput", "volume_type"),
    [(None, None, "gp3"), (16000, 1000, "gp3"), (16001, None, "io2"), (80000, None, "io2")],
)
def test_ebs_gp3_or_io2(iops: int | None, throughput: int | None, volume_type: str) -> None:
    item: dict[str, Any] = {"name": "vol", "kind": "block", "capacityGiB": 2000}
    if iops is not None:
        item["iops"] = iops
    if throughput is not None:
        item["throughputMBps"] = throughput
    cl = resolve_cluster(fleet_doc(storage=[item]))
    args = translate.ebs_args(cl, cl.storage[0], "us-east-1a")
    assert args["type"] == volume_type and args["availability_zone"] == "us-east-1a" and args["encrypted"] is True
    assert args.get("iops") == iops
    assert ("throughput" in args) == (throughput is not None)


# --- golden files --------------------------------------------------------------------------


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_golden_pool_arguments(family: str) -> None:
    cl = resolve_cluster(fleet_doc([family_pool(family, localSsd="none")]))
    pool = cl.pools[0]
    assert pool.offer.machine_type == FAMILIES[family]["type"]
    lt = translate.launch_template_args(cl, pool, SG, "<placement-group>" if pool.compact else None)
    ng = translate.node_group_args(cl, pool, "<cluster>", "<node-role>", ["<subnet>"], "<lt-id>", "<lt-version>")
    assert_golden(GOLDEN / f"pool-{family}.json", {"launchTemplate": lt, "nodeGroup": ng})


def test_golden_reserved_capacity_block_raid0() -> None:
    pool_spec = family_pool(
        "p5",
        capacity="reserved",
        reservation="cr-0123456789abcdef0",
        reservationKind="capacity-block",
        placement="none",
        localSsd="raid0",
    )
    cl = resolve_cluster(fleet_doc([pool_spec]))
    pool = cl.pools[0]
    lt = translate.launch_template_args(cl, pool, SG, None)
    lt["user_data"] = "<base64 MIME: components/aws/scripts/raid0.sh>" if lt.get("user_data") else None
    ng = translate.node_group_args(cl, pool, "<cluster>", "<node-role>", ["<subnet>"], "<lt-id>", "<lt-version>")
    assert_golden(GOLDEN / "pool-p5-capacity-block.json", {"launchTemplate": lt, "nodeGroup": ng})


def test_golden_storage_and_cluster_arguments() -> None:
    cl = resolve_cluster(
        fleet_doc(
            storage=[
                {"name": "datasets", "kind": "lustre", "capacityGiB": 4800, "throughputMBpsPerTiB": 250},
                {"name": "home", "kind": "nfs", "capacityGiB": 1024},
                {"name": "ckpt", "kind": "block", "capacityGiB": 4000, "iops": 32000},
            ],
            pools=[family_pool("g6")],
        )
    )
    lustre, nfs, block = cl.storage
    data = {
        "cluster": translate.cluster_args(cl, "<cluster-role>", ["<subnet-a>", "<subnet-b>"]),
        "systemLaunchTemplate": translate.system_launch_template_args(cl, SG),
        "systemNodeGroup": translate.system_node_group_args(cl, "<cluster>", "<node-role>", ["<s>"], "<lt>", "<v>"),
        "lustre": translate.lustre_args(cl, lustre, "<subnet>", ["<sg>"]),
        "efs": translate.efs_args(cl, nfs),
        "ebs": translate.ebs_args(cl, block, "us-east-1a"),
        "subnets": [
            vars(p) for p in translate.subnet_layout("10.40.0.0/16", translate.choose_zones("us-east-1", "us-east-1a"))
        ],
    }
    assert_golden(GOLDEN / "cluster-storage.json", data)


# --- properties ----------------------------------------------------------------------------


@given(
    prefix=st.integers(min_value=8, max_value=20),
    base=st.sampled_from(["10.0.0.0", "172.16.0.0", "192.168.0.0"]),
    zones=st.integers(min_value=1, max_value=3),
)
def test_subnet_layout_property(prefix: int, base: str, zones: int) -> None:
    vpc = ipaddress.ip_network(f"{base}/{prefix}", strict=False)
    names = [f"z{i}" for i in range(zones)]
    plans = translate.subnet_layout(str(vpc), names)
    nets = [ipaddress.ip_network(p.cidr) for p in plans]
    assert len(plans) == 2 * zones
    assert all(n.subnet_of(vpc) for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])
    # every subnet leaves room for nodes: AWS reserves 5 addresses per subnet
    assert all(n.num_addresses - 5 >= 11 for n in nets)


@given(count=st.integers(min_value=1, max_value=64))
def test_efa_interfaces_property(count: int) -> None:
    from dataclasses import replace

    offer = _offer("p5.48xlarge")
    nics = translate.efa_network_interfaces(replace(offer, fabric=replace(offer.fabric, efa_interfaces=count)))
    assert len(nics) == count
    assert sum(n["interface_type"] == "efa" for n in nics) == 1
    assert len({n["network_card_index"] for n in nics}) == count


def test_name_prefixes_fit_aws_limits() -> None:
    assert translate.name_prefix("train", "p5", limit=37) == "train-p5-"
    long = translate.name_prefix("a" * 60, "h100-pool", limit=translate.NODE_GROUP_PREFIX_MAX)
    assert len(long) == translate.NODE_GROUP_PREFIX_MAX and long.endswith("-")
    role = translate.name_prefix("x" * 99, "vpc-cni", limit=translate.IAM_ROLE_PREFIX_MAX)
    assert len(role) <= translate.IAM_ROLE_PREFIX_MAX and role.endswith("-")
    assert translate.name_prefix("abc-", "d", limit=5) == "abc-"
