"""AWS components: cluster, accelerator pools, fabric network and storage for ai-infra.

``build_cluster`` is the entry point the Fleet calls (see ``components.clouds``). This
module stays light (no provider SDK import) because ``components.aws.rules`` is imported by
``aiinfra validate``; the SDK is imported only when a cluster is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pulumi

    from components.clouds import ClusterComponent
    from components.spec.resolved import ResolvedCluster


def build_cluster(name: str, cluster: ResolvedCluster, opts: pulumi.ResourceOptions) -> ClusterComponent:
    """Build an AWS cluster of the fleet spec: ``components.aws.cluster.EksCluster``."""
    from components.aws.cluster import EksCluster

    return EksCluster(name, cluster, opts)
