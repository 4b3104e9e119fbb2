"""The pack driven over the Analyzer gRPC protocol exactly as the Pulumi engine drives it.

A subprocess is started the way the engine's ``pulumi-analyzer-policy-python`` shim starts a
Python pack (``python -u -m pulumi.policy <engine-address> .`` in the pack directory, stack
config in ``PULUMI_CONFIG``); the port is read from its stdout; a fake Engine gRPC server on
127.0.0.1 takes its logs. Then Handshake, ConfigureStack, GetAnalyzerInfo, Configure, Analyze
per resource and AnalyzeStack, with numbers as floats and values unknown at preview.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from components.policy.analyzer_client import (
    UNKNOWN_SENTINEL,
    PolicyConfigError,
    PolicyPackError,
    PolicyPackProcess,
    Resource,
    effective_config,
)
from components.policy.settings import POLICIES

FLEET = {"environment": "dev", "budget": {"maxAccelerators": 8, "maxHourlyUsd": 50}, "clusters": []}


def _res(type_: str, name: str, inputs: dict[str, Any], parent: str | None = None) -> Resource:
    return Resource(type_, name, f"urn:pulumi:dev::ai-infra::{type_}::{name}", inputs, parent)


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    with PolicyPackProcess(stack="dev", stack_config={"aiinfra:fleet": FLEET}, stack_tags={"team": "ml"}) as p:
        yield p


def test_analyzer_info_lists_every_policy(pack: PolicyPackProcess) -> None:
    info = pack.info
    assert info.name == "aiinfra-overprovisioning" and info.supports_config
    got = {p.name: (p.enforcement_level, p.scope) for p in info.policies}
    assert got == {p.name: (p.level, p.scope) for p in POLICIES}
    ceilings = next(p for p in info.policies if p.name == "stack-ceilings")
    assert ceilings.config_schema["maxAccelerators"]["default"] == {"dev": 16, "staging": 128, "prod": 2048}
    assert "environment" in ceilings.config_schema
    assert pack.startup_seconds > 0


def test_configure_validates_like_the_cli(pack: PolicyPackProcess) -> None:
    with pytest.raises(PolicyConfigError, match=r"unknown policy 'no-such-policy'"):
        pack.configure({"no-such-policy": "advisory"})
    with pytest.raises(PolicyConfigError, match="pool-max-nodes: maxNodesPerPool"):
        pack.configure({"pool-max-nodes": {"maxNodesPerPool": "lots"}})
    eff = effective_config(pack.info, {"all": "advisory", "under-networked": "mandatory"})
    assert eff["stack-ceilings"][0] == "advisory" and eff["under-networked"][0] == "mandatory"
    assert eff["pool-max-nodes"][1]["maxNodesPerPool"] == {"dev": 4, "staging": 32, "prod": 256}


def test_analyze_and_analyze_stack_end_to_end(pack: PolicyPackProcess) -> None:
    # A raw (not ai-infra) GKE pool without the environment label: the fleet spec in the stack
    # config says dev. Integers become floats on the wire; maxNodeCount arrives as a float.
    h100 = _res(
        "gcp:container/nodePool:NodePool",
        "h100",
        {
            "cluster": "train",
            "location": "us-central1-a",
            "autoscaling": {"minNodeCount": 1, "maxNodeCount": 64.0},
            "nodeConfig": {"machineType": "a3-highgpu-8g"},
        },
    )
    # Values unknown at preview: the TPU type of one VM and the max size of an AKS pool.
    tpu = _res("gcp:tpu/v2Vm:V2Vm", "tpu", {"acceleratorType": "<unknown>", "zone": "us-east5-a"})
    aks = _res(
        "azure-native:containerservice:AgentPool",
        "nd",
        {
            "vmSize": "Standard_ND96isr_H100_v5",
            "enableAutoScaling": True,
            "minCount": 0,
            "maxCount": UNKNOWN_SENTINEL,
            "tags": {"aiinfra-environment": "prod"},
        },
    )
    # AWS: the instance type lives on the launch template, the size on the node group.
    lt = _res(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "p5-lt",
        {
            "instanceType": "p5.48xlarge",
            "name": "p5-lt",
            "tags": {"aiinfra-environment": "prod"},
        },
        "urn:c",
    )
    ng = _res(
        "aws:eks/nodeGroup:NodeGroup",
        "p5",
        {
            "scalingConfig": {"minSize": 0, "maxSize": 2, "desiredSize": 0},
            "launchTemplate": {"name": "p5-lt", "version": "1"},
            "tags": {"aiinfra-environment": "prod"},
        },
        "urn:c",
    )
    resources = [h100, tpu, aks, lt, ng]
    pack.configure({"pool-max-nodes": {"maxNodesPerPool": {"dev": 8}}})

    per_resource = [v for r in resources for v in pack.analyze_resource(r)]
    assert {(v.policy, v.name) for v in per_resource} == {
        ("allowed-accelerator-classes", "h100"),  # frontier in dev (from the fleet spec's environment)
        # labelled prod in a dev stack: the label does not lift dev's limits (no bypass)
        ("allowed-accelerator-classes", "nd"),
        ("allowed-accelerator-classes", "p5-lt"),
    }
    v = next(x for x in per_resource if x.name == "h100")
    assert v.enforcement_level == "mandatory" and v.urn == h100.urn
    assert (
        "node pool 'h100' uses H100-80GB (frontier class) on a3-highgpu-8g; dev allows inference, training" in v.message
    )

    stack = pack.analyze_stack(resources)
    by = {(x.policy, x.name): x for x in stack}
    ceiling = by[("stack-ceilings", "h100")]
    assert ceiling.enforcement_level == "mandatory"
    assert "node pool 'h100' can reach 64 x a3-highgpu-8g = 512 H100-80GB at $5,621/h" in ceiling.message
    budget = [
        x.message
        for x in stack
        if x.policy == "stack-ceilings" and "the fleet spec's budget is 8 accelerators and $50/h" in x.message
    ]
    assert budget, "the fleet spec's own budget (from PULUMI_CONFIG) is enforced"
    assert "the dev limit is 8 nodes per pool" in by[("pool-max-nodes", "h100")].message  # configured threshold
    assert "keeps 1 x a3-highgpu-8g" in by[("scale-to-zero", "h100")].message
    assert by[("spot-outside-prod", "h100")].enforcement_level == "advisory"
    assert "no additional GPU networks" in by[("under-networked", "h100")].message
    assert "no EFA interfaces" in by[("under-networked", "p5")].message  # joined to its launch template
    unknown: dict[str, list[str]] = {}
    for x in stack:
        if x.policy == "accelerator-visibility":
            unknown.setdefault(str(x.name), []).append(x.message)
    assert any("unknown at preview" in m for m in unknown["tpu"])
    assert any("maxCount is unknown at preview" in m for m in unknown["nd"])
    # the bypass: p5 is labelled prod in a dev stack, so dev's ceilings apply and the pack says why
    assert any("labelled aiinfra-environment: prod, but the stack's environment is 'dev'" in m for m in unknown["p5"])
    assert "the dev ceiling is 16 accelerators" in by[("stack-ceilings", "p5")].message
    assert all(x.enforcement_level == "advisory" for x in stack if x.policy == "accelerator-visibility")
    assert not [line for line in pack.stderr_lines if "Traceback" in line]


def test_compliant_stack_has_no_mandatory_violations(pack: PolicyPackProcess) -> None:
    l4 = _res(
        "gcp:container/nodePool:NodePool",
        "l4",
        {
            "location": "us-central1-a",
            "autoscaling": {"minNodeCount": 0.0, "maxNodeCount": 2.0},
            "nodeConfig": {
                "machineType": "g2-standard-12",
                "spot": True,
                "resourceLabels": {"aiinfra-environment": "dev"},
            },
        },
    )
    violations = pack.analyze([l4], {})
    assert violations == []


def test_disabled_policy_is_not_run(pack: PolicyPackProcess) -> None:
    h100 = _res(
        "gcp:container/nodePool:NodePool",
        "h100",
        {
            "autoscaling": {"minNodeCount": 0.0, "maxNodeCount": 1.0},
            "nodeConfig": {"machineType": "a3-highgpu-8g"},
        },
    )
    violations = pack.analyze(
        [h100], {"allowed-accelerator-classes": "disabled", "fabric-unused": {"enforcementLevel": "mandatory"}}
    )
    assert "allowed-accelerator-classes" not in {v.policy for v in violations}
    assert [v.enforcement_level for v in violations if v.policy == "fabric-unused"] == ["mandatory"]


def test_example_config_is_valid(pack: PolicyPackProcess) -> None:
    import json
    from pathlib import Path

    cfg = json.loads((Path(__file__).parents[2] / "policies/overprovisioning/example-config.json").read_text())
    eff = pack.configure(cfg)
    assert eff["spot-outside-prod"][0] == "mandatory"


def test_a_pack_that_fails_to_start_is_reported(tmp_path: Path) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("name: broken\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("raise RuntimeError('no rules here')\n")
    with pytest.raises(PolicyPackError, match="no rules here"):
        PolicyPackProcess(tmp_path, python=sys.executable, timeout=30)


def test_newly_covered_types_are_caught_over_grpc(pack: PolicyPackProcess) -> None:
    """Resource types beyond node pools, sent as the engine sends them: each one counted and caught."""
    nd = "Standard_ND96isr_H100_v5"
    resources = [
        _res(
            "gcp:compute/reservation:Reservation",
            "h100-res",
            {
                "zone": "us-central1-a",
                "specificReservation": {"count": 4, "instanceProperties": {"machineType": "a3-highgpu-8g"}},
            },
        ),
        _res(
            "aws:ec2/fleet:Fleet",
            "p5-fleet",
            {
                "targetCapacitySpecification": {"defaultTargetCapacityType": "on-demand", "totalTargetCapacity": 4},
                "launchTemplateConfigs": [
                    {
                        "launchTemplateSpecification": {"launchTemplateName": "x"},
                        "overrides": [{"instanceType": "p5.48xlarge"}],
                    }
                ],
                # labelled prod in the dev stack: the label lifts nothing
                "tags": {"aiinfra-environment": "prod"},
            },
        ),
        _res(
            "azure-native:machinelearningservices:Compute",
            "aml",
            {
                "properties": {
                    "computeType": "AmlCompute",
                    "properties": {"vmSize": nd, "scaleSettings": {"maxNodeCount": 4, "minNodeCount": 0}},
                }
            },
        ),
        _res(
            "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool",
            "classic",
            {"vmSize": nd, "autoScalingEnabled": True, "minCount": 0, "maxCount": 4},
        ),
        _res(
            "kubernetes:karpenter.sh/v1:NodePool",
            "karpenter",
            {
                "apiVersion": "karpenter.sh/v1",
                "kind": "NodePool",
                "spec": {
                    "template": {
                        "spec": {
                            "requirements": [
                                {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["p5.48xlarge"]}
                            ]
                        }
                    },
                    "limits": {"nvidia.com/gpu": "32"},
                },
            },
        ),
    ]
    stack = pack.analyze(resources, {})
    ceilings = {v.name: v.message for v in stack if v.policy == "stack-ceilings"}
    assert "reservation 'h100-res' can reach 4 x a3-highgpu-8g = 32 H100-80GB" in ceilings["h100-res"]
    assert "EC2 fleet 'p5-fleet' can reach 4 x p5.48xlarge = 32 H100-80GB" in ceilings["p5-fleet"]
    assert f"ML compute cluster 'aml' can reach 4 x {nd} = 32 H100-80GB" in ceilings["aml"]
    assert f"agent pool 'classic' can reach 4 x {nd} = 32 H100-80GB" in ceilings["classic"]
    assert "Karpenter NodePool 'karpenter' can reach 4 x p5.48xlarge = 32 H100-80GB" in ceilings["karpenter"]
    assert all("the stack (all dev) totals 160 accelerators" in m for m in ceilings.values())
    classes = {v.name for v in stack if v.policy == "allowed-accelerator-classes"}
    assert classes == {"h100-res", "p5-fleet", "aml", "classic", "karpenter"}
    assert not [line for line in pack.stderr_lines if "Traceback" in line]


def test_a_huge_stack_config_does_not_stop_the_pack() -> None:
    """100,000 labels in the fleet spec (and a 300 KB value beside it) once made the pack fail to
    start ("Argument list too long": the stack config rode in PULUMI_CONFIG). The config now goes
    in a file, so the pack starts and still reads the fleet's environment and budget."""
    from components.policy.analyzer_client import CONFIG_FILE_ENV, MAX_ENV_CONFIG_BYTES, pack_env

    fleet = {**FLEET, "labels": {f"k{i}": "v" for i in range(100_000)}}
    config = {"aiinfra:fleet": fleet, "other:blob": "x" * 300_000}
    env = pack_env(project="p", stack="s", dry_run=True, organization="o", stack_config=config, config_file="/f")
    assert "PULUMI_CONFIG" not in env and env[CONFIG_FILE_ENV] == "/f"
    assert all(len(v) <= MAX_ENV_CONFIG_BYTES for v in env.values() if v not in os.environ.values())
    h100 = _res(
        "gcp:container/nodePool:NodePool",
        "h100",
        {"autoscaling": {"minNodeCount": 0.0, "maxNodeCount": 2.0}, "nodeConfig": {"machineType": "a3-highgpu-8g"}},
    )
    with PolicyPackProcess(stack="dev", stack_config=config) as big:
        found = big.analyze([h100], {})
    budget = [v.message for v in found if v.policy == "stack-ceilings"]
    assert any("the fleet spec's budget is 8 accelerators and $50/h" in m for m in budget), budget


