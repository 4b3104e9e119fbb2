"""AWS capacity reservations joined to the groups, templates and instances that consume them.

A reservation counts in the ceilings (it is paid for whether used or not); the node group /
launch template / auto scaling group / instance that launches into it must not count on top.
Consumers name a reservation by ID or by a capacity reservation resource group ARN
(``capacityReservationSpecification.capacityReservationTarget``), Capacity Blocks with market
type ``capacity-block``. At ``pulumi up`` the engine sends stack policies each resource's
outputs (the reservation's ``id`` and ``arn`` are known once it exists); at the first preview a
new reservation's ID is unknown and the join is by the engine's property dependencies.

Fixtures use the SDKs' names: inputs checked against ``<Resource>Args``, outputs against the
SDK's ``_<Resource>State``.
"""

from __future__ import annotations

from typing import Any

from components.policy.normalize import RawResource, normalize_stack
from components.policy.rules import RULES, Finding
from components.policy.settings import FleetHints, settings_for
from components.policy.values import plain
from tests.policies.raw import UNK
from tests.policies.test_coverage import _as_captured, caught
from tests.support.sdk_inputs import sdk_input_errors, sdk_output_errors

PROD = FleetHints(environment="prod")
CR_ID = "cr-0123456789abcdef0"
CR_ARN = f"arn:aws:ec2:us-east-1:111122223333:capacity-reservation/{CR_ID}"
GROUP_ARN = "arn:aws:resource-groups:us-east-1:111122223333:group/p5-pool"


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:s::p::{type_}::{name}"


def res(
    type_: str,
    name: str,
    inputs: dict[str, Any],
    outputs: dict[str, Any] | None = None,
    deps: dict[str, tuple[str, ...]] | None = None,
) -> RawResource:
    """A resource as AnalyzeStack sends it: its inputs, plus its outputs once it exists."""
    assert sdk_input_errors(type_, _as_captured(inputs)) == [], type_
    assert sdk_output_errors(type_, _as_captured(outputs or {})) == [], type_
    return RawResource(type_, name, _urn(type_, name), plain({**inputs, **(outputs or {})}), "urn:parent", deps or {})


CR = "aws:ec2/capacityReservation:CapacityReservation"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
NG = "aws:eks/nodeGroup:NodeGroup"
ASG = "aws:autoscaling/group:Group"


def reservation(count: float = 4.0, *, created: bool = True, name: str = "p5-cr") -> RawResource:
    return res(
        CR,
        name,
        {
            "instanceType": "p5.48xlarge",
            "instanceCount": count,
            "instancePlatform": "Linux/UNIX",
            "availabilityZone": "us-east-1a",
            "instanceMatchCriteria": "targeted",
        },
        {"id": CR_ID, "arn": CR_ARN} if created else None,
    )


def template(target: Any, deps: tuple[str, ...] = (), *, market: str | None = None, key: str = "") -> RawResource:
    inputs: dict[str, Any] = {"name": "p5-lt", "instanceType": "p5.48xlarge"}
    if target is not None:
        field = key or (
            "capacityReservationResourceGroupArn" if str(target).startswith("arn:") else "capacityReservationId"
        )
        inputs["capacityReservationSpecification"] = {"capacityReservationTarget": {field: target}}
    if market:
        inputs["instanceMarketOptions"] = {"marketType": market}
    return res(LT, "p5-lt", inputs, deps={"capacityReservationSpecification": deps} if deps else None)


def node_group(max_size: float = 2.0, capacity_type: str = "ON_DEMAND") -> RawResource:
    return res(
        NG,
        "p5",
        {
            "clusterName": "train",
            "nodeRoleArn": "arn:aws:iam::111122223333:role/nodes",
            "subnetIds": ["subnet-1"],
            "capacityType": capacity_type,
            "scalingConfig": {"minSize": 0.0, "maxSize": max_size, "desiredSize": 0.0},
            "launchTemplate": {"name": "p5-lt", "version": "1"},
        },
        deps={"launchTemplate": (_urn(LT, "p5-lt"),)},
    )


def accelerators(resources: list[RawResource]) -> float:
    return sum(p.accelerators_at_max or 0 for p in normalize_stack(resources).pools)


def run(rule: str, resources: list[RawResource], config: dict[str, Any] | None = None) -> list[Finding]:
    return RULES[rule](normalize_stack(resources), settings_for(rule, config, {}, PROD))


def test_a_reservation_and_the_node_group_targeting_its_id_count_once() -> None:
    stack = [reservation(4.0), template(CR_ID), node_group(2.0)]
    assert accelerators(stack) == 32  # the reservation's 4 x 8 H100, not 32 + 16
    # the group can take more than the reservation holds: the larger of the two counts
    assert accelerators([reservation(4.0), template(CR_ID), node_group(6.0)]) == 48
    f = caught(
        run("stack-ceilings", stack, {"maxAccelerators": {"prod": 16}}),
        # the group's 2 nodes, and the 2 reserved nodes it leaves unused
        r"capacity reservation 'p5-cr' can reach 2 x p5.48xlarge = 16 H100-80GB",
    )
    assert "totals 32 accelerators" in f.message
    # the group launches into capacity already paid for: not an on-demand pool
    assert [p.shape.reserved for p in normalize_stack(stack).pools if p.name == "p5"] == [True]


def test_at_preview_the_unknown_id_is_joined_by_property_dependency() -> None:
    # The first preview: the reservation has no ID yet, the template's target is unknown, and
    # the engine records that capacityReservationSpecification depends on the reservation.
    stack = [reservation(4.0, created=False), template(UNK, (_urn(CR, "p5-cr"),)), node_group(2.0)]
    view = normalize_stack(stack)
    assert sum(p.accelerators_at_max or 0 for p in view.pools) == 32
    assert not [n for n in view.notes if "counted twice" in n.message]


