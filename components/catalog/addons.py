"""Typed rows of ``addons.yaml`` (Kubernetes add-ons and vendor manifests) and ``nccl.yaml``
(smoke-test recipes and expected NCCL bus bandwidth), with their loader.

Kept beside ``model.py`` rather than in it: the add-on data is read by the add-on components,
``aiinfra smoke-test`` and the spec's add-on checks, never by the policy pack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Image:
    """A container image ai-infra renders into its own objects."""

    repository: str
    image: str
    version: str

    @property
    def ref(self) -> str:
        return f"{self.repository}/{self.image}:{self.version}"


@dataclass(frozen=True)
class AddonInstall:
    """How an add-on is installed on some clouds: a Helm chart, manifests, an EKS add-on or our objects."""

    clouds: tuple[str, ...]
    kind: str  # helm | manifests | eks-addon | objects
    namespace: str
    repository: str | None = None
    chart: str | None = None
    version: str | None = None
    addon_name: str | None = None
    manifests: tuple[str, ...] = ()


@dataclass(frozen=True)
class Addon:
    """One add-on of ``clusters[].addons`` with its pinned versions and provenance."""

    name: str
    title: str
    installs: tuple[AddonInstall, ...]
    managed: Mapping[str, str]
    images: Mapping[str, Image]
    crds: tuple[str, ...]
    source: str
    as_of: str
    verified: bool
    # Chart values ai-infra always sets on a cloud (cloud -> values), merged under the computed ones.
    values: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: _EMPTY)
    # Node labels that keep the add-on off a node (put on pools something else already serves).
    skip_node_labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    @property
    def clouds(self) -> tuple[str, ...]:
        """Clouds where ai-infra installs it (not counting clouds that manage it themselves)."""
        return tuple(c for i in self.installs for c in i.clouds)

    def install_on(self, cloud: str) -> AddonInstall | None:
        """How it is installed on ``cloud``, or None where it is not (managed or not available)."""
        return next((i for i in self.installs if cloud in i.clouds), None)


@dataclass(frozen=True)
class Manifest:
    """Vendor YAML applied as published, pinned by commit or tag in every URL."""

    id: str
    urls: tuple[str, ...]
    version: str
    # Node affinity the manifest carries (label -> accepted values), read from the pinned file.
    selects: Mapping[str, tuple[str, ...]]
    source: str
    as_of: str
    verified: bool


@dataclass(frozen=True)
class Sidecar:
    """A helper container a fabric's test pod runs beside the test (GKE's RxDM daemons)."""

    name: str
    image: str
    command: tuple[str, ...]
    capabilities: tuple[str, ...] = ()
    host_paths: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    env: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True)
class NcclRecipe:
    """How to run nccl-tests over one fabric kind (see ``nccl.yaml``)."""

    fabric: str
    image: str
    ssh_port: int
    own_ssh_keys: bool
    serve: str
    run: str | None
    mpirun_args: tuple[str, ...]
    binary: str
    env: Mapping[str, str]
    host_paths: Mapping[str, str]
    annotations: Mapping[str, str]
    sidecar: Sidecar | None
    capabilities: tuple[str, ...]
    source: str
    as_of: str
    verified: bool


@dataclass(frozen=True)
class BusBandwidth:
    """The all_reduce bus bandwidth to expect from one machine type's fabric."""

    cloud: str
    machine_type: str
    fabric_gbps: float | None  # the node's fabric line rate, Gbit/s (performance.yaml), when known
    bus_bw_gbps: float  # GB/s
    method: str  # measured | line-rate
    source: str
    as_of: str
    verified: bool


@dataclass(frozen=True)
class AddonCatalog:
    """Everything in ``addons.yaml`` and ``nccl.yaml``, indexed."""

    addons: Mapping[str, Addon]
    manifests: Mapping[str, Manifest]
    recipes: Mapping[str, NcclRecipe]
    expectations: Mapping[tuple[str, str], BusBandwidth]
    line_rate_ratio: float
    line_rate_source: str
    line_rate_as_of: str

    def expectation(
        self, cloud: str, machine_type: str, fabric_gbps: float | None, fabric_source: str | None = None
    ) -> BusBandwidth | None:
        """The measured figure for the machine, else ``line_rate_ratio`` of its fabric line rate."""
        measured = self.expectations.get((cloud, machine_type.lower()))
        if measured is not None:
            return BusBandwidth(
                cloud,
                measured.machine_type,
                fabric_gbps,
                measured.bus_bw_gbps,
                measured.method,
                measured.source,
                measured.as_of,
                measured.verified,
            )
        if not fabric_gbps:
            return None
        return BusBandwidth(
            cloud=cloud,
            machine_type=machine_type,
            fabric_gbps=fabric_gbps,
            bus_bw_gbps=round(self.line_rate_ratio * fabric_gbps / 8, 1),
            method=f"line-rate: {self.line_rate_ratio:g} x fabric bandwidth, the ratio of {self.line_rate_source}",
            source=fabric_source or self.line_rate_source,
            as_of=self.line_rate_as_of,
            verified=False,
        )


