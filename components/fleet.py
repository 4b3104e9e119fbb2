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

from components.addons.component import ClusterAddons
from components.clouds import ClusterComponent, builder
from components.spec.resolved import ResolvedFleet


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
        clusters: mapping of cluster name to that cluster's exports, with ``addons`` (the
            ``ClusterAddons`` exports: what is installed, volumes, queues, the Prometheus
            query endpoint).
    """

    clusters: dict[str, ClusterComponent]

    def __init__(
        self,
        name: str,
        fleet: ResolvedFleet,
        providers: Mapping[str, pulumi.ProviderResource] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aiinfra:index:Fleet", name, None, opts)
        providers = providers or {}
        self.clusters = {}
        self.addons: dict[str, ClusterAddons] = {}
        for cluster in fleet.clusters:
            provider = providers.get(cluster.name) or providers.get(cluster.cloud)
            child_opts = pulumi.ResourceOptions(parent=self, provider=provider)
            build = builder(cluster.cloud)
            built = build(f"{name}-{cluster.name}", cluster, child_opts)
            self.clusters[cluster.name] = built
            # Add-ons go on through a Kubernetes provider made from the cluster's kubeconfig.
            self.addons[cluster.name] = ClusterAddons(
                f"{name}-{cluster.name}-addons", cluster, built.exports, opts=child_opts
            )
        self.outputs: dict[str, Any] = {
            n: {**c.exports, "addons": self.addons[n].exports} for n, c in self.clusters.items()
        }
        self.register_outputs({"clusters": self.outputs})
