"""The pack's messages with a count agree with it ("1 pool", "2 pools"), as the CLI's do: never
"pool(s)". Each at the counts 1 and 2, from raw resources as the engine sends them (pure, no gRPC;
``test_bundle`` runs the pack from its bundle, which ships ``components.terminal`` for ``counted``)."""

from __future__ import annotations

from typing import Any

import pytest

from components.policy.normalize import RawResource, normalize_stack
from components.policy.rules import RULES
from components.policy.settings import FleetHints, settings_for
from tests.policies.raw import UNK


def _res(type_: str, name: str, props: dict[str, Any]) -> RawResource:
    return RawResource(type_, name, f"urn:pulumi:s::p::{type_}::{name}", props, "urn:parent", {})


def _gke(name: str, max_nodes: Any, min_nodes: float = 1.0) -> RawResource:
    return _res(
        "gcp:container/nodePool:NodePool",
        name,
        {
            "location": "us-central1-a",
            "autoscaling": {"minNodeCount": min_nodes, "maxNodeCount": max_nodes},
            "nodeConfig": {"machineType": "g2-standard-12"},
        },
    )


def _messages(rule: str, resources: list[RawResource]) -> list[str]:
    settings = settings_for(rule, None, {}, FleetHints(environment="dev"))
    return [f.message for f in RULES[rule](normalize_stack(resources), settings)]


@pytest.mark.parametrize(("known", "said"), [(1, "from 1 pool of known size"), (2, "from 2 pools of known size")])
def test_pools_of_known_size(known: int, said: str) -> None:
    pools = [_gke(f"known{i}", 2.0) for i in range(known)]
    messages = _messages("accelerator-visibility", [*pools, _gke("unknown", UNK)])
    ceiling = next(m for m in messages if "of known size" in m)
    assert said in ceiling and "(s)" not in ceiling
    assert "node pool 'unknown' (at its minimum, 1 node)" in ceiling  # the node word agrees too


@pytest.mark.parametrize(("nics", "said"), [(1, "1 network interface where"), (2, "2 network interfaces where")])
def test_network_interfaces_short_of_the_fabric(nics: int, said: str) -> None:
    # a3-highgpu-8g's GPUDirect-TCPX fabric needs 1 host NIC and 4 GPU NICs
    vm = _res(
        "gcp:compute/instance:Instance",
        "vm",
        {
            "machineType": "a3-highgpu-8g",
            "zone": "us-central1-a",
            "networkInterfaces": [{"network": f"net-{i}"} for i in range(nics)],
            "resourcePolicies": ["compact"],
        },
    )
    (missing,) = normalize_stack([vm]).pools[0].shape.fabric_missing or ("",)
    assert missing == f"{said} the fabric needs 5 (1 host + 4 GPU NICs)"


@pytest.mark.parametrize(
    ("types", "said"),
    [
        (["p9"], "1 instance type not in the catalog (p9), so not counted"),
        (["p9", "p10x"], "2 instance types not in the catalog (p9, p10x), so not counted"),
    ],
)
def test_instance_types_not_in_the_catalog(types: list[str], said: str) -> None:
    batch = _res(
        "aws:batch/computeEnvironment:ComputeEnvironment",
        "batch",
        {
            "type": "MANAGED",
            "computeResources": {"type": "EC2", "instanceTypes": types, "maxVcpus": 64.0, "subnets": ["s"]},
        },
    )
    assert [n.message for n in normalize_stack([batch]).notes] == [f"Batch compute environment 'batch': {said}"]


def test_the_pool_limit_agrees_with_one_node() -> None:
    # "the dev limit is 1 nodes per pool"
    settings = settings_for("pool-max-nodes", {"maxNodesPerPool": {"dev": 1}}, {}, FleetHints(environment="dev"))
    (f,) = RULES["pool-max-nodes"](normalize_stack([_gke("l4", 3.0)]), settings)
    assert "can scale to 3 nodes" in f.message and "the dev limit is 1 node per pool" in f.message
