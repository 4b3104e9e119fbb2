"""Cloud registry: which module builds a cluster for each cloud.

Each cloud package (``components.gcp``, ``components.azure``, ``components.aws``) exposes
``build_cluster(name, cluster, opts) -> ClusterComponent``. The modules are imported only
when a cluster on that cloud is built: the provider SDKs are heavy, and validation, the
catalog and the policy pack never need them.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pulumi

    from components.spec.resolved import ResolvedCluster

BUILDERS: Mapping[str, str] = {
    "gcp": "components.gcp",
    "azure": "components.azure",
    "aws": "components.aws",
}


class ClusterComponent(Protocol):
    """What every cloud's cluster component offers the Fleet."""

    #: Stack outputs of the cluster (name, endpoint, pools, networks, ...).
    exports: Mapping[str, Any]


class ClusterBuilder(Protocol):
    def __call__(self, name: str, cluster: ResolvedCluster, opts: pulumi.ResourceOptions) -> ClusterComponent: ...


class FleetBuildError(Exception):
    """A cluster cannot be built; ``path`` is the spec path to blame."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


def builder(cloud: str) -> ClusterBuilder:
    """The ``build_cluster`` function of ``cloud``'s package."""
    module = importlib.import_module(BUILDERS[cloud])
    build: ClusterBuilder = module.build_cluster
    return build
