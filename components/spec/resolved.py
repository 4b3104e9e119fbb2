"""The resolved fleet: the spec joined with the catalog rows it uses.

This is what cloud builders, the policy labels and the planner consume: each GPU pool with
its offer and the fabric it actually gets, each TPU slice with its shape, each storage item
with its service and tier. Resolution (``components.spec.semantic``) builds it and reports
every problem it meets as a ``SpecIssue``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from components.catalog.model import FabricKind, Offer, StorageOffer, StorageTier, TpuVersion
from components.catalog.tpu import TpuShape
from components.spec.model import Cluster, FleetSpec, GpuPool, Storage, TpuSlice

# Label keys ai-infra puts on every resource; policies read the environment from them, and the
# spec item a resource was built for (components.policy.specref turns the names into spec paths).
LABEL_MANAGED_BY = "managed-by"
LABEL_ENVIRONMENT = "aiinfra-environment"
LABEL_CLUSTER = "aiinfra-cluster"
LABEL_POOL = "aiinfra-pool"  # a GPU pool's or TPU slice's name
LABEL_STORAGE = "aiinfra-storage"  # a storage item's name


@dataclass(frozen=True)
class ResolvedPool:
    """A GPU pool with its catalog offer and the fabric and placement it gets."""

    spec: GpuPool
    offer: Offer
    # The fabric this pool is built with (None: no fabric), after network.fabric and size.
    fabric: FabricKind | None
    # Compact placement (GKE compact policy, AWS cluster placement group, Azure PPG).
    compact: bool

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def accelerators_at_max(self) -> int:
        return self.spec.max_nodes * self.offer.accelerators_per_node

    @property
    def accelerators_at_min(self) -> int:
        return self.spec.min_nodes * self.offer.accelerators_per_node


@dataclass(frozen=True)
class ResolvedSlice:
    """A TPU slice with its version row and layout."""

    spec: TpuSlice
    version: TpuVersion
    shape: TpuShape

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def chips_total(self) -> int:
        return self.shape.chips * self.spec.count


@dataclass(frozen=True)
class ResolvedStorage:
    """A storage item with its managed service and tier."""

    spec: Storage
    offer: StorageOffer
    tier: StorageTier
    throughput_mbps_per_tib: int | None

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class ResolvedCluster:
    """A cluster with everything in it resolved; ``labels`` is what its resources carry."""

    spec: Cluster
    environment: str
    labels: Mapping[str, str]
    pools: tuple[ResolvedPool, ...]
    slices: tuple[ResolvedSlice, ...]
    storage: tuple[ResolvedStorage, ...]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def cloud(self) -> str:
        return self.spec.cloud


@dataclass(frozen=True)
class ResolvedFleet:
    """The whole fleet, resolved."""

    spec: FleetSpec
    clusters: tuple[ResolvedCluster, ...]

    @property
    def environment(self) -> str:
        return self.spec.environment
