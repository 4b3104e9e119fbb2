"""Both packs clip every long value they echo: names, labels and property values.

The spec loader cuts echoed values to 60 characters (``components.spec.limits.clip``); the
packs cannot import it (a published bundle ships only ``components.policy`` and
``components.catalog``), so they have their own (``components.policy.values.clip``). Here a
stack of violating resources of every cloud is run through every rule of both packs with one
value at a time (the resource's name, a label, each string property) replaced by 10,000
characters: no message may quote more than 60 of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from components.policy.normalize import RawResource, normalize_stack
from components.policy.rules import RULES
from components.policy.security import rules as security
from components.policy.settings import FleetHints, settings_for
from components.policy.values import ECHO_CHARS, clip, plain, quote
from components.spec import limits
from tests.policies import raw
from tests.policies.raw import ENV

LONG = "z" * 10_000
TOO_MUCH = "z" * (ECHO_CHARS + 1)  # more of the long value than any message may quote
CONTRIBUTOR = "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"


def _r(type_: str, name: str, props: dict[str, Any], deps: dict[str, tuple[str, ...]] | None = None) -> RawResource:
    return RawResource(type_, name, f"urn:pulumi:s::p::{type_}::{name}", props, "urn:parent", deps or {})


def corpus() -> list[RawResource]:
    """Violating resources of each cloud, for both packs: accelerators, storage, endpoints, roles."""
    out = [
        *raw.gke_pool("h100", max_nodes=64.0, networks=1, compact=False),
        # a frontier part in a pool labelled dev, on a machine type the catalog does not know
        *raw.gke_pool("n1", "n1-standard-8", guest=[{"type": "nvidia-h100-80gb", "count": 1.0}], env="dev"),
        _r(
            "gcp:compute/instanceTemplate:InstanceTemplate",
            "unused",
            {"machineType": "n1-standard-8", "guestAccelerators": [{"type": "nvidia-tesla-t4", "count": 1.0}]},
        ),
        *raw.aks_pool("nd", max_nodes=64.0, ppg=False),
        *raw.eks_group("p5", max_nodes=64.0, efa=1, placement=None, iops=1_000_000.0),
        *raw.tpu_vm("v5p", "v5p-4096"),
        *raw.gcp_lustre("lustre", "9000000", "1000"),
        *raw.amlfs("amlfs", 512.0, 500),
        *raw.fsx("fsx", 2400.0 * 40, 1000.0),
        _r(
            "gcp:tpu/v2QueuedResource:V2QueuedResource",
            "qr",
            {"tpu": {"nodeSpecs": [{"node": {"acceleratorType": "v5p-64"}}]}},
        ),
        _r(
            "gcp:compute/reservation:Reservation",
            "res",
            {
                "name": "res",
                "specificReservation": {"count": 64.0, "instanceProperties": {"machineType": "a3-highgpu-8g"}},
            },
        ),
        _r(
            "aws:ec2/capacityReservation:CapacityReservation",
            "cr",
            {"instanceType": "p5.48xlarge", "instanceCount": 64.0, "tags": {ENV: "prod", "team": "ml"}},
        ),
        _r(
            "aws:autoscaling/group:Group",
            "asg",
            {"minSize": 2.0, "maxSize": 64.0, "launchTemplate": {"name": "p5-lt"}, "placementGroup": "cpg"},
        ),
        _r(
            "aws:ec2/instance:Instance",
            "vm",
            {"instanceType": "p4d.24xlarge", "ami": "ami-1", "associatePublicIpAddress": True},
        ),
        _r(
            "azure-native:compute:CapacityReservation",
            "crs",
            {"sku": {"name": "Standard_ND96isr_H100_v5", "capacity": 64.0}, "capacityReservationGroupName": "g"},
        ),
        _r(
            "kubernetes:karpenter.sh/v1:NodePool",
            "karp",
            {
                "spec": {
                    "template": {
                        "spec": {
                            "requirements": [
                                {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["p5.48xlarge"]}
                            ]
                        }
                    }
                }
            },
        ),
        # the security pack's resources
        _r("gcp:container/cluster:Cluster", "gke", {"privateClusterConfig": {"enablePrivateEndpoint": False}}),
        _r(
            "azure-native:containerservice:ManagedCluster",
            "aks",
            {"agentPoolProfiles": [{"name": "gpu", "vmSize": "Standard_ND96isr_H100_v5", "enableNodePublicIP": True}]},
        ),
        _r("aws:eks/cluster:Cluster", "eks", {"vpcConfig": {"publicAccessCidrs": ["0.0.0.0/0"]}}),
        _r(
            "aws:ec2/launchTemplate:LaunchTemplate",
            "imds",
            {
                "instanceType": "p5.48xlarge",
                "metadataOptions": {"httpTokens": "optional"},
                "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}],
            },
        ),
        _r(
            "gcp:compute/instance:Instance",
            "gce",
            {"machineType": "a3-highgpu-8g", "serviceAccount": {"email": "123-compute@developer.gserviceaccount.com"}},
        ),
        _r(
            "gcp:projects/iAMMember:IAMMember",
            "owner",
            {"role": "roles/owner", "member": "serviceAccount:nodes@p.iam.gserviceaccount.com"},
        ),
        _r(
            "azure-native:authorization:RoleAssignment",
            "contrib",
            {
                "roleDefinitionId": CONTRIBUTOR,
                "scope": "/subscriptions/s/resourceGroups/rg",
                "principalType": "ServicePrincipal",
            },
        ),
        _r("aws:ebs/volume:Volume", "ebs", {"availabilityZone": "a", "size": 100.0}),
    ]
    return out


def _string_leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths of every string value and mapping key under ``value`` (keys as ``("key", k)``)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*path, ("key", k))
            yield from _string_leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _string_leaves(v, (*path, i))
    elif isinstance(value, str):
        yield path


def _replaced(value: Any, path: tuple[Any, ...], long: Any) -> Any:
    """``value`` with the string (or mapping key) at ``path`` replaced by ``long(old)``."""
    head, rest = path[0], path[1:]
    if isinstance(head, tuple):  # a mapping key
        return {(long(k) if k == head[1] else k): v for k, v in value.items()}
    copy = value.copy()
    copy[head] = long(value[head]) if not rest else _replaced(value[head], rest, long)
    return copy


# A value replaced outright, or made long by a suffix (which keeps a prefix the rules look for:
# ``/subscriptions/s/resourceGroups/rg`` + 10,000 characters is still a resource group scope).
LONGER = (lambda old: LONG, lambda old: old + LONG)


def _variants() -> Iterator[tuple[str, list[RawResource]]]:
    base = corpus()
    for i, r in enumerate(base):

        def swap(new: RawResource, i: int = i) -> list[RawResource]:
            return [*base[:i], new, *base[i + 1 :]]

        yield (
            f"{r.name}: name",
            swap(RawResource(r.type, LONG, r.urn.rsplit("::", 1)[0] + "::" + LONG, r.props, r.parent)),
        )
        yield f"{r.name}: label", swap(_with_label(r))
        for path in _string_leaves(dict(r.props)):
            for i, long in enumerate(LONGER):
                props = _replaced(dict(r.props), path, long)
                yield f"{r.name}: {path} ({i})", swap(RawResource(r.type, r.name, r.urn, props, r.parent))


def _with_label(r: RawResource) -> RawResource:
    """``r`` with a 10,000-character label (key and value) beside its own labels / tags."""
    props = dict(r.props)
    key = "labels" if r.type.startswith("gcp:") else "tags"
    props[key] = {**(props.get(key) or {}), LONG: LONG, ENV: LONG}
    return RawResource(r.type, r.name, r.urn, props, r.parent)


def _messages(resources: list[RawResource]) -> list[str]:
    view = normalize_stack(resources)
    out = [
        f.message for name, rule in RULES.items() for f in rule(view, settings_for(name, None, {}, FleetHints("prod")))
    ]
    plain_resources = [RawResource(r.type, r.name, r.urn, plain(r.props), r.parent) for r in resources]
    for policy in security.POLICIES:
        ctx = security.Context(policy, {}, {}, "prod")
        out += [f.message for f in security.RULES[policy.name](plain_resources, ctx)]
    return out


def test_the_corpus_violates_something_in_both_packs() -> None:
    messages = _messages(corpus())
    # the corpus exercises names in messages of both packs (else the test below proves nothing)
    assert any("node pool 'h100'" in m for m in messages)
    assert any("launch template 'imds' allows IMDSv1" in m for m in messages)
    assert len(messages) > 40


def test_no_message_quotes_more_than_60_characters_of_a_long_value() -> None:
    checked = 0
    for what, resources in _variants():
        for message in _messages(resources):
            assert TOO_MUCH not in message, f"{what}: {message[:300]}"
            checked += 1
    assert checked > 10_000


def test_a_long_name_is_quoted_clipped_with_its_length() -> None:
    (pool,) = raw.gke_pool(LONG, max_nodes=512.0)
    view = normalize_stack([pool])
    (finding,) = RULES["pool-max-nodes"](view, settings_for("pool-max-nodes", None, {}, FleetHints("prod")))
    assert f"node pool '{'z' * 60}... (10,000 characters)' can scale to 512 nodes" in finding.message
    assert len(finding.message) < 400


@pytest.mark.parametrize("value", ["", "short", "x" * 60, "x" * 61, LONG, 12345, None, "é" * 100])
def test_the_packs_clip_matches_the_spec_loaders(value: Any) -> None:
    assert ECHO_CHARS == limits.ECHO_CHARS
    assert clip(value) == limits.clip(value)
    assert quote(value) == f"'{limits.clip(value)}'"
