"""GCP components: cluster, accelerator pools, fabric network and storage for ai-infra.

``build_cluster`` is the entry point the Fleet calls (see ``components.clouds``). This
module stays light (no provider SDK import) because ``components.gcp.rules`` is imported by
``aiinfra validate``; the SDK is imported only when a cluster is built.

Layout: ``translate`` (pure: spec -> provider arguments), ``network`` (VPCs, NAT, fabric),
``pools`` (GPU node pools, TPU slices), ``storage`` (Lustre, Filestore, Hyperdisk),
``cluster`` (the GKE cluster that ties them together), ``rules`` (validate-time checks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.clouds import FleetBuildError

if TYPE_CHECKING:
    import pulumi

    from components.clouds import ClusterComponent
    from components.spec.resolved import ResolvedCluster


def build_cluster(name: str, cluster: ResolvedCluster, opts: pulumi.ResourceOptions) -> ClusterComponent:
    """Build one GCP cluster of the fleet as a ``GkeCluster`` component."""
    from components.gcp.cluster import GkeCluster

    try:
        return GkeCluster(name, cluster, opts=opts)
    except ValueError as exc:  # address planning: no free fabric / PSA range
        raise FleetBuildError(f"{cluster.spec.path}.network.cidr", str(exc)) from None
