"""The fleet spec: JSON Schema, typed model, loading and checks.

Public API::

    from components.spec import load_fleet, SpecError
    fleet, warnings = load_fleet("stacks/Pulumi.gcp-train.yaml")   # raises SpecError

``fleet`` is a ``ResolvedFleet``: the spec joined with the catalog rows it uses.
"""

from components.spec.errors import SpecError, SpecIssue
from components.spec.loader import CONFIG_KEY, check_document, load_fleet, load_fleet_object, read_document
from components.spec.model import Cluster, FleetSpec, GpuPool, Storage, TpuSlice
from components.spec.resolved import (
    ResolvedCluster,
    ResolvedFleet,
    ResolvedPool,
    ResolvedSlice,
    ResolvedStorage,
)

__all__ = [
    "CONFIG_KEY",
    "Cluster",
    "FleetSpec",
    "GpuPool",
    "ResolvedCluster",
    "ResolvedFleet",
    "ResolvedPool",
    "ResolvedSlice",
    "ResolvedStorage",
    "SpecError",
    "SpecIssue",
    "Storage",
    "TpuSlice",
    "check_document",
    "load_fleet",
    "load_fleet_object",
    "read_document",
]
