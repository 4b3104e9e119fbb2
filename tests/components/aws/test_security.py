"""AWS secure defaults on the mock engine: endpoint, secrets encryption, audit log retention,
network policy, IMDS, Pod Identity, node AMIs, customer-managed keys.

Every run checks the captured inputs against pulumi-aws's ``...Args`` classes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.aws import facts, translate
from components.fleet import Fleet
from components.mockengine import Capture, CapturedResource, run_program
from components.spec import SpecError
from tests.components.aws.fleets import family_pool, fleet_doc, resolve
from tests.support.sdk_inputs import assert_inputs_match_sdk

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
EXISTING = "arn:aws:eks:us-east-1:123456789012:cluster/shared"


def build(doc: dict[str, Any]) -> Capture:
    capture = run_program(lambda: Fleet("fleet", resolve(doc)), stack="test")
    assert_inputs_match_sdk(capture.resources)
    return capture


def one(cap: Capture, type_token: str) -> CapturedResource:
    (found,) = cap.of_type(type_token)
    return found


def eks(cap: Capture) -> dict[str, Any]:
    return one(cap, "aws:eks/cluster:Cluster").inputs


# ----- the API endpoint ----------------------------------------------------------------------


def test_prod_endpoint_is_private_by_default() -> None:
    vpc = eks(build(fleet_doc([family_pool("g5")], environment="prod")))["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True and vpc["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in vpc


def test_authorized_cidrs_open_a_limited_public_endpoint() -> None:
    doc = fleet_doc([family_pool("g5")], environment="prod", access={"authorizedCidrs": ["203.0.113.0/24"]})
    vpc = eks(build(doc))["vpcConfig"]
    assert vpc["endpointPublicAccess"] is True and vpc["publicAccessCidrs"] == ["203.0.113.0/24"]


def test_dev_endpoint_is_public_and_prod_rejects_the_whole_internet() -> None:
    vpc = eks(build(fleet_doc([family_pool("g5")])))["vpcConfig"]
    assert vpc["endpointPublicAccess"] is True and "publicAccessCidrs" not in vpc
    with pytest.raises(SpecError, match=r"clusters\[0\]\.access\.authorizedCidrs\[0\]: 0\.0\.0\.0/0 is every address"):
        resolve(fleet_doc([family_pool("g5")], environment="prod", access={"authorizedCidrs": ["0.0.0.0/0"]}))


# ----- secrets, audit logs, network policy ---------------------------------------------------------


def test_secrets_are_envelope_encrypted_with_a_rotated_key_only_the_cluster_role_uses() -> None:
    cap = build(fleet_doc([family_pool("g5")]))
    key = one(cap, "aws:kms/key:Key").inputs
    assert key["enableKeyRotation"] is True and key["deletionWindowInDays"] == 30
    assert eks(cap)["encryptionConfig"]["resources"] == ["secrets"]
    assert "keyArn" in eks(cap)["encryptionConfig"]["provider"]
    policy = one(cap, "aws:iam/rolePolicy:RolePolicy").inputs
    assert policy["role"] == "fleet-ml-cluster-role"  # the cluster role (the mock names it after its logical name)
    doc = json.loads(translate.secrets_key_policy(KEY))
    assert doc["Statement"] == [{"Action": list(facts.SECRETS_KEY_ACTIONS), "Effect": "Allow", "Resource": KEY}]


def test_a_customer_key_encrypts_secrets_root_volumes_and_storage() -> None:
    storage = [
        {"name": "fsx", "kind": "lustre", "capacityGiB": 1200},
        {"name": "efs", "kind": "nfs", "capacityGiB": 100},
        {"name": "vol", "kind": "block", "capacityGiB": 100},
    ]
    cap = build(fleet_doc([family_pool("g5")], storage=storage, encryption={"kmsKey": KEY}))
    assert not cap.of_type("aws:kms/key:Key")
    assert eks(cap)["encryptionConfig"] == {"provider": {"keyArn": KEY}, "resources": ["secrets"]}
    assert json.loads(one(cap, "aws:iam/rolePolicy:RolePolicy").inputs["policy"])["Statement"][0]["Resource"] == KEY
    for lt in cap.of_type("aws:ec2/launchTemplate:LaunchTemplate"):
        ebs = lt.inputs["blockDeviceMappings"][0]["ebs"]
        assert ebs["encrypted"] == "true" and ebs["kmsKeyId"] == KEY, lt.name
    assert one(cap, "aws:fsx/lustreFileSystem:LustreFileSystem").inputs["kmsKeyId"] == KEY
    assert one(cap, "aws:efs/fileSystem:FileSystem").inputs["kmsKeyId"] == KEY
    vol = one(cap, "aws:ebs/volume:Volume").inputs
    assert vol["encrypted"] is True and vol["kmsKeyId"] == KEY


def test_control_plane_audit_logs_are_kept_for_the_spec_retention() -> None:
    cap = build(fleet_doc([family_pool("g5")], auditLogs={"retentionDays": 90}))
    group = one(cap, "aws:cloudwatch/logGroup:LogGroup").inputs
    assert group["name"] == "/aws/eks/ml/cluster" and group["retentionInDays"] == 90
    assert eks(cap)["name"] == "ml" and "audit" in eks(cap)["enabledClusterLogTypes"]


def test_vpc_cni_enforces_network_policy_and_pod_identity_is_installed() -> None:
    cap = build(fleet_doc([family_pool("g5")]))
    addons = {a.inputs["addonName"]: a.inputs for a in cap.of_type("aws:eks/addon:Addon")}
    assert json.loads(addons["vpc-cni"]["configurationValues"]) == {"enableNetworkPolicy": "true"}
    assert addons["vpc-cni"]["serviceAccountRoleArn"]  # IRSA, not the node role
    assert "eks-pod-identity-agent" in addons


# ----- nodes --------------------------------------------------------------------------------------


def test_nodes_allow_imdsv2_only_one_hop() -> None:
    cap = build(fleet_doc([family_pool("p5"), family_pool("g5")]))
    templates = cap.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    assert len(templates) == 3  # system, p5, g5
    for lt in templates:
        assert lt.inputs["metadataOptions"] == {
            "httpEndpoint": "enabled",
            "httpTokens": "required",
            "httpPutResponseHopLimit": 1,
        }, lt.name


def test_node_groups_run_the_latest_recommended_ami_release() -> None:
    cap = build(fleet_doc([family_pool("p5"), family_pool("inf2"), family_pool("g5", gpuDriver="none")]))
    releases = {g.inputs["amiType"]: g.inputs["releaseVersion"] for g in cap.of_type("aws:eks/nodeGroup:NodeGroup")}
    base = "/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64"
    assert releases == {
        "AL2023_x86_64_STANDARD": f"<value of {base}/standard/recommended/release_version>",
        "AL2023_x86_64_NVIDIA": f"<value of {base}/nvidia/recommended/release_version>",
        "AL2023_x86_64_NEURON": f"<value of {base}/neuron/recommended/release_version>",
    }


def test_every_catalog_ami_type_has_an_ssm_path() -> None:
    from components.catalog import get_catalog

    types = {o.ami_type for o in get_catalog().offers_for("aws")} | {facts.SYSTEM_AMI_TYPE}
    assert types - {None} <= set(facts.AMI_SSM_PATHS)


def test_existing_cluster_node_groups_follow_its_version_and_get_no_cluster_settings() -> None:
    cap = build(fleet_doc([family_pool("g5")], kubernetes={"existingCluster": EXISTING}))
    assert not cap.of_type("aws:kms/key:Key") and not cap.of_type("aws:cloudwatch/logGroup:LogGroup")
    (ng,) = cap.of_type("aws:eks/nodeGroup:NodeGroup")
    (lt,) = cap.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    assert lt.inputs["metadataOptions"]["httpPutResponseHopLimit"] == 1
    assert "version" not in ng.inputs  # an existing cluster's version is not ours to move
