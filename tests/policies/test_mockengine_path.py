"""The planner's path: a raw Pulumi program on the mock engine, its capture sent to the pack.

The program uses the provider SDKs directly (not ai-infra components), so this also checks
that the property names the normalizer reads are the SDKs' own (camelCase on the wire).
"""

from __future__ import annotations

import pulumi

from components.mockengine import run_program
from components.policy.analyzer_client import analyze
from tests.support.sdk_inputs import assert_inputs_match_sdk


def program() -> None:
    import pulumi_aws.ec2 as ec2
    import pulumi_aws.eks as eks
    import pulumi_gcp.container as container
    import pulumi_gcp.lustre as lustre

    container.NodePool(
        "h100",
        cluster="train",
        location="us-central1-a",
        autoscaling=container.NodePoolAutoscalingArgs(min_node_count=0, max_node_count=2),
        node_config=container.NodePoolNodeConfigArgs(
            machine_type="a3-highgpu-8g", resource_labels={"aiinfra-environment": "staging"}
        ),
    )
    lustre.Instance(
        "datasets",
        instance_id="datasets",
        location="us-central1-a",
        network="default",
        capacity_gib="36000",
        per_unit_storage_throughput="1000",
        filesystem="data",
        labels={"aiinfra-environment": "staging"},
    )
    lt = ec2.LaunchTemplate(
        "p5-lt",
        instance_type="p5.48xlarge",
        network_interfaces=[
            ec2.LaunchTemplateNetworkInterfaceArgs(device_index=0, network_card_index=0, interface_type="efa")
        ],
        tags={"aiinfra-environment": "staging"},
    )
    eks.NodeGroup(
        "p5",
        cluster_name="train",
        node_role_arn="arn:aws:iam::123456789012:role/node",
        subnet_ids=["subnet-1"],
        scaling_config=eks.NodeGroupScalingConfigArgs(min_size=0, max_size=4, desired_size=0),
        launch_template=eks.NodeGroupLaunchTemplateArgs(id=lt.id, version="1"),
        tags={"aiinfra-environment": "staging"},
    )
    pulumi.export("ok", True)


def test_captured_raw_program_through_the_pack() -> None:
    capture = run_program(program, stack="staging")
    assert_inputs_match_sdk(capture.resources)
    violations = analyze(
        capture.resources,
        {"pool-max-nodes": {"maxNodesPerPool": {"staging": 1}}},
        stack="staging",
        stack_tags={"aiinfra-environment": "staging"},  # the stack's environment; labels cannot lift it
    )
    got = {(v.policy, v.name) for v in violations}
    assert ("pool-max-nodes", "h100") in got  # 2 > 1 (configured)
    assert ("under-networked", "h100") in got  # no GPU networks, no compact placement
    assert ("under-networked", "p5") in got  # 1 of 32 EFA interfaces, no placement group
    p5 = next(v for v in violations if v.policy == "under-networked" and v.name == "p5")
    assert "only 1 of the 32 EFA interfaces" in p5.message and p5.type == "aws:eks/nodeGroup:NodeGroup"
    lustre = [v for v in violations if v.name == "datasets"]
    # 35.2 TiB x 1,000 MB/s/TiB = 35,156 MB/s for 16 H100 reading 4,000 MB/s: 8.8x > 4x
    assert [v.policy for v in lustre] == ["shared-storage-overprovisioned"]
    assert all(v.as_dict()["policy"] for v in violations)


def reservation_program() -> None:
    """A capacity reservation and the node group that launches into it through its launch template."""
    import pulumi_aws.ec2 as ec2
    import pulumi_aws.eks as eks

    cr = ec2.CapacityReservation(
        "p5-cr",
        instance_type="p5.48xlarge",
        instance_count=2,
        instance_platform="Linux/UNIX",
        availability_zone="us-east-1a",
        instance_match_criteria="targeted",
    )
    lt = ec2.LaunchTemplate(
        "p5-lt",
        instance_type="p5.48xlarge",
        capacity_reservation_specification=ec2.LaunchTemplateCapacityReservationSpecificationArgs(
            capacity_reservation_target=ec2.LaunchTemplateCapacityReservationSpecificationCapacityReservationTargetArgs(
                capacity_reservation_id=cr.id
            )
        ),
    )
    eks.NodeGroup(
        "p5",
        cluster_name="train",
        node_role_arn="arn:aws:iam::123456789012:role/node",
        subnet_ids=["subnet-1"],
        scaling_config=eks.NodeGroupScalingConfigArgs(min_size=0, max_size=2, desired_size=0),
        launch_template=eks.NodeGroupLaunchTemplateArgs(id=lt.id, version="1"),
    )


def test_the_plan_joins_a_reservation_to_its_consumer_by_property_dependency() -> None:
    """The mock engine gives the reservation a made-up ID that matches nothing; the captured
    property dependencies tie the launch template to it, as the engine's do for the pack."""
    from components.policy.normalize import from_captured, normalize_stack

    capture = run_program(reservation_program, stack="dev")
    assert_inputs_match_sdk(capture.resources)
    lt = next(r for r in capture.resources if r.name == "p5-lt")
    cr = next(r for r in capture.resources if r.name == "p5-cr")
    assert lt.property_dependencies["capacityReservationSpecification"] == [cr.urn]
    view = normalize_stack(from_captured(capture.resources))
    assert sum(p.accelerators_at_max or 0 for p in view.pools) == 16  # 2 x p5.48xlarge, once
    violations = analyze(capture.resources, {"stack-ceilings": {"maxAccelerators": {"dev": 8}}}, stack="dev")
    ceilings = [v.message for v in violations if v.policy == "stack-ceilings"]
    assert ceilings and all("totals 16 accelerators" in m for m in ceilings), ceilings