def _p5_reservation_stack(*, with_dependency: bool) -> list[Resource]:
    """The first preview of an AWS reservation and the node group that launches into it: the
    reservation's ID is unknown, so the launch template's target is too."""
    cr = _res(
        "aws:ec2/capacityReservation:CapacityReservation",
        "p5-cr",
        {"instanceType": "p5.48xlarge", "instanceCount": 2, "instancePlatform": "Linux/UNIX", "availabilityZone": "a"},
    )
    lt_inputs = {
        "name": "p5-lt",
        "instanceType": "p5.48xlarge",
        "instanceMarketOptions": {"marketType": "capacity-block"},
        "capacityReservationSpecification": {"capacityReservationTarget": {"capacityReservationId": UNKNOWN_SENTINEL}},
    }
    deps = {"capacityReservationSpecification": [cr.urn]} if with_dependency else {}
    lt = replace(_res("aws:ec2/launchTemplate:LaunchTemplate", "p5-lt", lt_inputs), property_dependencies=deps)
    ng = _res(
        "aws:eks/nodeGroup:NodeGroup",
        "p5",
        {
            "capacityType": "CAPACITY_BLOCK",
            "scalingConfig": {"minSize": 0, "maxSize": 2, "desiredSize": 0},
            "launchTemplate": {"name": "p5-lt", "version": "1"},
        },
    )
    return [cr, lt, ng]


