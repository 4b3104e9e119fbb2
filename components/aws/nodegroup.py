"""``GpuNodeGroup``: one EKS managed node group of accelerators, with its launch template.

Everything the pool needs that EKS does not set by itself is in the launch template: EFA
interfaces (one per network card), the cluster placement group, IMDSv2, the encrypted gp3
root volume, capacity reservation / Capacity Block targeting, and the RAID0 user data.
The arguments come from ``components.aws.translate`` (pure, golden-tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws import translate
from components.aws.images import latest_ami_release
from components.spec.resolved import LABEL_POOL, ResolvedCluster, ResolvedPool


class GpuNodeGroup(pulumi.ComponentResource):
    """An accelerator pool as an EKS managed node group.

    Args:
        name: logical name; children ``f"{name}-pg"`` (placement group, when compact),
            ``f"{name}-lt"`` (launch template), ``f"{name}-ng"`` (node group).
        cluster: the resolved cluster (region, labels).
        pool: the resolved pool (offer, fabric, compact placement, capacity).
        cluster_name: the EKS cluster's name.
        node_role_arn: the node IAM role.
        subnet_ids: where the nodes go (one subnet for single-zone pools).
        security_group_ids: the node group plus the EKS cluster security group.
        kubernetes_version: the cluster's version, so upgrades roll the group (None: EKS's
            choice at creation; existing clusters).
        ami_version: the control plane's version; the group runs the latest recommended AMI
            release for it (None: EKS's choice at creation).
        opts: resource options (``depends_on`` the cluster add-ons, for instance).

    Outputs:
        node_group_name, launch_template_id, placement_group (or None), instance_type,
        efa_interfaces, capacity_type.
    """

    def __init__(
        self,
        name: str,
        cluster: ResolvedCluster,
        pool: ResolvedPool,
        *,
        cluster_name: pulumi.Input[str],
        node_role_arn: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
        security_group_ids: Sequence[pulumi.Input[str]],
        kubernetes_version: pulumi.Input[str] | None = None,
        ami_version: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aiinfra:aws:GpuNodeGroup", name, None, opts)
        region = cluster.spec.region
        child = pulumi.ResourceOptions(parent=self)

        placement_group: aws.ec2.PlacementGroup | None = None
        if pool.compact:
            # https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/placement-strategies.html#placement-groups-cluster
            placement_group = aws.ec2.PlacementGroup(
                f"{name}-pg",
                strategy="cluster",
                tags=translate.tags(cluster, **{LABEL_POOL: pool.name}),
                region=region,
                opts=child,
            )
        lt = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            **translate.launch_template_args(
                cluster,
                pool,
                security_group_ids,
                placement_group.name if placement_group is not None else None,
            ),
            opts=child,
        )
        ng = aws.eks.NodeGroup(
            f"{name}-ng",
            **translate.node_group_args(
                cluster,
                pool,
                cluster_name=cluster_name,
                node_role_arn=node_role_arn,
                subnet_ids=subnet_ids,
                launch_template_id=lt.id,
                launch_template_version=lt.latest_version.apply(str),
                kubernetes_version=kubernetes_version,
                release_version=latest_ami_release(translate.ami_type(pool), ami_version, region, self),
            ),
            # The cluster autoscaler (or Karpenter-free scaling by hand) owns the desired size.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["scalingConfig.desiredSize"]),
        )

        plan = translate.capacity_plan(pool)
        self.node_group_name: pulumi.Output[str] = ng.node_group_name
        self.launch_template_id: pulumi.Output[str] = lt.id
        self.placement_group: pulumi.Output[str] | None = placement_group.name if placement_group else None
        self.exports: dict[str, Any] = {
            "nodeGroupName": self.node_group_name,
            "launchTemplateId": self.launch_template_id,
            "placementGroup": self.placement_group,
            "instanceType": pool.offer.machine_type,
            "efaInterfaces": pool.offer.fabric.efa_interfaces if pool.fabric is not None else 0,
            "capacityType": plan.capacity_type,
        }
        self.register_outputs(
            {
                "node_group_name": self.node_group_name,
                "launch_template_id": self.launch_template_id,
                "placement_group": self.placement_group,
                "instance_type": pool.offer.machine_type,
                "efa_interfaces": self.exports["efaInterfaces"],
                "capacity_type": plan.capacity_type,
            }
        )
