"""A stand-in Pulumi program for the planner's tests: real pulumi_gcp / pulumi_aws resources.

It reads ``aiinfra:fleet`` like ``__main__.py`` and creates, per cluster, a component with a
cluster, one node pool per GPU pool / TPU slice and one file system per storage item, named
and labelled the way the cloud builders do (``fleet-<cluster>-<item>``, ai-infra labels),
with storage protected. Azure clusters raise ``pulumi.RunError`` (not modelled here). Run it
as a program (``--program`` / ``run_program(path)``) or call :func:`program`.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp

from components.spec import SpecError, load_fleet_object
from components.spec.resolved import LABEL_POOL, ResolvedCluster


class FixtureCluster(pulumi.ComponentResource):
    def __init__(self, name: str, cluster: ResolvedCluster) -> None:
        super().__init__("aiinfra:fixture:Cluster", name, None)
        child = pulumi.ResourceOptions(parent=self)
        labels = dict(cluster.labels)
        if cluster.cloud == "gcp":
            k8s = gcp.container.Cluster(
                f"{name}-cluster",
                location=cluster.spec.zone or cluster.spec.region,
                initial_node_count=1,
                resource_labels=labels,
                opts=child,
            )
            for pool in cluster.pools:
                gcp.container.NodePool(
                    f"{name}-{pool.name}",
                    cluster=k8s.name,
                    location=cluster.spec.zone or cluster.spec.region,
                    autoscaling=gcp.container.NodePoolAutoscalingArgs(
                        min_node_count=pool.spec.min_nodes, max_node_count=pool.spec.max_nodes
                    ),
                    node_config=gcp.container.NodePoolNodeConfigArgs(
                        machine_type=pool.offer.machine_type,
                        spot=pool.spec.capacity == "spot",
                        guest_accelerators=[
                            gcp.container.NodePoolNodeConfigGuestAcceleratorArgs(
                                type=pool.offer.accelerator_type or "", count=pool.offer.accelerators_per_node
                            )
                        ],
                        resource_labels={**labels, LABEL_POOL: pool.name},
                    ),
                    opts=child,
                )
            for tpu in cluster.slices:
                gcp.container.NodePool(
                    f"{name}-{tpu.name}",
                    cluster=k8s.name,
                    node_count=tpu.shape.nodes,
                    node_config=gcp.container.NodePoolNodeConfigArgs(machine_type=tpu.shape.machine_type),
                    placement_policy=gcp.container.NodePoolPlacementPolicyArgs(
                        type="COMPACT", tpu_topology=tpu.spec.topology
                    ),
                    opts=child,
                )
            for store in cluster.storage:
                gcp.lustre.Instance(
                    f"{name}-{store.name}",
                    instance_id=f"{cluster.name}-{store.name}",
                    location=cluster.spec.zone or cluster.spec.region,
                    capacity_gib=str(store.spec.capacity_gib),
                    per_unit_storage_throughput=str(store.throughput_mbps_per_tib or 250),
                    filesystem=store.name[:8],
                    network="default",
                    labels=labels,
                    opts=pulumi.ResourceOptions(parent=self, protect=store.spec.protect),
                )
        elif cluster.cloud == "aws":
            k8s = aws.eks.Cluster(
                f"{name}-cluster",
                role_arn="arn:aws:iam::123456789012:role/eks",
                vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["subnet-1"]),
                tags=labels,
                opts=child,
            )
            for pool in cluster.pools:
                aws.eks.NodeGroup(
                    f"{name}-{pool.name}",
                    cluster_name=k8s.name,
                    node_role_arn="arn:aws:iam::123456789012:role/node",
                    subnet_ids=["subnet-1"],
                    instance_types=[pool.offer.machine_type],
                    capacity_type="SPOT" if pool.spec.capacity == "spot" else "ON_DEMAND",
                    scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                        min_size=pool.spec.min_nodes, max_size=pool.spec.max_nodes, desired_size=pool.spec.min_nodes
                    ),
                    tags={**labels, LABEL_POOL: pool.name},
                    opts=child,
                )
            for store in cluster.storage:
                aws.fsx.LustreFileSystem(
                    f"{name}-{store.name}",
                    storage_capacity=store.spec.capacity_gib,
                    subnet_ids="subnet-1",
                    deployment_type="PERSISTENT_2",
                    per_unit_storage_throughput=store.throughput_mbps_per_tib or 250,
                    tags=labels,
                    opts=pulumi.ResourceOptions(parent=self, protect=store.spec.protect),
                )
        else:
            raise pulumi.RunError(f"{cluster.spec.path}.cloud: the test fixture does not model {cluster.cloud}")
        self.register_outputs({})


def program() -> None:
    raw = pulumi.Config("aiinfra").get_object("fleet")
    try:
        fleet, _ = load_fleet_object(raw, "fixture")
    except SpecError as err:
        raise pulumi.RunError(err.report()) from None
    for cluster in fleet.clusters:
        FixtureCluster(f"fleet-{cluster.name}", cluster)


if __name__ == "__main__":
    program()