def test_an_aws_reservation_and_its_consumer_count_once_over_grpc(pack: PolicyPackProcess) -> None:
    """Over the Analyzer protocol the engine sends property dependencies with AnalyzeStack: the
    pack joins the node group (through its launch template) to the reservation while its ID is
    unknown, so the stack holds 16 H100, not 32; without the dependency both count and it says so."""
    joined = pack.analyze(_p5_reservation_stack(with_dependency=True), {})
    ceilings = [v.message for v in joined if v.policy == "stack-ceilings"]
    assert ceilings and all("totals 16 accelerators" in m for m in ceilings), ceilings
    assert not [v for v in joined if "counted twice" in v.message]
    assert "spot-outside-prod" not in {v.policy for v in joined}  # a Capacity Block, not on-demand

    apart = pack.analyze(_p5_reservation_stack(with_dependency=False), {})
    ceilings = [v.message for v in apart if v.policy == "stack-ceilings"]
    assert ceilings and all("totals 32 accelerators" in m for m in ceilings), ceilings
    (note,) = [v for v in apart if v.policy == "accelerator-visibility" and "counted twice" in v.message]
    assert note.name == "p5" and note.enforcement_level == "advisory"
    assert not [line for line in pack.stderr_lines if "Traceback" in line]


def test_messages_over_grpc_clip_a_10000_character_name_and_label(pack: PolicyPackProcess) -> None:
    long = "x" * 10_000
    pool = _res(
        "gcp:container/nodePool:NodePool",
        long,
        {
            "autoscaling": {"minNodeCount": 1.0, "maxNodeCount": 64.0},
            "nodeConfig": {"machineType": "a3-highgpu-8g", "resourceLabels": {long: long, "aiinfra-environment": long}},
        },
    )
    found = pack.analyze([pool], {})
    assert {"stack-ceilings", "pool-max-nodes", "allowed-accelerator-classes"} <= {v.policy for v in found}
    for v in found:
        assert "x" * 61 not in v.message and len(v.message) < 1_000, v.message[:200]
    assert any(f"node pool '{'x' * 60}... (10,000 characters)'" in v.message for v in found)
