"""``Fleet``: the cloud-neutral entry point that builds every cluster of a fleet spec.

It dispatches each resolved cluster to its cloud's builder (``components.clouds``) and
gathers their outputs. Providers flow through: pass ``providers`` keyed by cluster name or
by cloud to deploy into a specific project / subscription / account; otherwise the default
provider of each cloud is used, with the region set on each resource from the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from components.clouds import ClusterComponent, builder
from components.spec.resolved import ResolvedFleet

#: The type token of a fleet, the same from Python and from the component package.
FLEET_TYPE = "aiinfra:index:Fleet"


class Fleet(pulumi.ComponentResource):
    """Every cluster of a resolved fleet spec.

    Args:
        name: logical name; clusters are named ``f"{name}-{cluster.name}"``.
        fleet: the resolved spec (``components.spec.load_fleet``).
        providers: optional explicit providers, keyed by cluster name or by cloud
            (``"gcp"``, ``"azure"``, ``"aws"``); a cluster-name key wins. Default: none,
            the default providers.
        opts: resource options for the Fleet itself.

    Outputs:
        clusters: mapping of cluster name to that cluster's exports.
    """

    clusters: dict[str, ClusterComponent]

    def __init__(
        self,
        name: str,
        fleet: ResolvedFleet,
        providers: Mapping[str, pulumi.ProviderResource] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(FLEET_TYPE, name, None, opts)
        self.clusters = build_clusters(self, name, fleet, providers)
        self.outputs: dict[str, Any] = {n: c.exports for n, c in self.clusters.items()}
        self.register_outputs({"clusters": self.outputs})


def build_clusters(
    parent: pulumi.Resource,
    name: str,
    fleet: ResolvedFleet,
    providers: Mapping[str, pulumi.ProviderResource] | None = None,
) -> dict[str, ClusterComponent]:
    """Build every cluster of ``fleet`` under ``parent``, each named ``f"{name}-{cluster.name}"``.

    The one place a fleet becomes clusters: ``Fleet`` here and the component package's
    ``Fleet`` (``components.package``) both call it, so they register the same children.
    """
    providers = providers or {}
    clusters: dict[str, ClusterComponent] = {}
    for cluster in fleet.clusters:
        provider = providers.get(cluster.name) or providers.get(cluster.cloud)
        child_opts = pulumi.ResourceOptions(parent=parent, provider=provider)
        clusters[cluster.name] = builder(cluster.cloud)(f"{name}-{cluster.name}", cluster, child_opts)
    return clusters
