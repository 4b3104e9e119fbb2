"""The security rules on raw resources of every cloud: each violating case, each compliant one.

Properties are what the engine sends (camelCase, numbers as floats, ``UNK`` for unknowns).
"""

from __future__ import annotations

from typing import Any

import pytest

from components.policy.normalize import RawResource
from components.policy.security.rules import (
    BY_NAME,
    ENCRYPTION,
    ENDPOINTS,
    KINDS,
    POLICIES,
    PUBLIC_IP_TYPES,
    RULES,
    Context,
)
from components.policy.values import plain
from tests.policies.raw import UNK
from tests.support.sdk_inputs import args_class, sdk_input_errors

CRG = "/subscriptions/s/resourceGroups/capacity/providers/Microsoft.Compute/capacityReservationGroups/h100"
ROLE_DEFS = "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions"
CONTRIBUTOR = f"{ROLE_DEFS}/b24988ac-6180-42a0-ab88-20f7382dd24c"
OWNER = f"{ROLE_DEFS}/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"


def _unknowns_as_capture(value: Any) -> Any:
    """The engine's unknown sentinel as the mock capture writes it (what the SDK check skips)."""
    if isinstance(value, dict):
        return {k: _unknowns_as_capture(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknowns_as_capture(v) for v in value]
    return "<unknown>" if value == UNK else value


def res(type_: str, name: str, props: dict[str, Any], deps: dict[str, tuple[str, ...]] | None = None) -> RawResource:
    # Every fixture uses the provider SDK's own property names, so a rule reading a misspelt
    # property would have no fixture to pass with.
    assert sdk_input_errors(type_, _unknowns_as_capture(props)) == [], type_
    # As the pack passes them: unknown sentinels become UNKNOWN (values.plain).
    return RawResource(type_, name, f"urn:pulumi:s::p::{type_}::{name}", plain(props), "urn:parent", deps or {})


def run(policy: str, *resources: RawResource, env: str | None = "prod", **config: Any) -> list[str]:
    ctx = Context(BY_NAME[policy], config, {}, env)
    return [f"{f.urn.rsplit('::', 1)[-1]}: {f.message}" for f in RULES[policy](list(resources), ctx)]


@pytest.mark.parametrize(
    "token", sorted(t for t in {*KINDS, *ENCRYPTION, *ENDPOINTS, *PUBLIC_IP_TYPES} if not t.startswith("azure:"))
)
def test_every_type_the_rules_read_exists_in_the_sdk(token: str) -> None:
    assert args_class(token) is not None


def test_every_policy_has_a_rule_and_a_known_level() -> None:
    assert {p.name for p in POLICIES} == set(RULES)
    assert all(p.level in ("mandatory", "advisory") for p in POLICIES)


# ----- private-api-endpoint -------------------------------------------------------------------
GKE = "gcp:container/cluster:Cluster"
AKS = "azure-native:containerservice:ManagedCluster"
AKS_CLASSIC = "azure:containerservice/kubernetesCluster:KubernetesCluster"
EKS = "aws:eks/cluster:Cluster"

ENDPOINT_CASES: list[tuple[str, dict[str, Any], bool]] = [
    (GKE, {"privateClusterConfig": {"enablePrivateNodes": True, "enablePrivateEndpoint": False}}, True),
    (GKE, {"privateClusterConfig": {"enablePrivateEndpoint": True}}, False),
    (GKE, {"masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "203.0.113.0/24"}]}}, False),
    (GKE, {"masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "0.0.0.0/0"}]}}, True),
    (GKE, {"privateClusterConfig": {"enablePrivateEndpoint": UNK}}, False),
    (AKS, {}, True),
    (AKS, {"apiServerAccessProfile": {"enablePrivateCluster": True}}, False),
    (AKS, {"apiServerAccessProfile": {"authorizedIPRanges": ["203.0.113.0/24"]}}, False),
    (AKS, {"apiServerAccessProfile": {"authorizedIPRanges": ["0.0.0.0/0"]}}, True),
    (AKS, {"publicNetworkAccess": "Disabled"}, False),
    (AKS_CLASSIC, {"privateClusterEnabled": False}, True),
    (AKS_CLASSIC, {"privateClusterEnabled": True}, False),
    (EKS, {"vpcConfig": {"subnetIds": ["a"]}}, True),  # EKS's default is a public endpoint
    (EKS, {"vpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": True}}, False),
    (EKS, {"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}}, False),
    (EKS, {"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}}, True),
]


@pytest.mark.parametrize(("type_", "props", "violates"), ENDPOINT_CASES)
def test_private_api_endpoint(type_: str, props: dict[str, Any], violates: bool) -> None:
    found = run("private-api-endpoint", res(type_, "c", props))
    assert bool(found) is violates, found
    if violates:
        assert "in prod" in found[0]
        assert "clusters[].access" in found[0] or type_ == AKS_CLASSIC


def test_private_api_endpoint_only_in_prod_and_labels_cannot_lift_it() -> None:
    public = res(EKS, "c", {"vpcConfig": {}, "tags": {"aiinfra-environment": "dev"}})
    assert run("private-api-endpoint", public, env="dev") == []
    # The stack is prod (fleet spec): the resource's own dev label does not lift that.
    assert run("private-api-endpoint", public, env="prod")
    # Nothing configured at all: the label is all there is.
    assert run("private-api-endpoint", public, env=None) == []
    unlabelled = res(EKS, "c", {"vpcConfig": {}})
    assert run("private-api-endpoint", unlabelled, env=None), "no environment anywhere: the strictest (prod)"
    assert run("private-api-endpoint", unlabelled, env=None, environment="staging") == []
    assert run("private-api-endpoint", unlabelled, env="dev", environments=["dev", "prod"])


# ----- gpu-node-public-ip ----------------------------------------------------------------------
POOL = "gcp:container/nodePool:NodePool"


def test_gke_gpu_pool_on_a_cluster_without_private_nodes() -> None:
    cluster = res(GKE, "train", {"name": "train", "privateClusterConfig": {"enablePrivateNodes": False}})
    pool = res(POOL, "h100", {"cluster": "train", "nodeConfig": {"machineType": "a3-highgpu-8g"}})
    (msg,) = run("gpu-node-public-ip", cluster, pool)
    assert "h100" in msg and "cluster 'train' has no private nodes" in msg
    private = res(GKE, "train", {"name": "train", "privateClusterConfig": {"enablePrivateNodes": True}})
    assert run("gpu-node-public-ip", private, pool) == []
    # Joined by the engine's property dependency when the cluster name is unknown at preview.
    dep = res(
        POOL, "h100", {"cluster": UNK, "nodeConfig": {"machineType": "a3-highgpu-8g"}}, {"cluster": (cluster.urn,)}
    )
    assert run("gpu-node-public-ip", cluster, dep)


def test_gke_pool_flags() -> None:
    public = res(
        POOL,
        "t4",
        {
            "nodeConfig": {
                "machineType": "n1-standard-8",
                "guestAccelerators": [{"type": "nvidia-tesla-t4", "count": 1.0}],
            },
            "networkConfig": {"enablePrivateNodes": False},
        },
    )
    assert run("gpu-node-public-ip", public)
    cpu = res(
        POOL, "cpu", {"nodeConfig": {"machineType": "e2-standard-4"}, "networkConfig": {"enablePrivateNodes": False}}
    )
    assert run("gpu-node-public-ip", cpu) == []


@pytest.mark.parametrize(
    ("type_", "props", "violates"),
    [
        (
            "gcp:compute/instance:Instance",
            {"machineType": "a2-highgpu-8g", "networkInterfaces": [{"accessConfigs": [{}]}]},
            True,
        ),
        (
            "gcp:compute/instance:Instance",
            {"machineType": "a2-highgpu-8g", "networkInterfaces": [{"network": "n"}]},
            False,
        ),
        (
            "gcp:compute/instanceTemplate:InstanceTemplate",
            {"machineType": "e2-small", "networkInterfaces": [{"accessConfigs": [{}]}]},
            False,
        ),
        ("gcp:tpu/v2Vm:V2Vm", {"networkConfig": {"enableExternalIps": True}}, True),
        ("gcp:tpu/v2Vm:V2Vm", {"networkConfig": {"enableExternalIps": False}}, False),
        (
            "gcp:tpu/v2QueuedResource:V2QueuedResource",
            {"tpu": {"nodeSpecs": [{"node": {"networkConfig": {"enableExternalIps": True}}}]}},
            True,
        ),
        (
            "azure-native:containerservice:AgentPool",
            {"vmSize": "Standard_ND96isr_H100_v5", "enableNodePublicIP": True},
            True,
        ),
        (
            "azure-native:containerservice:AgentPool",
            {"vmSize": "Standard_ND96isr_H100_v5", "enableNodePublicIP": False},
            False,
        ),
        ("azure-native:containerservice:AgentPool", {"vmSize": "Standard_D4s_v5", "enableNodePublicIP": True}, False),
        (
            AKS,
            {"agentPoolProfiles": [{"name": "gpu", "vmSize": "Standard_NC24ads_A100_v4", "enableNodePublicIP": True}]},
            True,
        ),
        ("aws:ec2/instance:Instance", {"instanceType": "p5.48xlarge", "associatePublicIpAddress": True}, True),
        ("aws:ec2/instance:Instance", {"instanceType": "p5.48xlarge", "associatePublicIpAddress": False}, False),
        (
            "aws:ec2/launchTemplate:LaunchTemplate",
            {"instanceType": "g5.48xlarge", "networkInterfaces": [{"associatePublicIpAddress": "true"}]},
            True,
        ),
        (
            "aws:ec2/launchTemplate:LaunchTemplate",
            {"instanceType": "g5.48xlarge", "networkInterfaces": [{"associatePublicIpAddress": "false"}]},
            False,
        ),
    ],
)
def test_gpu_node_public_ip(type_: str, props: dict[str, Any], violates: bool) -> None:
    found = run("gpu-node-public-ip", res(type_, "n", props))
    assert bool(found) is violates, found


def test_launch_template_of_a_gpu_node_group_with_public_ips() -> None:
    lt = res(
        "aws:ec2/launchTemplate:LaunchTemplate", "lt", {"networkInterfaces": [{"associatePublicIpAddress": "true"}]}
    )
    ng = res(
        "aws:eks/nodeGroup:NodeGroup", "ng", {"instanceTypes": ["p4d.24xlarge"], "launchTemplate": {"id": "lt-id"}}
    )
    (msg,) = run("gpu-node-public-ip", lt, ng)
    assert "launch template 'lt'" in msg
    cpu = res("aws:eks/nodeGroup:NodeGroup", "ng", {"instanceTypes": ["m6i.large"], "launchTemplate": {"id": "lt-id"}})
    assert run("gpu-node-public-ip", lt, cpu) == []


# ----- imds-v2-hop-limit -----------------------------------------------------------------------
LT = "aws:ec2/launchTemplate:LaunchTemplate"


@pytest.mark.parametrize(
    ("options", "expect"),
    [
        (None, "sets no metadataOptions"),
        ({"httpTokens": "optional", "httpPutResponseHopLimit": 1.0}, "allows IMDSv1"),
        ({"httpTokens": "required", "httpPutResponseHopLimit": 2.0}, "2 hops away"),
        ({"httpTokens": "required"}, "leaves the IMDS hop limit to the AMI"),
        ({"httpTokens": "required", "httpPutResponseHopLimit": 1.0}, None),
        ({"httpEndpoint": "disabled"}, None),
        ({"httpTokens": "required", "httpPutResponseHopLimit": UNK}, None),
    ],
)
def test_imds_on_launch_templates_and_instances(options: dict[str, Any] | None, expect: str | None) -> None:
    for type_ in (LT, "aws:ec2/instance:Instance"):
        props = {"metadataOptions": options} if options is not None else {}
        found = run("imds-v2-hop-limit", res(type_, "n", props))
        if expect is None:
            assert found == []
        else:
            (msg,) = found
            assert expect in msg and "httpPutResponseHopLimit: 1" in msg


def test_imds_hop_limit_is_configurable_and_node_groups_need_a_template() -> None:
    two = res(LT, "n", {"metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2.0}})
    assert run("imds-v2-hop-limit", two, maxHopLimit=2) == []
    bare = res("aws:eks/nodeGroup:NodeGroup", "ng", {"instanceTypes": ["p5.48xlarge"]})
    (msg,) = run("imds-v2-hop-limit", bare)
    assert "has no launch template" in msg
    assert run("imds-v2-hop-limit", res("aws:eks/nodeGroup:NodeGroup", "ng", {"launchTemplate": {"id": "x"}})) == []


# ----- unencrypted-storage ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_", "props", "violates"),
    [
        ("aws:ebs/volume:Volume", {"size": 100.0}, True),
        ("aws:ebs/volume:Volume", {"size": 100.0, "encrypted": True}, False),
        ("aws:efs/fileSystem:FileSystem", {}, True),
        ("aws:efs/fileSystem:FileSystem", {"encrypted": True}, False),
        (LT, {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 100.0}}]}, True),
        (LT, {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}]}, False),
        ("aws:ec2/instance:Instance", {"rootBlockDevice": {"encrypted": False}}, True),
        ("aws:ec2/instance:Instance", {"rootBlockDevice": {"encrypted": True}}, False),
        ("aws:fsx/lustreFileSystem:LustreFileSystem", {}, False),  # always encrypted at rest
        ("gcp:compute/disk:Disk", {}, False),  # Google encrypts every disk
        ("azure-native:compute:Disk", {}, False),  # Azure encrypts every managed disk
    ],
)
def test_unencrypted_storage(type_: str, props: dict[str, Any], violates: bool) -> None:
    found = run("unencrypted-storage", res(type_, "v", props))
    assert bool(found) is violates, found


CMK_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (GKE, {}, {"databaseEncryption": {"state": "ENCRYPTED", "keyName": "k"}}),
    (POOL, {"nodeConfig": {}}, {"nodeConfig": {"bootDiskKmsKey": "k"}}),
    ("gcp:compute/disk:Disk", {}, {"diskEncryptionKey": {"kmsKeySelfLink": "k"}}),
    ("gcp:filestore/instance:Instance", {}, {"kmsKeyName": "k"}),
    ("gcp:lustre/instance:Instance", {}, {"kmsKey": "k"}),
    (AKS, {}, {"securityProfile": {"azureKeyVaultKms": {"enabled": True, "keyId": "k"}}}),
    ("azure-native:compute:Disk", {}, {"encryption": {"diskEncryptionSetId": "des"}}),
    ("azure-native:storagecache:AmlFilesystem", {}, {"encryptionSettings": {"keyEncryptionKey": {"keyUrl": "k"}}}),
    (
        "azure-native:storage:StorageAccount",
        {"kind": "FileStorage"},
        {
            "kind": "FileStorage",
            "encryption": {"keySource": "Microsoft.Keyvault", "keyVaultProperties": {"keyName": "k"}},
        },
    ),
    (EKS, {}, {"encryptionConfig": {"provider": {"keyArn": "k"}, "resources": ["secrets"]}}),
    ("aws:ebs/volume:Volume", {"encrypted": True}, {"encrypted": True, "kmsKeyId": "k"}),
    ("aws:efs/fileSystem:FileSystem", {"encrypted": True}, {"encrypted": True, "kmsKeyId": "k"}),
    ("aws:fsx/lustreFileSystem:LustreFileSystem", {}, {"kmsKeyId": "k"}),
]


@pytest.mark.parametrize(("type_", "without", "with_key"), CMK_CASES)
def test_customer_managed_keys_when_required(type_: str, without: dict[str, Any], with_key: dict[str, Any]) -> None:
    assert run("unencrypted-storage", res(type_, "v", without)) == []  # not required by default
    (msg,) = run("unencrypted-storage", res(type_, "v", without), requireCustomerManagedKeys=True)
    assert "not a customer-managed key" in msg
    assert run("unencrypted-storage", res(type_, "v", with_key), requireCustomerManagedKeys=True) == []


def test_encryption_at_host_when_required() -> None:
    pool = res("azure-native:containerservice:AgentPool", "p", {"vmSize": "Standard_ND96isr_H100_v5"})
    assert run("unencrypted-storage", pool) == []
    (msg,) = run("unencrypted-storage", pool, requireEncryptionAtHost=True)
    assert "enableEncryptionAtHost" in msg
    on = res("azure-native:containerservice:AgentPool", "p", {"enableEncryptionAtHost": True})
    assert run("unencrypted-storage", on, requireEncryptionAtHost=True) == []


# ----- node-identity ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_", "props", "violates"),
    [
        (POOL, {"nodeConfig": {"machineType": "a3-highgpu-8g"}}, True),
        (POOL, {"nodeConfig": {"serviceAccount": "default"}}, True),
        (POOL, {"nodeConfig": {"serviceAccount": "123456789-compute@developer.gserviceaccount.com"}}, True),
        (POOL, {"nodeConfig": {"serviceAccount": "train-nodes@p.iam.gserviceaccount.com"}}, False),
        (POOL, {"nodeConfig": {"serviceAccount": UNK}}, False),
        (GKE, {"removeDefaultNodePool": True}, False),
        (GKE, {"nodeConfig": {}}, True),
        ("gcp:tpu/v2Vm:V2Vm", {}, True),
        ("gcp:tpu/v2Vm:V2Vm", {"serviceAccount": {"email": "train-nodes@p.iam.gserviceaccount.com"}}, False),
        ("gcp:tpu/v2QueuedResource:V2QueuedResource", {"tpu": {"nodeSpecs": []}}, True),
        ("gcp:compute/instance:Instance", {"serviceAccount": {"scopes": ["cloud-platform"]}}, True),
        ("gcp:compute/instance:Instance", {"serviceAccount": {"email": "x@p.iam.gserviceaccount.com"}}, False),
        (
            "gcp:projects/iAMMember:IAMMember",
            {"role": "roles/editor", "member": "serviceAccount:n@p.iam.gserviceaccount.com"},
            True,
        ),
        (
            "gcp:projects/iAMMember:IAMMember",
            {"role": "roles/logging.logWriter", "member": "serviceAccount:n@p.iam.gserviceaccount.com"},
            False,
        ),
        ("gcp:projects/iAMMember:IAMMember", {"role": "roles/owner", "member": "user:alice@example.com"}, False),
        (
            "azure-native:authorization:RoleAssignment",
            {
                "principalType": "ServicePrincipal",
                "scope": "/subscriptions/s/resourceGroups/capacity",
                "roleDefinitionId": CONTRIBUTOR,
            },
            True,
        ),
        (
            "azure-native:authorization:RoleAssignment",
            {
                "principalType": "ServicePrincipal",
                "scope": CRG,
                "roleDefinitionId": CONTRIBUTOR,
            },
            False,
        ),
        (
            "azure-native:authorization:RoleAssignment",
            {
                "principalType": "ServicePrincipal",
                "scope": "/subscriptions/s",
                "roleDefinitionId": OWNER,
            },
            True,
        ),
        (
            "azure-native:authorization:RoleAssignment",
            {
                "principalType": "User",
                "scope": "/subscriptions/s",
                "roleDefinitionId": OWNER,
            },
            False,
        ),
    ],
)
def test_node_identity(type_: str, props: dict[str, Any], violates: bool) -> None:
    found = run("node-identity", res(type_, "n", props))
    assert bool(found) is violates, found


def test_broad_policies_on_the_ec2_node_role() -> None:
    role = res(
        "aws:iam/role:Role",
        "node-role",
        {"assumeRolePolicy": '{"Statement": [{"Principal": {"Service": "ec2.amazonaws.com"}}]}'},
    )
    admin = res(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "admin",
        {"role": "node-role", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
    )
    worker = res(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "worker",
        {"role": "node-role", "policyArn": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"},
    )
    star = res(
        "aws:iam/rolePolicy:RolePolicy",
        "star",
        {"role": UNK, "policy": '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'},
        {"role": (role.urn,)},
    )
    found = run("node-identity", role, admin, worker, star)
    assert [m.split(":")[0] for m in found] == ["admin", "star"]
    assert "AdministratorAccess" in found[0] and "every action" in found[1]
    # The same attachment on a role EC2 does not assume is not a node identity.
    lambda_role = res(
        "aws:iam/role:Role",
        "node-role",
        {"assumeRolePolicy": '{"Statement": [{"Principal": {"Service": "lambda.amazonaws.com"}}]}'},
    )
    assert run("node-identity", lambda_role, admin) == []
