"""``AksGpuPool``: one AKS user agent pool (one VM scale set) for a GPU pool of the spec.

A compact pool (InfiniBand sizes with ``fabric: auto`` and more than one node, or
``placement: compact``) gets its own proximity placement group. InfiniBand RDMA only works
inside one scale set, which is what an AKS agent pool is; the ``AKSInfinibandSupport``
feature makes AKS keep the scale set on one InfiniBand fabric.
"""

from __future__ import annotations

import pulumi
import pulumi_azure_native.compute as compute
import pulumi_azure_native.containerservice as containerservice

from components.azure import translate as tr
from components.spec.resolved import ResolvedCluster, ResolvedPool


class AksGpuPool(pulumi.ComponentResource):
    """An AKS agent pool for one resolved GPU pool.

    Args:
        name: logical name; children ``{name}-pool`` and ``{name}-ppg``.
        cluster: the resolved cluster (zone, version, tags).
        pool: the resolved pool (offer, fabric, compact placement).
        resource_group_name: resource group of the AKS cluster.
        cluster_name: AKS cluster name (an output of the ManagedCluster, so pools wait for it).
        ppg_resource_group_name: resource group for the proximity placement group. Default:
            ``resource_group_name``.
        subnet_id: node subnet. Default: None (the cluster's default subnet; existing clusters).
        opts: resource options.

    Outputs:
        agent_pool_name, vm_size, proximity_placement_group_id (None without compact placement).
    """

    def __init__(
        self,
        name: str,
        cluster: ResolvedCluster,
        pool: ResolvedPool,
        resource_group_name: pulumi.Input[str],
        cluster_name: pulumi.Input[str],
        ppg_resource_group_name: pulumi.Input[str] | None = None,
        subnet_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aiinfra:azure:GpuPool", name, None, opts)
        self.ppg: compute.ProximityPlacementGroup | None = None
        ppg_id: pulumi.Output[str] | None = None
        if pool.compact:
            self.ppg = compute.ProximityPlacementGroup(
                f"{name}-ppg",
                **tr.ppg_args(cluster, pool, ppg_resource_group_name or resource_group_name),
                opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
            )
            ppg_id = self.ppg.id
        self.agent_pool = containerservice.AgentPool(
            f"{name}-pool",
            **tr.agent_pool_args(cluster, pool, resource_group_name, cluster_name, subnet_id, ppg_id),
            # The cluster autoscaler owns the node count after creation; a vmSize, OS or GPU
            # driver change replaces the pool (AKS cannot change them in place), and the pool
            # keeps its name, so the old one goes first.
            opts=pulumi.ResourceOptions(
                parent=self,
                ignore_changes=["count"],
                # Trusted Launch and encryption at host are fixed when the scale set is created.
                replace_on_changes=[
                    "vmSize",
                    "osSKU",
                    "gpuProfile",
                    "proximityPlacementGroupID",
                    "securityProfile",
                    "enableEncryptionAtHost",
                ],
                delete_before_replace=True,
            ),
        )
        self.agent_pool_name: pulumi.Output[str] = self.agent_pool.name
        self.vm_size = pool.offer.machine_type
        self.proximity_placement_group_id = ppg_id
        self.register_outputs(
            {
                "agentPoolName": self.agent_pool_name,
                "vmSize": self.vm_size,
                "proximityPlacementGroupId": ppg_id,
            }
        )
