"""The AWS components on Pulumi's mock engine: types, names, parents and key inputs.

Every run also checks every captured input against pulumi-aws's own ``...Args`` classes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.fleet import Fleet
from components.mockengine import Capture, CapturedResource, run_program
from tests.components.aws.fleets import FAMILIES, family_pool, fleet_doc, resolve
from tests.support.sdk_inputs import assert_inputs_match_sdk

ROOT = Path(__file__).resolve().parents[3]
LT = "aws:ec2/launchTemplate:LaunchTemplate"
NG = "aws:eks/nodeGroup:NodeGroup"
PG = "aws:ec2/placementGroup:PlacementGroup"


def build(doc: dict[str, Any]) -> Capture:
    fleet = resolve(doc)
    capture = run_program(lambda: Fleet("fleet", fleet), stack="test")
    assert_inputs_match_sdk(capture.resources)
    return capture


def children(capture: Capture, parent: str) -> list[CapturedResource]:
    return [r for r in capture.resources if r.parent_name == parent]


# --- the example stack ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def aws_train() -> Capture:
    config = yaml.safe_load((ROOT / "stacks" / "Pulumi.aws-train.yaml").read_text())["config"]
    capture = run_program(str(ROOT / "__main__.py"), config=config, stack="aws-train")
    assert_inputs_match_sdk(capture.resources)
    return capture


def test_aws_train_component_tree(aws_train: Capture) -> None:
    tree = {(r.type, r.name, r.parent_name) for r in aws_train.resources if not r.custom}
    assert tree == {
        ("aiinfra:index:Fleet", "fleet", None),
        ("aiinfra:aws:Cluster", "fleet-train-aws", "fleet"),
        ("aiinfra:aws:Network", "fleet-train-aws-network", "fleet-train-aws"),
        ("aiinfra:aws:GpuNodeGroup", "fleet-train-aws-p5", "fleet-train-aws"),
        ("aiinfra:aws:Storage", "fleet-train-aws-datasets", "fleet-train-aws"),
        ("aiinfra:index:ClusterAddons", "fleet-train-aws-addons", "fleet"),
    }


def test_aws_train_resource_counts(aws_train: Capture) -> None:
    # AWS resources of the cluster; the add-ons' (Kubernetes objects, AMP) are tested in tests/components/addons.
    counts = Counter(
        r.type for r in aws_train.resources if r.custom and r.type.startswith("aws:") and "-addons-" not in r.name
    )
    assert counts == {
        "aws:ec2/vpc:Vpc": 1,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/subnet:Subnet": 6,
        "aws:ec2/routeTable:RouteTable": 4,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
        "aws:ec2/eip:Eip": 3,  # prod: one NAT per zone
        "aws:ec2/natGateway:NatGateway": 3,
        "aws:ec2/securityGroup:SecurityGroup": 1,
        "aws:ec2/vpcEndpoint:VpcEndpoint": 1,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 1,
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 2,
        "aws:iam/role:Role": 3,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 4,
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1,
        "aws:iam/rolePolicy:RolePolicy": 1,  # the cluster role may use the secrets key
        "aws:kms/key:Key": 1,  # Kubernetes secrets envelope encryption
        "aws:cloudwatch/logGroup:LogGroup": 1,  # control plane logs, with retention
        "aws:eks/cluster:Cluster": 1,
        "aws:eks/addon:Addon": 2,  # vpc-cni, eks-pod-identity-agent
        LT: 2,
        NG: 2,
        PG: 1,
        "aws:fsx/lustreFileSystem:LustreFileSystem": 1,
    }


def test_aws_train_every_regional_resource_has_the_spec_region(aws_train: Capture) -> None:
    for r in aws_train.resources:
        if r.custom and r.type.startswith("aws:") and not r.type.startswith("aws:iam/"):
            assert r.inputs.get("region") == "us-east-1", r.name


def test_aws_train_tags_everywhere(aws_train: Capture) -> None:
    for r in aws_train.resources:
        if (
            r.custom
            and r.type.startswith("aws:")
            and r.type not in ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/rolePolicy:RolePolicy")
        ):
            tags = r.inputs.get("tags")
            if r.type == "aws:ec2/routeTableAssociation:RouteTableAssociation":
                assert tags is None  # takes no tags
                continue
            assert tags is not None, r.name
            assert tags["managed-by"] == "ai-infra" and tags["aiinfra-cluster"] == "train-aws", r.name
            assert tags["team"] == "research" and tags["aiinfra-environment"] == "prod", r.name


def test_aws_train_gpu_pool(aws_train: Capture) -> None:
    group = "fleet-train-aws-p5"
    kids = {r.name: r for r in children(aws_train, group)}
    assert set(kids) == {f"{group}-pg", f"{group}-lt", f"{group}-ng"}
    assert kids[f"{group}-pg"].inputs["strategy"] == "cluster"
    lt = kids[f"{group}-lt"].inputs
    nics = lt["networkInterfaces"]
    assert len(nics) == 32
    assert [n["interfaceType"] for n in nics] == ["efa"] + ["efa-only"] * 31
    assert [n["networkCardIndex"] for n in nics] == list(range(32))
    assert [n["deviceIndex"] for n in nics] == [0] + [1] * 31
    assert all(n["securityGroups"][0] == "fleet-train-aws-network-node-sg-id" for n in nics)
    assert "vpcSecurityGroupIds" not in lt
    assert lt["placement"] == {"groupName": "fleet-train-aws-p5-pg"}
    assert lt["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1}
    assert lt["userData"]  # localSsd: raid0
    ng = kids[f"{group}-ng"]
    assert ng.ignore_changes == ["scalingConfig.desiredSize"]
    i = ng.inputs
    assert i["instanceTypes"] == ["p5.48xlarge"]
    assert i["amiType"] == "AL2023_x86_64_NVIDIA"
    assert i["capacityType"] == "ON_DEMAND"
    assert i["scalingConfig"] == {"minSize": 0, "maxSize": 4, "desiredSize": 0}
    assert i["taints"] == [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]
    assert i["labels"]["aiinfra-pool"] == "p5" and i["labels"]["aiinfra-fabric"] == "efa"
    assert i["subnetIds"] == ["fleet-train-aws-network-private-us-east-1a-id"]  # the zone subnet only
    assert i["clusterName"] == "train-aws"  # the EKS cluster is named after the spec (its log group needs the name)
    assert i["launchTemplate"]["id"] == "fleet-train-aws-p5-lt-id"


def test_aws_train_network(aws_train: Capture) -> None:
    net = {r.name: r for r in children(aws_train, "fleet-train-aws-network")}
    assert net["fleet-train-aws-network-vpc"].inputs["cidrBlock"] == "10.40.0.0/16"
    private = sorted(n for n in net if "-private-" in n and net[n].type == "aws:ec2/subnet:Subnet")
    assert private == [f"fleet-train-aws-network-private-us-east-1{z}" for z in "abc"]
    a = net["fleet-train-aws-network-private-us-east-1a"].inputs
    assert a["availabilityZone"] == "us-east-1a" and a["tags"]["kubernetes.io/role/internal-elb"] == "1"
    self_in = net["fleet-train-aws-network-node-sg-self-in"].inputs
    assert self_in["ipProtocol"] == "-1"
    assert self_in["referencedSecurityGroupId"] == self_in["securityGroupId"] == "fleet-train-aws-network-node-sg-id"
    self_out = net["fleet-train-aws-network-node-sg-self-out"].inputs
    assert self_out["referencedSecurityGroupId"] == "fleet-train-aws-network-node-sg-id"
    s3 = net["fleet-train-aws-network-s3"].inputs
    assert s3["serviceName"] == "com.amazonaws.us-east-1.s3" and s3["vpcEndpointType"] == "Gateway"
    assert s3["routeTableIds"] == [f"fleet-train-aws-network-private-us-east-1{z}-rt-id" for z in "abc"]


def test_aws_train_cluster_iam_and_system_pool(aws_train: Capture) -> None:
    eks = aws_train.named("fleet-train-aws-eks")
    assert eks.parent_name == "fleet-train-aws"
    assert eks.inputs["version"] == "1.35"
    assert eks.inputs["accessConfig"]["authenticationMode"] == "API"
    assert len(eks.inputs["vpcConfig"]["subnetIds"]) == 3
    policies = {
        r.name: r.inputs["policyArn"] for r in aws_train.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    }
    assert policies == {
        "fleet-train-aws-cluster-role-AmazonEKSClusterPolicy": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
        "fleet-train-aws-node-role-AmazonEKSWorkerNodePolicy": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "fleet-train-aws-node-role-AmazonEC2ContainerRegistryPullOnly": (
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"
        ),
        "fleet-train-aws-vpc-cni-role-AmazonEKS_CNI_Policy": "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    }
    assert '"ec2.amazonaws.com"' in aws_train.named("fleet-train-aws-node-role").inputs["assumeRolePolicy"]
    assert aws_train.named("fleet-train-aws-oidc").inputs["clientIdLists"] == ["sts.amazonaws.com"]
    addon = aws_train.named("fleet-train-aws-vpc-cni").inputs
    assert addon["addonName"] == "vpc-cni"
    system = aws_train.named("fleet-train-aws-system").inputs
    assert system["amiType"] == "AL2023_x86_64_STANDARD"
    assert system["instanceTypes"] == ["m6i.xlarge"]
    assert system["scalingConfig"] == {"minSize": 2, "maxSize": 4, "desiredSize": 2}
    assert "taints" not in system
    assert aws_train.named("fleet-train-aws-system-lt").inputs["metadataOptions"]["httpTokens"] == "required"


def test_aws_train_lustre(aws_train: Capture) -> None:
    fs = aws_train.named("fleet-train-aws-datasets-fs")
    assert fs.parent_name == "fleet-train-aws-datasets"
    assert fs.protect
    assert fs.inputs["deploymentType"] == "PERSISTENT_2"
    assert fs.inputs["perUnitStorageThroughput"] == 250
    assert fs.inputs["storageCapacity"] == 9600
    assert fs.inputs["subnetIds"] == "fleet-train-aws-network-private-us-east-1a-id"
    assert fs.inputs["securityGroupIds"] == ["fleet-train-aws-network-node-sg-id"]


# --- every AWS family in the catalog -------------------------------------------------------


@pytest.fixture(scope="module")
def families() -> Capture:
    """One cluster with a pool of every family (fabric auto, up to 4 nodes)."""
    return build(fleet_doc([family_pool(f) for f in FAMILIES]))


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_pool(families: Capture, family: str) -> None:
    expected = FAMILIES[family]
    group = f"fleet-ml-{family.replace('-', '')}"
    kids = {r.type: r for r in children(families, group)}
    ng, lt = kids[NG].inputs, kids[LT].inputs
    assert kids[NG].name == f"{group}-ng" and kids[LT].name == f"{group}-lt"
    assert ng["instanceTypes"] == [expected["type"]]
    neuron = family in ("trn1", "inf2")
    assert ng["amiType"] == ("AL2023_x86_64_NEURON" if neuron else "AL2023_x86_64_NVIDIA")
    assert ng["taints"][0]["key"] == ("aws.amazon.com/neuron" if neuron else "nvidia.com/gpu")
    nics = lt.get("networkInterfaces", [])
    assert len(nics) == expected["efa"]
    if expected["efa"]:
        assert nics[0]["interfaceType"] == "efa"
        assert (
            Counter(n["interfaceType"] for n in nics[1:]) == {"efa-only": expected["efa"] - 1} or expected["efa"] == 1
        )
        assert PG in kids and lt["placement"] == {"groupName": f"{group}-pg"}
        assert len(ng["subnetIds"]) == 1
    else:
        assert PG not in kids and "placement" not in lt
        assert lt["vpcSecurityGroupIds"][0] == "fleet-ml-network-node-sg-id"
        assert len(ng["subnetIds"]) == 3
    assert lt["metadataOptions"]["httpTokens"] == "required"


@pytest.mark.parametrize(("family", "efa"), [("g5", 1), ("g6", 1), ("g4dn", 1), ("p5", 32)])
def test_rdma_gives_optional_efa_too(family: str, efa: int) -> None:
    capture = build(fleet_doc([family_pool(family)], network={"cidr": "10.40.0.0/16", "fabric": "rdma"}))
    lt = capture.named(f"fleet-ml-{family}-lt")
    assert [n["interfaceType"] for n in lt.inputs["networkInterfaces"]] == ["efa"] + ["efa-only"] * (efa - 1)


def test_fabric_none_builds_no_efa() -> None:
    capture = build(fleet_doc([family_pool("p5")], network={"cidr": "10.40.0.0/16", "fabric": "none"}))
    assert not capture.of_type(PG)
    assert all("networkInterfaces" not in r.inputs for r in capture.of_type(LT))


# --- capacity ------------------------------------------------------------------------------


def test_capacity_block_pool() -> None:
    pool = family_pool(
        "p5",
        capacity="reserved",
        reservation="cr-0123456789abcdef0",
        reservationKind="capacity-block",
        placement="none",
    )
    capture = build(fleet_doc([pool]))
    lt = capture.named("fleet-ml-p5-lt").inputs
    assert lt["instanceMarketOptions"] == {"marketType": "capacity-block"}
    assert lt["capacityReservationSpecification"] == {
        "capacityReservationTarget": {"capacityReservationId": "cr-0123456789abcdef0"}
    }
    assert lt["instanceType"] == "p5.48xlarge"
    assert len(lt["networkInterfaces"]) == 32  # still EFA
    assert "placement" not in lt and not capture.of_type(PG)  # placement: none
    ng = capture.named("fleet-ml-p5-ng").inputs
    assert ng["capacityType"] == "CAPACITY_BLOCK" and "instanceTypes" not in ng


def test_odcr_and_spot_pools() -> None:
    capture = build(
        fleet_doc(
            [
                family_pool("p4d", capacity="reserved", reservation="cr-0123456789abcdef0"),
                family_pool("g6", capacity="spot"),
            ]
        )
    )
    odcr = capture.named("fleet-ml-p4d-lt").inputs
    assert odcr["capacityReservationSpecification"]["capacityReservationTarget"] == {
        "capacityReservationId": "cr-0123456789abcdef0"
    }
    assert "instanceMarketOptions" not in odcr
    assert capture.named("fleet-ml-p4d-ng").inputs["capacityType"] == "ON_DEMAND"
    assert capture.named("fleet-ml-g6-ng").inputs["capacityType"] == "SPOT"


# --- storage -------------------------------------------------------------------------------


def test_storage_kinds_and_protection() -> None:
    capture = build(
        fleet_doc(
            storage=[
                {"name": "datasets", "kind": "lustre", "capacityGiB": 1200, "throughputMBpsPerTiB": 1000},
                {"name": "home", "kind": "nfs", "capacityGiB": 500},
                {"name": "ckpt", "kind": "block", "capacityGiB": 1000, "iops": 40000},
                {"name": "scratch", "kind": "block", "capacityGiB": 100, "protect": False},
            ]
        )
    )
    lustre = capture.named("fleet-ml-datasets-fs")
    assert lustre.type == "aws:fsx/lustreFileSystem:LustreFileSystem" and lustre.protect
    assert lustre.inputs["perUnitStorageThroughput"] == 1000
    efs = capture.named("fleet-ml-home-fs")
    assert efs.type == "aws:efs/fileSystem:FileSystem" and efs.protect
    assert efs.inputs["encrypted"] is True and efs.inputs["throughputMode"] == "elastic"
    # The mock engine records resources when their inputs resolve, not in registration
    # order, so compare by name: mount target i sits in the private subnet of zone i.
    mounts = capture.of_type("aws:efs/mountTarget:MountTarget")
    assert {m.name: m.inputs["subnetId"] for m in mounts} == {
        f"fleet-ml-home-mt-{i}": f"fleet-ml-network-private-us-east-1{z}-id" for i, z in enumerate("abc")
    }
    assert all(not m.protect and m.parent_name == "fleet-ml-home" for m in mounts)
    ckpt = capture.named("fleet-ml-ckpt-volume")
    assert ckpt.protect and ckpt.inputs["type"] == "io2" and ckpt.inputs["iops"] == 40000
    assert ckpt.inputs["availabilityZone"] == "us-east-1a"
    scratch = capture.named("fleet-ml-scratch-volume")
    assert not scratch.protect and scratch.inputs["type"] == "gp3"


def test_dev_environment_has_one_nat() -> None:
    capture = build(fleet_doc([family_pool("g6")]))
    assert len(capture.of_type("aws:ec2/natGateway:NatGateway")) == 1
    routes = {r.name: r.inputs["routes"][0] for r in capture.of_type("aws:ec2/routeTable:RouteTable")}
    assert routes.pop("fleet-ml-network-public-rt")["gatewayId"] == "fleet-ml-network-igw-id"
    assert {name: route["natGatewayId"] for name, route in routes.items()} == {
        f"fleet-ml-network-private-us-east-1{z}-rt": "fleet-ml-network-nat-us-east-1a-id" for z in "abc"
    }


# --- an existing cluster -------------------------------------------------------------------


def test_existing_cluster_gets_node_groups_and_no_network() -> None:
    capture = build(
        fleet_doc(
            [family_pool("p5"), family_pool("g6")],
            storage=[{"name": "home", "kind": "nfs", "capacityGiB": 100}],
            kubernetes={"existingCluster": "prod-eks"},
        )
    )
    types = Counter(r.type for r in capture.resources if r.custom)
    assert "aws:eks/cluster:Cluster" not in types and "aws:ec2/vpc:Vpc" not in types
    assert types[NG] == 2 and types["aws:ec2/securityGroup:SecurityGroup"] == 1
    assert capture.named("fleet-ml-p5-ng").inputs["clusterName"] == "prod-eks"
    policies = {
        r.inputs["policyArn"].rsplit("/", 1)[1]
        for r in capture.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    }
    assert policies == {"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy"}
    assert len(capture.of_type("aws:efs/mountTarget:MountTarget")) == 1


# --- providers -----------------------------------------------------------------------------


def test_the_callers_provider_flows_to_every_aws_resource() -> None:
    import pulumi_aws as aws

    fleet = resolve(fleet_doc([family_pool("p5")], storage=[{"name": "data", "kind": "lustre", "capacityGiB": 1200}]))

    def program() -> None:
        account = aws.Provider("prod-account", region="us-west-2")
        Fleet("fleet", fleet, providers={"aws": account})

    capture = run_program(program, stack="test")
    aws_resources = [r for r in capture.resources if r.custom and r.type.startswith("aws:")]
    assert aws_resources
    for r in aws_resources:
        assert r.provider is not None and "::prod-account::" in r.provider, (r.name, r.provider)
        # the spec's region wins over the provider's default region
        if not r.type.startswith("aws:iam/"):
            assert r.inputs["region"] == "us-east-1", r.name


def test_multi_stack_aws_cluster() -> None:
    """The AWS cluster of stacks/Pulumi.multi.yaml (no zone: no single-AZ pieces)."""
    doc = yaml.safe_load((ROOT / "stacks" / "Pulumi.multi.yaml").read_text())["config"]["aiinfra:fleet"]
    doc = {**doc, "clusters": [c for c in doc["clusters"] if c["cloud"] == "aws"]}
    capture = build(doc)
    name = doc["clusters"][0]["name"]
    ng = capture.named(f"fleet-{name}-l4-ng").inputs
    assert ng["capacityType"] == "SPOT" and ng["instanceTypes"] == ["g6.12xlarge"]
    assert len(ng["subnetIds"]) == 3
    assert not capture.of_type(PG)
    zones = sorted(r.inputs["availabilityZone"] for r in capture.of_type("aws:ec2/subnet:Subnet"))
    assert zones == sorted(2 * ["us-west-2a", "us-west-2b", "us-west-2c"])
    assert len(capture.of_type("aws:efs/mountTarget:MountTarget")) == 3
    assert all(
        r.inputs.get("region") == "us-west-2"
        for r in capture.resources
        if r.custom and r.type.startswith("aws:") and "iam/" not in r.type
    )


def test_physical_name_prefixes_fit_for_long_names() -> None:
    long_cluster = "c" * 60
    capture = build(fleet_doc([family_pool("g6", name="p" * 50)], name=long_cluster))
    roles = capture.of_type("aws:iam/role:Role")
    assert {r.name for r in roles} == {f"fleet-{long_cluster}-{x}-role" for x in ("cluster", "node", "vpc-cni")}
    assert all(len(r.inputs["namePrefix"]) <= 38 for r in roles)
    groups = capture.of_type(NG)
    assert len(groups) == 2 and all(len(g.inputs["nodeGroupNamePrefix"]) <= 37 for g in groups)


# --- every AWS offer in the catalog --------------------------------------------------------


def _offer_pools(rdma: bool) -> list[dict[str, Any]]:
    from components.catalog import get_catalog

    pools = []
    for offer in get_catalog().offers_for("aws"):
        if rdma and not offer.has_fabric:
            continue
        pools.append(
            {
                "name": offer.machine_type.replace(".", "-"),
                "accelerator": offer.accelerator,
                "machineType": offer.machine_type,
                "maxNodes": 2,
                "localSsd": "raid0" if offer.local_nvme else "none",
            }
        )
    return pools


@pytest.mark.parametrize("fabric", ["auto", "rdma"])
def test_every_aws_offer_builds_with_its_efa_interfaces(fabric: str) -> None:
    from components.catalog import get_catalog

    capture = build(fleet_doc(_offer_pools(fabric == "rdma"), network={"cidr": "10.40.0.0/16", "fabric": fabric}))
    for offer in get_catalog().offers_for("aws"):
        if fabric == "rdma" and not offer.has_fabric:
            continue
        group = f"fleet-ml-{offer.machine_type.replace('.', '-')}"
        lt = capture.named(f"{group}-lt").inputs
        wants_efa = offer.fabric.kind == "efa" and (fabric == "rdma" or offer.fabric.essential)
        nics = lt.get("networkInterfaces", [])
        assert len(nics) == (offer.fabric.efa_interfaces if wants_efa else 0), offer.machine_type
        assert ("userData" in lt) == (offer.local_nvme is not None), offer.machine_type
        ng = capture.named(f"{group}-ng").inputs
        assert ng["instanceTypes"] == [offer.machine_type]
        assert ng["amiType"] == offer.ami_type


def test_node_groups_follow_the_cluster_version() -> None:
    capture = build(fleet_doc([family_pool("g6")]))
    assert {g.inputs.get("version") for g in capture.of_type(NG)} == {"1.35"}
    existing = build(fleet_doc([family_pool("g6")], kubernetes={"existingCluster": "prod"}))
    assert "version" not in existing.named("fleet-ml-g6-ng").inputs
