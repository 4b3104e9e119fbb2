"""Where a resource comes from in the fleet spec, so a fix can name spec fields, not provider fields.

ai-infra puts ``aiinfra-cluster`` and ``aiinfra-pool`` (GPU pools, TPU slices) or
``aiinfra-storage`` (storage items) on every resource it builds, as labels or tags. Those names
travel with the resource into the real engine's ``Analyze``/``AnalyzeStack`` calls; the pack
also receives the stack's config (``aiinfra:fleet``), so it can turn the names back into the
spec path (``clusters[0].gpuPools[1]``) and read the values written there. Names, not indexes,
ride on the resource: reordering pools in the spec must not rewrite every resource's labels.

A resource without these labels (any other Pulumi program) has no spec item: its fix keeps
the provider's own field names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The label / tag keys (components.spec.resolved defines the same names for the builders).
CLUSTER_LABEL = "aiinfra-cluster"
POOL_LABEL = "aiinfra-pool"
STORAGE_LABEL = "aiinfra-storage"

# Spec lists that hold node pools (GPU pools and TPU slices share one name space per cluster).
POOL_LISTS = ("gpuPools", "tpuSlices")


@dataclass(frozen=True)
class SpecItem:
    """One item of the fleet spec: its path and the values written there (defaults not filled)."""

    path: str  # clusters[0].gpuPools[1]
    list_key: str  # gpuPools | tpuSlices | storage
    values: Mapping[str, Any] = field(default_factory=dict)
    cluster_path: str = ""  # clusters[0]
    cluster: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_tpu(self) -> bool:
        return self.list_key == "tpuSlices"

    def at(self, name: str) -> str:
        """``clusters[0].gpuPools[1].maxNodes``."""
        return f"{self.path}.{name}"

    def value(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def change(self, name: str, to: object, now: object = None, *, why: str = "") -> str:
        """``clusters[0].gpuPools[0].maxNodes: 64 → at most 2 (dev ceiling: 16 accelerators)``."""
        current = self.values.get(name, now)
        head = f"{self.at(name)}: " + (f"{_show(current)} → {to}" if current is not None else f"set to {to}")
        return f"{head} ({why})" if why else head

    def cluster_change(self, name: str, to: object, now: object = None, *, why: str = "") -> str:
        """A change to a cluster-level field (``clusters[0].network.fabric: none → auto``)."""
        keys = name.split(".")
        current: Any = self.cluster
        for k in keys:
            current = current.get(k) if isinstance(current, Mapping) else None
        current = current if current is not None else now
        where = f"{self.cluster_path}.{name}"
        head = f"{where}: " + (f"{_show(current)} → {to}" if current is not None else f"set to {to}")
        return f"{head} ({why})" if why else head


def _show(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class SpecIndex:
    """The fleet spec's items by (cluster name, item name), per kind."""

    pools: Mapping[tuple[str, str], SpecItem] = field(default_factory=dict)
    storage: Mapping[tuple[str, str], SpecItem] = field(default_factory=dict)

    def item(self, labels: Mapping[str, str], kind: str = "pool") -> SpecItem | None:
        """The spec item a resource with these labels was built for (``kind``: pool | storage)."""
        cluster = labels.get(CLUSTER_LABEL)
        if not cluster:
            return None
        if kind == "storage":
            name = labels.get(STORAGE_LABEL)
            return self.storage.get((cluster, name)) if name else None
        name = labels.get(POOL_LABEL)
        return self.pools.get((cluster, name)) if name else None


def index_spec(doc: Any) -> SpecIndex:
    """Index a fleet spec document (the ``aiinfra:fleet`` object); anything malformed is skipped."""
    pools: dict[tuple[str, str], SpecItem] = {}
    storage: dict[tuple[str, str], SpecItem] = {}
    clusters = doc.get("clusters") if isinstance(doc, Mapping) else None
    if not isinstance(clusters, list):
        return SpecIndex()
    for ci, cl in enumerate(clusters):
        if not isinstance(cl, Mapping) or not isinstance(cl.get("name"), str):
            continue
        cpath = f"clusters[{ci}]"
        for key in (*POOL_LISTS, "storage"):
            items = cl.get(key)
            if not isinstance(items, list):
                continue
            into = storage if key == "storage" else pools
            for ii, item in enumerate(items):
                if isinstance(item, Mapping) and isinstance(item.get("name"), str):
                    into.setdefault(
                        (cl["name"], item["name"]), SpecItem(f"{cpath}.{key}[{ii}]", key, dict(item), cpath, cl)
                    )
    return SpecIndex(pools, storage)
