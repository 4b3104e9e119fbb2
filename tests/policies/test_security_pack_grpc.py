"""The security pack driven over the Analyzer gRPC protocol, exactly as the Pulumi engine drives it.

The pack runs in a subprocess started the way the engine's Python policy shim starts it
(``python -u -m pulumi.policy <engine> .`` in ``policies/security``, stack config in
``PULUMI_CONFIG``); values travel as the engine sends them (floats, unknown sentinels).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.mockengine import run_program
from components.policy.analyzer_client import UNKNOWN_SENTINEL, PolicyConfigError, PolicyPackProcess, Resource
from components.policy.security.rules import POLICIES

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policies" / "security"
FLEET = {"environment": "prod", "clusters": []}


def _res(type_: str, name: str, inputs: dict[str, Any]) -> Resource:
    return Resource(type_, name, f"urn:pulumi:prod::ai-infra::{type_}::{name}", inputs)


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    with PolicyPackProcess(PACK, stack="prod", stack_config={"aiinfra:fleet": FLEET}) as p:
        yield p


def test_analyzer_info_lists_every_security_policy(pack: PolicyPackProcess) -> None:
    assert pack.info.name == "aiinfra-security" and pack.info.supports_config
    got = {p.name: (p.enforcement_level, p.scope) for p in pack.info.policies}
    assert got == {p.name: (p.level, "stack") for p in POLICIES}
    endpoint = next(p for p in pack.info.policies if p.name == "private-api-endpoint")
    assert endpoint.config_schema["environments"]["default"] == ["prod"]


def test_configure_validates_like_the_cli(pack: PolicyPackProcess) -> None:
    with pytest.raises(PolicyConfigError, match="imds-v2-hop-limit: maxHopLimit"):
        pack.configure({"imds-v2-hop-limit": {"maxHopLimit": 0}})
    with pytest.raises(PolicyConfigError, match="unknown policy 'stack-ceilings'"):
        pack.configure({"stack-ceilings": "advisory"})


def test_raw_resources_of_all_three_clouds(pack: PolicyPackProcess) -> None:
    violating = [
        _res(
            "gcp:container/cluster:Cluster",
            "gke",
            {"name": "gke", "privateClusterConfig": {"enablePrivateNodes": True}},
        ),
        _res("azure-native:containerservice:ManagedCluster", "aks", {"apiServerAccessProfile": {}}),
        _res("aws:eks/cluster:Cluster", "eks", {"vpcConfig": {"subnetIds": ["a"]}}),
        _res(
            "azure-native:containerservice:AgentPool",
            "nd",
            {"vmSize": "Standard_ND96isr_H100_v5", "enableNodePublicIP": True},
        ),
        _res("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"metadataOptions": {"httpTokens": "optional"}}),
        _res("aws:ebs/volume:Volume", "vol", {"size": 100.0}),
        _res("gcp:tpu/v2Vm:V2Vm", "tpu", {"acceleratorType": "v5p-32"}),
    ]
    compliant = [
        _res(
            "gcp:container/cluster:Cluster",
            "gke-ok",
            {"privateClusterConfig": {"enablePrivateEndpoint": True}, "removeDefaultNodePool": True},
        ),
        _res("aws:eks/cluster:Cluster", "eks-ok", {"vpcConfig": {"endpointPublicAccess": False}}),
        _res(
            "aws:ec2/launchTemplate:LaunchTemplate",
            "lt-ok",
            {
                "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1.0},
                "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}],
            },
        ),
        # Unknown at preview: never guessed into a violation.
        _res("aws:eks/cluster:Cluster", "eks-unknown", {"vpcConfig": {"endpointPublicAccess": UNKNOWN_SENTINEL}}),
    ]
    pack.configure({})
    found = pack.analyze_stack(violating + compliant)
    got = {(v.policy, v.name) for v in found}
    assert got == {
        ("private-api-endpoint", "gke"),
        ("private-api-endpoint", "aks"),
        ("private-api-endpoint", "eks"),
        ("gpu-node-public-ip", "nd"),
        ("imds-v2-hop-limit", "lt"),
        ("node-identity", "gke"),  # keeps its default node pool, which runs as the default account
        ("unencrypted-storage", "vol"),
        ("node-identity", "tpu"),
    }
    assert all(v.enforcement_level == "mandatory" and v.urn.endswith(f"::{v.name}") for v in found)
    eks = next(v for v in found if v.name == "eks")
    assert "publicAccessCidrs not set" in eks.message and "in prod" in eks.message
    assert not [line for line in pack.stderr_lines if "Traceback" in line]


def test_dev_stack_keeps_public_endpoints_and_policies_can_be_advisory(pack: PolicyPackProcess) -> None:
    eks = _res("aws:eks/cluster:Cluster", "eks", {"vpcConfig": {}})
    pack.configure({"private-api-endpoint": {"environment": "dev"}})
    assert pack.analyze_stack([eks]) == []
    pack.configure({"all": "advisory"})
    (v,) = pack.analyze_stack([eks])
    assert v.enforcement_level == "advisory"


@pytest.mark.parametrize("stack", ["gcp-train", "azure-train", "aws-train"])
def test_the_example_stacks_pass_the_security_pack(pack: PolicyPackProcess, stack: str) -> None:
    config = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    cap = run_program(str(ROOT / "__main__.py"), config=config, stack=stack)
    assert pack.analyze(cap.resources, {}) == []
