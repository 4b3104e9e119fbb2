"""Azure components: cluster, accelerator pools, fabric network and storage for ai-infra.

``build_cluster`` is the entry point the Fleet calls (see ``components.clouds``). This
module stays light (no provider SDK import) because ``components.azure.rules`` is imported by
``aiinfra validate``; the SDK is imported only when a cluster is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.clouds import FleetBuildError

if TYPE_CHECKING:
    import pulumi

    from components.clouds import ClusterComponent
    from components.spec.resolved import ResolvedCluster


def build_cluster(name: str, cluster: ResolvedCluster, opts: pulumi.ResourceOptions) -> ClusterComponent:
    """Not built yet: fail loudly, naming the spec path, rather than create nothing."""
    raise FleetBuildError(
        f"{cluster.spec.path}.cloud",
        f"{cluster.cloud} clusters are not implemented yet in this version of ai-infra; "
        "the spec is valid, but nothing can be deployed for this cluster",
    )
