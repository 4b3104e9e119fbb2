"""``GpuNodePool`` and ``TpuSlice``: accelerator capacity on a GKE cluster (or as TPU VMs).

Arguments come from ``components.gcp.translate``; these components only create resources.
Node pools are ``delete_before_replace``: their names are fixed (what kubectl and
node selectors see), and accelerator quota rarely holds two copies of a pool at once.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.gcp import translate as t
from components.spec.resolved import ResolvedCluster, ResolvedPool, ResolvedSlice


class GpuNodePool(pulumi.ComponentResource):
    """One GKE GPU node pool.

    Args:
        name: logical name; the node pool is ``f"{name}-pool"``.
        cluster: the resolved cluster; pool: the resolved pool (offer, fabric, compact).
        plan: the cluster's network plan (which fabric NICs this pool gets).
        refs: cluster id/location and network self-links.

    Outputs:
        pool_name: the GKE node pool name.
    """

    def __init__(
        self,
        name: str,
        cluster: ResolvedCluster,
        pool: ResolvedPool,
        plan: t.NetworkPlan,
        refs: t.Refs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aiinfra:gcp:GpuNodePool", name, None, opts)
        node_pool = gcp.container.NodePool(
            f"{name}-pool",
            **t.gpu_pool_args(cluster, pool, plan, refs),
            # initial_node_count replaces the pool when changed; the autoscaler owns the size
            # after creation, so a later minNodes change must not recreate the pool.
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True, ignore_changes=["initialNodeCount"]),
        )
        self.pool_name: pulumi.Output[Any] = node_pool.name
        self.register_outputs({"poolName": self.pool_name})


class TpuSlice(pulumi.ComponentResource):
    """A TPU slice (``count`` slices for multislice): GKE TPU node pools, TPU VMs, or a queued resource.

    Args:
        name: logical name; children are ``f"{name}-pool[-i]"`` (gke), ``f"{name}-vm[-i]"`` (vm)
            or ``f"{name}-queued"`` (queued).
        cluster: the resolved cluster; tpu_slice: the resolved slice (version, shape).
        refs: cluster id/location, project and network self-links.

    Outputs:
        names: the node pool / TPU VM / queued resource names, one per slice.
    """

    def __init__(
        self,
        name: str,
        cluster: ResolvedCluster,
        tpu_slice: ResolvedSlice,
        refs: t.Refs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aiinfra:gcp:TpuSlice", name, None, opts)
        mode = tpu_slice.spec.mode
        count = tpu_slice.spec.count
        self.names: list[pulumi.Output[Any]] = []
        if mode == "queued":
            queued = gcp.tpu.V2QueuedResource(
                f"{name}-queued",
                **t.tpu_queued_args(cluster, tpu_slice, refs),
                opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
            )
            self.names.append(queued.name)
        for i in range(count if mode != "queued" else 0):
            suffix = "" if count == 1 else f"-{i}"
            if mode == "gke":
                res: Any = gcp.container.NodePool(
                    f"{name}-pool{suffix}",
                    **t.tpu_pool_args(cluster, tpu_slice, i, refs),
                    opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
                )
            else:
                res = gcp.tpu.V2Vm(
                    f"{name}-vm{suffix}",
                    **t.tpu_vm_args(cluster, tpu_slice, i, refs),
                    opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
                )
            self.names.append(res.name)
        self.register_outputs({"names": self.names})
