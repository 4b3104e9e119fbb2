"""Accelerator resource types beyond node pools: each one caught by the rules (pure, no gRPC).

One test per type: a raw resource of the type, as the engine sends it, is normalized into the
accelerator view with the catalog and a rule catches it. Every fixture's property names are
checked against the provider SDK's own ``...Args`` classes, and the Karpenter NodePool against
its CRD's schema (tests/support/crds; the legacy ``tpu.Node`` has no SDK installed: see
``test_sdk_names.OUTSIDE_THE_SDKS``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.policy.normalize import RawResource, normalize_stack
from components.policy.rules import RULES, Finding
from components.policy.settings import FleetHints, settings_for
from tests.policies.raw import UNK
from tests.policies.test_sdk_names import OUTSIDE_THE_SDKS
from tests.support.crds import crd_errors
from tests.support.sdk_inputs import sdk_input_errors

DEV = FleetHints(environment="dev")


def res(type_: str, name: str, props: dict[str, Any], deps: dict[str, tuple[str, ...]] | None = None) -> RawResource:
    return RawResource(type_, name, f"urn:pulumi:s::p::{type_}::{name}", props, "urn:parent", deps or {})


def _as_captured(value: Any) -> Any:
    """The engine's unknown sentinel as the mock engine's capture renders it (what the SDK check skips)."""
    if isinstance(value, dict):
        return {k: _as_captured(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_captured(v) for v in value]
    return "<unknown>" if value == UNK else value


def run(rule: str, resources: list[RawResource], config: dict[str, Any] | None = None) -> list[Finding]:
    for r in resources:
        if r.type.startswith("kubernetes:karpenter.sh/"):
            assert crd_errors(dict(r.props)) == [], r.name  # the Karpenter v1 NodePool CRD's schema
        elif r.type not in OUTSIDE_THE_SDKS:
            assert sdk_input_errors(r.type, _as_captured(dict(r.props))) == [], r.type
    return RULES[rule](normalize_stack(resources), settings_for(rule, config, {}, DEV))


def caught(findings: list[Finding], *patterns: str) -> Finding:
    for f in findings:
        if all(re.search(p, f.message) for p in patterns):
            return f
    raise AssertionError(f"{patterns} not in {[f.message for f in findings]}")


CPU_LT = res("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"name": "lt", "imageId": "ami-1"})


# ----- GCP ---------------------------------------------------------------------------------------------
def test_gcp_instance_from_template() -> None:
    template = res(
        "gcp:compute/instanceTemplate:InstanceTemplate",
        "a3-tpl",
        {"name": "a3-tpl", "machineType": "a3-highgpu-8g", "disks": [{"boot": True}]},
    )
    vms = [
        res(
            "gcp:compute/instanceFromTemplate:InstanceFromTemplate",
            f"vm{i}",
            {"sourceInstanceTemplate": "a3-tpl", "zone": "us-central1-a"},
        )
        for i in range(3)
    ]
    f = caught(run("stack-ceilings", [template, *vms]), r"instance 'vm0' can reach 1 x a3-highgpu-8g = 8 H100-80GB")
    assert "totals 24 accelerators" in f.message and "the dev ceiling is 16 accelerators" in f.message


def test_gcp_legacy_tpu_node() -> None:
    node = res(
        "gcp:tpu/node:Node",
        "v5p",
        {"acceleratorType": "v5p-128", "tensorflowVersion": "2.15", "schedulingConfig": {"preemptible": True}},
    )
    caught(run("tpu-slice-size", [node]), r"TPU node 'v5p' is a TPU v5p slice of 64 chips", "the dev limit is 16")


def test_gcp_reservation_counts_once_with_its_consumer() -> None:
    reservation = res(
        "gcp:compute/reservation:Reservation",
        "h100-res",
        {
            "name": "h100-res",
            "zone": "us-central1-a",
            "specificReservation": {"count": 64.0, "instanceProperties": {"machineType": "a3-highgpu-8g"}},
        },
    )
    caught(run("stack-ceilings", [reservation]), r"reservation 'h100-res' can reach 64 x a3-highgpu-8g = 512 H100")
    caught(run("pool-max-nodes", [reservation]), r"reservation 'h100-res' can scale to 64 instances")
    # not an under-networked pool: a reservation has no network of its own
    assert run("under-networked", [reservation]) == []
    consumer = res(
        "gcp:container/nodePool:NodePool",
        "h100",
        {
            "location": "us-central1-a",
            "autoscaling": {"minNodeCount": 0.0, "maxNodeCount": 16.0},
            "nodeConfig": {
                "machineType": "a3-highgpu-8g",
                "reservationAffinity": {
                    "consumeReservationType": "SPECIFIC_RESERVATION",
                    "key": "compute.googleapis.com/reservation-name",
                    "values": ["projects/p/reservations/h100-res"],
                },
            },
        },
    )
    view = normalize_stack([reservation, consumer])
    total = sum(p.accelerators_at_max or 0 for p in view.pools)
    assert total == 512  # the reservation's 512, not 512 + 128


@pytest.mark.parametrize(
    ("resource_type", "maximum", "machine", "nodes"),
    [("nvidia-h100-80gb", 512.0, "a3-highgpu-8g", 64), ("tpu-v5p-slice", 256.0, "ct5p-hightpu-4t", 64)],
)
def test_gke_node_auto_provisioning_limits(resource_type: str, maximum: float, machine: str, nodes: int) -> None:
    cluster = res(
        "gcp:container/cluster:Cluster",
        "train",
        {
            "location": "us-central1",
            "removeDefaultNodePool": True,
            "initialNodeCount": 1.0,
            "clusterAutoscaling": {
                "enabled": True,
                "resourceLimits": [
                    {"resourceType": "cpu", "minimum": 0.0, "maximum": 100000.0},
                    {"resourceType": resource_type, "minimum": 0.0, "maximum": maximum},
                ],
            },
        },
    )
    f = caught(
        run("stack-ceilings", [cluster]),
        rf"auto-provisioning limit 'train/{resource_type}' can reach {nodes} x {machine} = {int(maximum)} ",
    )
    assert f.urn.endswith("::train")
    off = res(
        "gcp:container/cluster:Cluster", "off", {"location": "us-central1", "clusterAutoscaling": {"enabled": False}}
    )
    assert normalize_stack([off]).pools == []


# ----- AWS ---------------------------------------------------------------------------------------------
def test_aws_ec2_fleet() -> None:
    fleet = res(
        "aws:ec2/fleet:Fleet",
        "p5-fleet",
        {
            "type": "instant",
            "targetCapacitySpecification": {"defaultTargetCapacityType": "on-demand", "totalTargetCapacity": 16.0},
            "launchTemplateConfigs": [
                {
                    "launchTemplateSpecification": {"launchTemplateName": "lt", "version": "$Latest"},
                    "overrides": [{"instanceType": "p5.48xlarge"}, {"instanceType": "g6.xlarge"}],
                }
            ],
        },
    )
    caught(run("stack-ceilings", [CPU_LT, fleet]), r"EC2 fleet 'p5-fleet' can reach 16 x p5.48xlarge = 128 H100-80GB")


def test_aws_spot_fleet_weights() -> None:
    fleet = res(
        "aws:ec2/spotFleetRequest:SpotFleetRequest",
        "a100",
        {
            "iamFleetRole": "arn:aws:iam::1:role/fleet",
            "targetCapacity": 64.0,
            "launchSpecifications": [{"instanceType": "p4d.24xlarge", "ami": "ami-1", "weightedCapacity": "8"}],
        },
    )
    # 64 capacity units at 8 units per instance: 8 instances, on spot
    f = caught(run("stack-ceilings", [fleet]), r"spot fleet 'a100' can reach 8 x p4d.24xlarge = 64 A100-40GB")
    assert f.urn.endswith("::a100")
    assert [p.shape.spot for p in normalize_stack([fleet]).pools] == [True]


def test_aws_asg_instance_requirements() -> None:
    asg = res(
        "aws:autoscaling/group:Group",
        "gpu-asg",
        {
            "minSize": 0.0,
            "maxSize": 8.0,
            "mixedInstancesPolicy": {
                "launchTemplate": {
                    "launchTemplateSpecification": {"launchTemplateName": "lt"},
                    "overrides": [
                        {
                            "instanceRequirements": {
                                "acceleratorCount": {"min": 8.0},
                                "acceleratorNames": ["h100"],
                                "vcpuCount": {"min": 1.0},
                                "memoryMib": {"min": 1024.0},
                            }
                        }
                    ],
                }
            },
        },
    )
    caught(
        run("stack-ceilings", [CPU_LT, asg]), r"auto scaling group 'gpu-asg' can reach 8 x p5.48xlarge = 64 H100-80GB"
    )
    # requirements that do not ask for accelerators are a CPU group
    cpu = res(
        "aws:autoscaling/group:Group",
        "cpu-asg",
        {
            "minSize": 0.0,
            "maxSize": 8.0,
            "mixedInstancesPolicy": {
                "launchTemplate": {
                    "launchTemplateSpecification": {"launchTemplateName": "lt"},
                    "overrides": [{"instanceRequirements": {"vcpuCount": {"min": 4.0}, "memoryMib": {"min": 8.0}}}],
                }
            },
        },
    )
    assert normalize_stack([CPU_LT, cpu]).pools == []


def test_aws_capacity_reservation() -> None:
    cr = res(
        "aws:ec2/capacityReservation:CapacityReservation",
        "p5-cr",
        {
            "instanceType": "p5.48xlarge",
            "instanceCount": 4.0,
            "instancePlatform": "Linux/UNIX",
            "availabilityZone": "a",
        },
    )
    caught(run("stack-ceilings", [cr]), r"capacity reservation 'p5-cr' can reach 4 x p5.48xlarge = 32 H100-80GB")
    assert run("spot-outside-prod", [cr]) == []  # reserved capacity, not on-demand


def test_aws_launch_configuration_joined_to_its_group() -> None:
    lc = res(
        "aws:ec2/launchConfiguration:LaunchConfiguration",
        "p4d-lc",
        {"name": "p4d-lc", "imageId": "ami-1", "instanceType": "p4d.24xlarge"},
    )
    asg = res("aws:autoscaling/group:Group", "p4d", {"minSize": 0.0, "maxSize": 4.0, "launchConfiguration": "p4d-lc"})
    caught(run("stack-ceilings", [lc, asg]), r"auto scaling group 'p4d' can reach 4 x p4d.24xlarge = 32 A100-40GB")


def test_aws_sagemaker() -> None:
    endpoint = res(
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        "llm",
        {
            "productionVariants": [
                {
                    "variantName": "main",
                    "modelName": "m",
                    "instanceType": "ml.p5.48xlarge",
                    "initialInstanceCount": 1.0,
                    "managedInstanceScaling": {"status": "ENABLED", "minInstanceCount": 1.0, "maxInstanceCount": 4.0},
                }
            ]
        },
    )
    caught(run("stack-ceilings", [endpoint]), r"SageMaker endpoint variant 'llm/main' can reach 4 x p5.48xlarge = 32")
    caught(run("scale-to-zero", [endpoint]), r"SageMaker endpoint variant 'llm/main' keeps 1 x p5.48xlarge")
    notebook = res(
        "aws:sagemaker/notebookInstance:NotebookInstance", "nb", {"instanceType": "ml.p4d.24xlarge", "roleArn": "arn"}
    )
    job = res(
        "aws:sagemaker/trainingJob:TrainingJob",
        "pretrain",
        {"roleArn": "arn", "resourceConfig": {"instanceType": "ml.p5.48xlarge", "instanceCount": 2.0}},
    )
    f = caught(run("stack-ceilings", [notebook, job]), r"SageMaker training job 'pretrain' can reach 2 x p5.48xlarge")
    assert "totals 24 accelerators" in f.message


def test_aws_batch_compute_environment() -> None:
    batch = res(
        "aws:batch/computeEnvironment:ComputeEnvironment",
        "batch",
        {
            "type": "MANAGED",
            "computeResources": {
                "type": "EC2",
                "instanceTypes": ["p5"],
                "maxVcpus": 3072.0,
                "minVcpus": 0.0,
                "subnets": ["subnet-1"],
                "securityGroupIds": ["sg-1"],
            },
        },
    )
    # the p5 family's most accelerators per vCPU: p5.4xlarge (1 GPU / 16 vCPU) -> 192 instances
    caught(run("stack-ceilings", [batch]), r"Batch compute environment 'batch' can reach 192 x p5.4xlarge = 192 H100")
    fargate = res(
        "aws:batch/computeEnvironment:ComputeEnvironment",
        "f",
        {
            "type": "MANAGED",
            "computeResources": {"type": "FARGATE", "maxVcpus": 64.0, "subnets": ["s"], "securityGroupIds": ["g"]},
        },
    )
    assert normalize_stack([fargate]).pools == []


# ----- Azure -------------------------------------------------------------------------------------------
ND = "Standard_ND96isr_H100_v5"
CRG = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/capacityReservationGroups/crg"


@pytest.mark.parametrize(
    "token", ["azure-native:compute:CapacityReservation", "azure:compute/capacityReservation:CapacityReservation"]
)
def test_azure_capacity_reservation(token: str) -> None:
    props: dict[str, Any] = {"sku": {"name": ND, "capacity": 8.0}}
    props.update(
        {"capacityReservationGroupName": "crg", "resourceGroupName": "rg"}
        if token.startswith("azure-native")
        else {"capacityReservationGroupId": CRG}
    )
    cr = res(token, "nd-cr", props)
    caught(run("stack-ceilings", [cr]), rf"capacity reservation 'nd-cr' can reach 8 x {ND} = 64 H100-80GB")


def test_azure_ml_compute() -> None:
    native = res(
        "azure-native:machinelearningservices:Compute",
        "aml",
        {
            "resourceGroupName": "rg",
            "workspaceName": "ws",
            "properties": {
                "computeType": "AmlCompute",
                "properties": {
                    "vmSize": ND,
                    "vmPriority": "Dedicated",
                    "scaleSettings": {"maxNodeCount": 16.0, "minNodeCount": 2.0},
                },
            },
        },
    )
    caught(run("stack-ceilings", [native]), rf"ML compute cluster 'aml' can reach 16 x {ND} = 128 H100-80GB")
    caught(run("scale-to-zero", [native]), rf"ML compute cluster 'aml' keeps 2 x {ND}")
    classic = res(
        "azure:machinelearning/computeCluster:ComputeCluster",
        "cc",
        {
            "machineLearningWorkspaceId": "ws",
            "vmSize": ND,
            "vmPriority": "Dedicated",
            "scaleSettings": {"maxNodeCount": 4.0, "minNodeCount": 0.0},
        },
    )
    instance = res(
        "azure:machinelearning/computeInstance:ComputeInstance",
        "ci",
        {"machineLearningWorkspaceId": "ws", "virtualMachineSize": ND},
    )
    f = caught(run("stack-ceilings", [classic, instance]), rf"ML compute cluster 'cc' can reach 4 x {ND} = 32")
    assert "totals 40 accelerators" in f.message


def test_classic_aks_pool_and_default_pool() -> None:
    pool = res(
        "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool",
        "nd",
        {
            "kubernetesClusterId": "id",
            "name": "nd",
            "vmSize": ND,
            "autoScalingEnabled": True,
            "minCount": 1.0,
            "maxCount": 8.0,
        },
    )
    caught(run("pool-max-nodes", [pool]), r"agent pool 'nd' can scale to 8 nodes", "the dev limit is 4")
    caught(run("scale-to-zero", [pool]), r"agent pool 'nd' keeps 1 x")
    cluster = res(
        "azure:containerservice/kubernetesCluster:KubernetesCluster",
        "aks",
        {"resourceGroupName": "rg", "defaultNodePool": {"name": "system", "vmSize": ND, "nodeCount": 6.0}},
    )
    caught(run("pool-max-nodes", [cluster]), r"agent pool 'aks/system' can scale to 6 nodes")


@pytest.mark.parametrize(
    ("token", "size_key"),
    [
        ("azure:compute/linuxVirtualMachineScaleSet:LinuxVirtualMachineScaleSet", "sku"),
        ("azure:compute/orchestratedVirtualMachineScaleSet:OrchestratedVirtualMachineScaleSet", "skuName"),
    ],
)
def test_classic_vmss(token: str, size_key: str) -> None:
    vmss = res(
        token, "ss", {"resourceGroupName": "rg", size_key: ND, "instances": 6.0, "platformFaultDomainCount": 1.0}
    )
    caught(run("stack-ceilings", [vmss]), rf"scale set 'ss' can reach 6 x {ND} = 48 H100-80GB")


# ----- Karpenter ---------------------------------------------------------------------------------------
def karpenter(requirements: list[dict[str, Any]], limits: dict[str, Any] | None) -> RawResource:
    spec: dict[str, Any] = {
        "template": {
            "spec": {
                "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "gpu"},
                "requirements": requirements,
            }
        }
    }
    if limits is not None:
        spec["limits"] = limits
    return res(
        "kubernetes:karpenter.sh/v1:NodePool",
        "gpu",
        {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "gpu"}, "spec": spec},
    )


def test_karpenter_node_pool_requirements_and_limits() -> None:
    pool = karpenter(
        [
            {"key": "karpenter.k8s.aws/instance-family", "operator": "In", "values": ["p5", "p4d"]},
            {"key": "karpenter.k8s.aws/instance-gpu-count", "operator": "Gt", "values": ["4"]},
            {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["on-demand"]},
        ],
        {"cpu": "100000", "nvidia.com/gpu": 256},
    )
    caught(run("stack-ceilings", [pool]), r"Karpenter NodePool 'gpu' can reach 32 x p5.48xlarge = 256 H100-80GB")
    caught(run("allowed-accelerator-classes", [pool]), "H100-80GB \\(frontier class\\)", "dev allows")


def test_karpenter_limits_by_cpu_and_unbounded() -> None:
    by_cpu = karpenter(
        [{"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["g6e.48xlarge"]}], {"cpu": "1920"}
    )
    caught(run("pool-max-nodes", [by_cpu]), r"Karpenter NodePool 'gpu' can scale to 10 nodes")
    unbounded = karpenter([{"key": "karpenter.k8s.aws/instance-gpu-name", "operator": "In", "values": ["h100"]}], None)
    caught(run("accelerator-visibility", [unbounded]), "has no spec.limits", "can scale without bound")
    cpu_only = karpenter(
        [{"key": "karpenter.k8s.aws/instance-category", "operator": "In", "values": ["c", "m"]}], {"cpu": "1000"}
    )
    assert normalize_stack([cpu_only]).pools == []


# ----- unknown max size at preview ---------------------------------------------------------------------
def test_unknown_max_size_counts_what_is_known_and_says_what_is_not() -> None:
    known = res(
        "gcp:container/nodePool:NodePool",
        "known",
        {
            "location": "us-central1-a",
            "autoscaling": {"minNodeCount": 0.0, "maxNodeCount": 2.0},
            "nodeConfig": {"machineType": "a3-highgpu-8g"},
        },
    )
    unknown = res(
        "gcp:container/nodePool:NodePool",
        "unknown",
        {
            "location": "us-central1-a",
            "autoscaling": {"minNodeCount": 1.0, "maxNodeCount": UNK},
            "nodeConfig": {"machineType": "a3-highgpu-8g"},
        },
    )
    # 2 x 8 known + at least 1 x 8 at its minimum = 24 > the dev ceiling of 16: not silently skipped
    f = caught(run("stack-ceilings", [known, unknown]), "totals 24 accelerators")
    assert "counted at their minimum as their max size is unknown at preview: node pool 'unknown'" in f.message
    caught(
        run("stack-ceilings", [known, unknown]),
        r"node pool 'unknown' has an unknown max size at preview and at least 1 x a3-highgpu-8g",
    )
    v = caught(run("accelerator-visibility", [known, unknown]), "the ceilings counted 24 accelerators")
    assert "node pool 'unknown' (at its minimum, 1 node) is unknown at preview" in v.message
