"""Azure components: cluster, accelerator pools, fabric network and storage for ai-infra.

``build_cluster`` is the entry point the Fleet calls (see ``components.clouds``). This
module stays light (no provider SDK import) because ``components.azure.rules`` is imported by
``aiinfra validate``; the SDK is imported only when a cluster is built.

Layout: ``translate`` (pure functions: spec -> SDK arguments), ``network`` (VNet, subnets,
NAT gateway), ``pool`` (GPU agent pools), ``storage`` (Managed Lustre, Azure Files NFS,
Premium SSD v2), ``cluster`` (``AksCluster``, which ties them together), ``rules``
(validate-time checks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.clouds import FleetBuildError

if TYPE_CHECKING:
    import pulumi

    from components.clouds import ClusterComponent
    from components.spec.resolved import ResolvedCluster


def build_cluster(name: str, cluster: ResolvedCluster, opts: pulumi.ResourceOptions) -> ClusterComponent:
    """Build ``cluster`` on AKS as an ``AksCluster`` named ``name``."""
    from components.azure.cluster import AksCluster
    from components.azure.translate import TranslateError

    try:
        return AksCluster(name, cluster, opts)
    except TranslateError as err:
        raise FleetBuildError(err.path, err.message) from None
