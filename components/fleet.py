"""``Fleet``: the cloud-neutral entry point that builds every cluster of a fleet spec.

It dispatches each resolved cluster to its cloud's builder (``components.clouds``) and
gathers their outputs. Providers flow through: pass ``providers`` keyed by cluster name or
by cloud to deploy into a specific project / subscription / account; otherwise the default
provider of each cloud is used, with the region set on each resource from the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from components.addons.component import ClusterAddons
from components.clouds import ClusterComponent, builder
from components.spec.resolved import ResolvedCluster, ResolvedFleet

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
        super().__init__(FLEET_TYPE, name, None, opts)
        built = build_clusters(self, name, fleet, providers)
        self.clusters = {n: b.cluster for n, b in built.items()}
        self.addons: dict[str, ClusterAddons] = {n: b.addons for n, b in built.items()}
        self.outputs: dict[str, Any] = {n: b.exports for n, b in built.items()}
        self.register_outputs({"clusters": self.outputs})


@dataclass(frozen=True)
class BuiltCluster:
    """One cluster of the fleet as built: the cloud's cluster component and its add-ons."""

    cluster: ClusterComponent
    addons: ClusterAddons

    @property
    def exports(self) -> dict[str, Any]:
        """The cluster's stack outputs, with ``addons`` (what is installed, volumes, queues)."""
        return {**self.cluster.exports, "addons": self.addons.exports}


def build_cluster(
    parent: pulumi.Resource,
    name: str,
    cluster: ResolvedCluster,
    provider: pulumi.ProviderResource | None = None,
) -> BuiltCluster:
    """Build one cluster named ``name`` under ``parent`` with its cloud's builder, then its add-ons
    (``f"{name}-addons"``, through a Kubernetes provider made from the cluster's kubeconfig).

    The one place a cluster of the spec becomes resources: ``Fleet`` here and the component
    package's components (``components.package``) all call it, so they register the same
    children with the same names.
    """
    child_opts = pulumi.ResourceOptions(parent=parent, provider=provider)
    built = builder(cluster.cloud)(name, cluster, child_opts)
    return BuiltCluster(built, ClusterAddons(f"{name}-addons", cluster, built.exports, opts=child_opts))


def build_clusters(
    parent: pulumi.Resource,
    name: str,
    fleet: ResolvedFleet,
    providers: Mapping[str, pulumi.ProviderResource] | None = None,
) -> dict[str, BuiltCluster]:
    """Build every cluster of ``fleet`` under ``parent``, each named ``f"{name}-{cluster.name}"``."""
    providers = providers or {}
    return {
        c.name: build_cluster(parent, f"{name}-{c.name}", c, providers.get(c.name) or providers.get(c.cloud))
        for c in fleet.clusters
    }