def test_an_unknown_target_without_a_dependency_counts_twice_and_says_so() -> None:
    stack = [reservation(4.0, created=False), template(UNK), node_group(2.0)]
    view = normalize_stack(stack)
    assert sum(p.accelerators_at_max or 0 for p in view.pools) == 48  # never under-counted
    f = caught(
        RULES["accelerator-visibility"](view, settings_for("accelerator-visibility", None, {}, PROD)),
        r"node group 'p5': its capacity reservation target is unknown at preview",
        r"capacity reservation 'p5-cr'",
        r"counted twice",
    )
    assert f.urn.endswith("::p5")


def test_a_reservation_outside_the_stack_leaves_the_group_alone() -> None:
    stack = [template("cr-0fffffffffffffff0"), node_group(2.0)]
    view = normalize_stack(stack)
    assert sum(p.accelerators_at_max or 0 for p in view.pools) == 16 and view.notes == []
    # and a reservation of the stack that nobody targets still counts in full
    assert accelerators([reservation(4.0), *stack]) == 48


def test_a_resource_group_target_consumes_from_the_reservations_in_the_group() -> None:
    group = res(
        "aws:resourcegroups/group:Group",
        "p5-pool",
        {
            "name": "p5-pool",
            "configurations": [
                {"type": "AWS::EC2::CapacityReservationPool"},
                {
                    "type": "AWS::ResourceGroups::Generic",
                    "parameters": [{"name": "allowed-resource-types", "values": ["AWS::EC2::CapacityReservation"]}],
                },
            ],
        },
        {"arn": GROUP_ARN},
    )
    other = res(
        CR,
        "p5-cr-b",
        {
            "instanceType": "p5.48xlarge",
            "instanceCount": 2.0,
            "instancePlatform": "Linux/UNIX",
            "availabilityZone": "b",
        },
    )
    members = [
        res(
            "aws:resourcegroups/resource:Resource",
            "member-a",
            {"groupArn": GROUP_ARN, "resourceArn": CR_ARN},
        ),
        # at preview: both ARNs unknown, tied by property dependencies
        res(
            "aws:resourcegroups/resource:Resource",
            "member-b",
            {"groupArn": UNK, "resourceArn": UNK},
            deps={
                "groupArn": (_urn("aws:resourcegroups/group:Group", "p5-pool"),),
                "resourceArn": (_urn(CR, "p5-cr-b"),),
            },
        ),
    ]
    asg = res(
        ASG,
        "p5-asg",
        {
            "minSize": 0.0,
            "maxSize": 5.0,
            "launchTemplate": {"name": "p5-lt"},
            "capacityReservationSpecification": {
                "capacityReservationPreference": "capacity-reservations-only",
                "capacityReservationTarget": {"capacityReservationResourceGroupArns": [GROUP_ARN]},
            },
        },
        deps={"launchTemplate": (_urn(LT, "p5-lt"),)},
    )
    stack = [reservation(4.0), other, group, *members, template(None), asg]
    # 6 reserved instances in the group, 5 launched into them: 6 x 8, not (6 + 5) x 8
    assert accelerators(stack) == 48
    # a launch template naming the group serves the same way
    by_template = [reservation(4.0), other, group, *members, template(GROUP_ARN), node_group(6.0)]
    assert accelerators(by_template) == 48


def test_a_capacity_block_and_its_node_group_count_once() -> None:
    block = res(
        "aws:ec2/capacityBlockReservation:CapacityBlockReservation",
        "p5-block",
        {"capacityBlockOfferingId": "cb-0123456789abcdef0", "instancePlatform": "Linux/UNIX"},
        {"id": CR_ID, "arn": CR_ARN, "instanceType": "p5.48xlarge", "instanceCount": 2.0},
    )
    stack = [block, template(CR_ID, market="capacity-block"), node_group(2.0, "CAPACITY_BLOCK")]
    assert accelerators(stack) == 16
    caught(run("stack-ceilings", stack, {"maxAccelerators": {"prod": 8}}), r"node group 'p5'", "totals 16 accelerators")
    # a block bought and not used is paid for all the same
    caught(run("stack-ceilings", [block], {"maxAccelerators": {"prod": 8}}), r"Capacity Block 'p5-block' can reach 2 x")
    assert run("spot-outside-prod", stack, {"environments": ["prod"]}) == []  # paid-for capacity, not on-demand
    # before the purchase, the block's size is an output not known yet: its consumers count
    fresh = res(
        "aws:ec2/capacityBlockReservation:CapacityBlockReservation",
        "p5-block",
        {"capacityBlockOfferingId": "cb-0123456789abcdef0", "instancePlatform": "Linux/UNIX"},
        {"instanceType": UNK, "instanceCount": UNK},
    )
    view = normalize_stack(
        [
            fresh,
            template(UNK, (_urn(fresh.type, "p5-block"),), market="capacity-block"),
            node_group(2.0, "CAPACITY_BLOCK"),
        ]
    )
    assert sum(p.accelerators_at_max or 0 for p in view.pools) == 16
    assert any("Capacity Block 'p5-block'" in n.message and "unknown at preview" in n.message for n in view.notes)


def test_an_instance_targeting_a_reservation_counts_once() -> None:
    vm = res(
        "aws:ec2/instance:Instance",
        "vm",
        {
            "ami": "ami-1",
            "instanceType": "p5.48xlarge",
            "capacityReservationSpecification": {"capacityReservationTarget": {"capacityReservationId": CR_ID}},
        },
    )
    assert accelerators([reservation(1.0), vm]) == 8