def _install(raw: Mapping[str, Any]) -> AddonInstall:
    return AddonInstall(
        clouds=tuple(raw["clouds"]),
        kind=raw["kind"],
        namespace=raw["namespace"],
        repository=raw.get("repository"),
        chart=raw.get("chart"),
        version=raw.get("version"),
        addon_name=raw.get("addonName"),
        manifests=tuple(raw.get("manifests", ())),
    )


def _sidecar(raw: Mapping[str, Any] | None) -> Sidecar | None:
    if raw is None:
        return None
    return Sidecar(
        name=raw["name"],
        image=raw["image"],
        command=tuple(raw["command"]),
        capabilities=tuple(raw.get("capabilities", ())),
        host_paths=MappingProxyType(dict(raw.get("hostPaths", {}))),
        env=MappingProxyType(dict(raw.get("env", {}))),
    )


def load_addon_catalog(addons_doc: Mapping[str, Any], nccl_doc: Mapping[str, Any]) -> AddonCatalog:
    """Build the add-on catalog from the two (schema-checked) YAML documents."""
    addons = {
        a["name"]: Addon(
            name=a["name"],
            title=a["title"],
            installs=tuple(_install(i) for i in a["installs"]),
            managed=MappingProxyType(dict(a.get("managed", {}))),
            images=MappingProxyType(
                {k: Image(v["repository"], v["image"], v["version"]) for k, v in a.get("images", {}).items()}
            ),
            crds=tuple(a.get("crds", ())),
            values=MappingProxyType({k: MappingProxyType(dict(v)) for k, v in a.get("values", {}).items()}),
            skip_node_labels=MappingProxyType(dict(a.get("skipNodeLabels", {}))),
            source=a["source"],
            as_of=a["asOf"],
            verified=a["verified"],
        )
        for a in addons_doc["addons"]
    }
    manifests = {
        m["id"]: Manifest(
            id=m["id"],
            urls=tuple(m["urls"]),
            version=m["version"],
            selects=MappingProxyType({k: tuple(v) for k, v in m["selects"].items()}),
            source=m["source"],
            as_of=m["asOf"],
            verified=m["verified"],
        )
        for m in addons_doc["manifests"]
    }
    recipes = {
        r["fabric"]: NcclRecipe(
            fabric=r["fabric"],
            image=r["image"],
            ssh_port=r["sshPort"],
            own_ssh_keys=r.get("ownSshKeys", False),
            serve=r["serve"],
            run=r.get("run"),
            mpirun_args=tuple(r["mpirunArgs"]),
            binary=r["binary"],
            env=MappingProxyType(dict(r.get("env", {}))),
            host_paths=MappingProxyType(dict(r.get("hostPaths", {}))),
            annotations=MappingProxyType(dict(r.get("annotations", {}))),
            sidecar=_sidecar(r.get("sidecar")),
            capabilities=tuple(r.get("capabilities", ())),
            source=r["source"],
            as_of=r["asOf"],
            verified=r["verified"],
        )
        for r in nccl_doc["recipes"]
    }
    expectations = {
        (e["cloud"], e["machineType"].lower()): BusBandwidth(
            cloud=e["cloud"],
            machine_type=e["machineType"],
            fabric_gbps=None,
            bus_bw_gbps=float(e["busBwGBps"]),
            method=e.get("method", "measured"),
            source=e["source"],
            as_of=e["asOf"],
            verified=e["verified"],
        )
        for e in nccl_doc["expectations"]
    }
    return AddonCatalog(
        addons=MappingProxyType(addons),
        manifests=MappingProxyType(manifests),
        recipes=MappingProxyType(recipes),
        expectations=MappingProxyType(expectations),
        line_rate_ratio=float(nccl_doc["lineRateRatio"]["value"]),
        line_rate_source=nccl_doc["lineRateRatio"]["source"],
        line_rate_as_of=nccl_doc["lineRateRatio"]["asOf"],
    )
