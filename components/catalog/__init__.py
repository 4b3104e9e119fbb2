"""The accelerator catalog: data files in ``data/`` loaded once into typed, indexed rows.

Cloud-neutral names (``H100-80GB``, TPU ``v5p``) resolve here to each cloud's offer: machine
type, accelerators per node, host shape, local NVMe, fabric and prices, each row with its
source and as-of date. Everything downstream (spec checks, translate functions, policy
normalization, the planner's cost roll-up) asks this module rather than hard-coding a fact.

Usage::

    from components.catalog import get_catalog
    offer = get_catalog().offer_for("aws", "H100-80GB", 8)
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from components.catalog.addons import AddonCatalog, load_addon_catalog
from components.catalog.model import (
    Accelerator,
    AcceleratorPerf,
    CapacityRange,
    CloudInfo,
    FabricBandwidth,
    FabricKind,
    LocalNvme,
    NameRule,
    Offer,
    OfferFabric,
    Price,
    StorageOffer,
    StorageTier,
    TpuVersion,
)

__all__ = [
    "Accelerator",
    "AcceleratorPerf",
    "Catalog",
    "CatalogError",
    "CloudInfo",
    "FabricKind",
    "Offer",
    "StorageOffer",
    "StorageTier",
    "TpuVersion",
    "get_catalog",
]

CLOUDS = ("gcp", "azure", "aws")
DATA_FILES = (
    "accelerators.yaml",
    "gcp.yaml",
    "azure.yaml",
    "aws.yaml",
    "tpu.yaml",
    "fabrics.yaml",
    "storage.yaml",
    "clouds.yaml",
    "addons.yaml",
    "nccl.yaml",
    "generations.yaml",
    "performance.yaml",
)

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogError(Exception):
    """The catalog data is malformed (a bug in the shipped data, never in user input)."""


def _read_text(name: str) -> str:
    return resources.files("components.catalog").joinpath("data", name).read_text("utf-8")


def _parse(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - CSafeLoader/SafeLoader only


def _schema_text() -> str:
    return resources.files("components.catalog").joinpath("catalog.schema.json").read_text("utf-8")


def checked_marker(texts: Mapping[str, str]) -> Path | None:
    """Where a passed schema check of exactly these data files (and this schema) is remembered.

    ``$AIINFRA_CACHE_DIR`` (default ``$XDG_CACHE_HOME/ai-infra``, else ``~/.cache/ai-infra``),
    ``catalog-checked/<sha256 of the schema and every file>``; None when no cache directory can
    be named. The check costs a fifth of a second per process and every plan starts three
    (the planner and two policy packs), while the data changes only with a release or
    ``aiinfra prices update-catalog``, which changes the digest.
    """
    digest = hashlib.sha256(_schema_text().encode("utf-8"))
    for name in sorted(texts):
        digest.update(f"\0{name}\0".encode())
        digest.update(texts[name].encode("utf-8"))
    base = os.environ.get("AIINFRA_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or (os.path.join(os.path.expanduser("~"), ".cache"))
        if xdg.startswith("~"):
            return None
        base = os.path.join(xdg, "ai-infra")
    return Path(base) / "catalog-checked" / digest.hexdigest()


def check_schema_once(raw: Mapping[str, Any], texts: Mapping[str, str]) -> None:
    """:func:`_check_schema`, skipped when these very files passed it before (:func:`checked_marker`)."""
    marker = checked_marker(texts)
    if marker is not None and marker.is_file():
        return
    _check_schema(raw)
    if marker is None:
        return
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:  # a read-only home: check every time
        pass


def _check_schema(raw: Mapping[str, Any]) -> None:
    """Check every data file against its entry in catalog.schema.json."""
    import jsonschema  # local: only needed once per process

    schema = json.loads(_schema_text())
    problems: list[str] = []
    for name, doc in raw.items():
        sub = {"$ref": f"#/$defs/{name}", "$defs": schema["$defs"]}
        validator = jsonschema.Draft202012Validator(sub)
        for err in validator.iter_errors(doc):
            path = "/".join(str(p) for p in err.absolute_path)
            problems.append(f"{name}: {path}: {err.message}")
    if problems:
        raise CatalogError("catalog data is invalid:\n  " + "\n  ".join(problems[:20]))


def _price(raw: Mapping[str, Any]) -> Price:
    return Price(
        region=raw["region"],
        on_demand_usd=raw.get("onDemandUsd"),
        spot_usd=raw.get("spotUsd"),
        source=raw.get("source"),
        as_of=raw.get("asOf"),
    )


def _offer(cloud: str, raw: Mapping[str, Any]) -> Offer:
    nvme = raw.get("localNvme")
    fab = raw["fabric"]
    return Offer(
        cloud=cloud,
        machine_type=raw["machineType"],
        accelerator=raw["accelerator"],
        accelerators_per_node=raw["acceleratorsPerNode"],
        vcpu=raw["vcpu"],
        memory_gib=raw["memoryGiB"],
        local_nvme=LocalNvme(nvme["count"], nvme["sizeGiB"]) if nvme else None,
        fabric=OfferFabric(
            kind=fab["kind"],
            efa_interfaces=fab.get("efaInterfaces", 0),
            gpu_nics=fab.get("gpuNics", 0),
            links=fab.get("links", 0),
            link_gbps=fab.get("linkGbps", 0),
            essential=fab.get("essential", False),
        ),
        default=raw["default"],
        price=_price(raw["price"]),
        source=raw["source"],
        as_of=raw["asOf"],
        verified=raw["verified"],
        accelerator_type=raw.get("acceleratorType"),
        bundled=raw.get("bundled", True),
        boot_disk_type=raw.get("bootDiskType"),
        ami_type=raw.get("amiType"),
        trusted_launch=raw.get("trustedLaunch", False),
        capacity_modes=tuple(raw.get("capacityModes", ("on-demand", "spot", "reserved"))),
    )


def _tier(raw: Mapping[str, Any], row: Mapping[str, Any]) -> StorageTier:
    """A storage tier (or a single-tier row, then ``raw is row``); its price's source and date
    are its own, else its row's ``priceSource``/``priceAsOf``."""
    ranges = [raw, *raw.get("moreRanges", ())]
    return StorageTier(
        ranges=tuple(CapacityRange(r["minGiB"], r["stepGiB"], r["maxGiB"]) for r in ranges),
        price_usd_per_gib_month=raw["priceUsdPerGiBMonth"],
        also_gib=tuple(raw.get("alsoGiB", ())),
        sku=raw.get("sku"),
        price_source=raw.get("priceSource", row.get("priceSource")),
        price_as_of=raw.get("priceAsOf", row["priceAsOf"]),
    )


class Catalog:
    """Indexed, read-only view of the catalog data. Build with :func:`get_catalog`."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.accelerators: dict[str, Accelerator] = {}
        self._alias: dict[str, str] = {}
        for a in raw["accelerators.yaml"]["accelerators"]:
            acc = Accelerator(
                name=a["name"],
                kind=a["kind"],
                vendor=a["vendor"],
                accel_class=a["class"],
                memory_gb=float(a["memoryGB"]),
                aliases=tuple(a.get("aliases", ())),
                family=a.get("family", a["name"]),
                source=a["source"],
                as_of=a["asOf"],
            )
            self.accelerators[acc.name] = acc
            for key in (acc.name, *acc.aliases):
                self._alias[key.lower()] = acc.name

        self.offers: list[Offer] = []
        for cloud in CLOUDS:
            doc = raw[f"{cloud}.yaml"]
            if doc["cloud"] != cloud:
                raise CatalogError(f"{cloud}.yaml declares cloud {doc['cloud']!r}")
            self.offers.extend(_offer(cloud, o) for o in doc["offers"])
        self._by_machine: dict[tuple[str, str], Offer] = {}
        for o in self.offers:
            if o.accelerator not in self.accelerators:
                raise CatalogError(f"{o.cloud} offer {o.machine_type}: unknown accelerator {o.accelerator!r}")
            mkey = (o.cloud, o.machine_type.lower())
            if mkey in self._by_machine:
                raise CatalogError(f"{o.cloud} offer {o.machine_type} listed twice")
            self._by_machine[mkey] = o

        self.tpus: dict[str, TpuVersion] = {}
        for t in raw["tpu.yaml"]["versions"]:
            price = t["price"]
            self.tpus[t["version"]] = TpuVersion(
                version=t["version"],
                accelerator=t["accelerator"],
                dims=t["dims"],
                listed_topologies=tuple(t["topologies"]["listed"]),
                cube_rule=t["topologies"]["cubeRule"],
                max_chips=t["maxChips"],
                gke_single_host=dict(t["gke"]["singleHost"]),
                gke_multi_host=t["gke"]["multiHost"],
                gke_machine_types=dict(t["gke"]["machineTypes"]),
                vm_prefix=t["vm"]["acceleratorPrefix"],
                vm_count_unit=t["vm"]["countUnit"],
                vm_config_type=t["vm"]["configType"],
                vm_default_runtime=t["vm"]["defaultRuntime"],
                price=Price(
                    price["region"],
                    price["onDemandUsdPerChip"],
                    price.get("spotUsdPerChip"),
                    price.get("source"),
                    price.get("asOf"),
                ),
                source=t["source"],
                as_of=t["asOf"],
                verified=t["verified"],
                zones=tuple(t.get("zones", ())),
            )

        self.fabrics: dict[str, FabricKind] = {}
        for f in raw["fabrics.yaml"]["fabrics"]:
            self.fabrics[f["kind"]] = FabricKind(
                kind=f["kind"],
                cloud=f["cloud"],
                description=f["description"],
                single_zone=f["singleZone"],
                placement=f["placement"],
                gpu_networks=f.get("gpuNetworks", False),
                rdma_network=f.get("rdmaNetwork", False),
                rdma_subnets=f.get("rdmaSubnets", 0),
                network_profile=f.get("networkProfile"),
                mtu=f.get("mtu"),
                nic_type=f.get("nicType"),
                gvnic_networks=f.get("gvnicNetworks", 0),
                reservation_placement=f.get("reservationPlacement", False),
                aks_feature=f.get("aksFeature"),
                operator=f.get("operator"),
                security_group_self=f.get("securityGroupSelf", False),
                addon=f.get("addon"),
                manifests=tuple(f.get("manifests", ())),
                pod_resource=(f["podResource"]["name"], f["podResource"]["perNode"]) if "podResource" in f else None,
            )
        for o in self.offers:
            if o.fabric.kind not in self.fabrics:
                raise CatalogError(f"{o.cloud} offer {o.machine_type}: unknown fabric {o.fabric.kind!r}")

        self.storage: dict[tuple[str, str], StorageOffer] = {}
        for s in raw["storage.yaml"]["storage"]:
            tiers = {int(k): _tier(v, s) for k, v in (s.get("tiers") or {}).items()}
            base = None if tiers else _tier(s, s)
            self.storage[(s["cloud"], s["kind"])] = StorageOffer(
                cloud=s["cloud"],
                kind=s["kind"],
                service=s["service"],
                resource_type=s["resourceType"],
                tiers=tiers,
                base=base,
                default_throughput=s.get("defaultThroughputMBpsPerTiB"),
                max_iops=s.get("maxIops"),
                max_throughput_mbps=s.get("maxThroughputMBps"),
                source=s["source"],
                as_of=s["asOf"],
                verified=s["verified"],
            )

        self.addons: AddonCatalog = load_addon_catalog(raw["addons.yaml"], raw["nccl.yaml"])
        for fab in self.fabrics.values():
            if fab.addon is not None and fab.addon not in self.addons.addons:
                raise CatalogError(f"fabric {fab.kind}: unknown addon {fab.addon!r}")
            for mid in fab.manifests:
                if mid not in self.addons.manifests:
                    raise CatalogError(f"fabric {fab.kind}: unknown manifest {mid!r}")

        gens = raw["generations.yaml"]
        #: newer accelerator -> the older ones it supersedes (for catalog --check)
        self.supersedes: dict[str, tuple[str, ...]] = {
            g["accelerator"]: tuple(g["supersedes"]) for g in gens["generations"]
        }
        #: (cloud, newer, older) pairs a human has confirmed may be priced newer-below-older
        self.confirmed_generation_prices: frozenset[tuple[str, str, str]] = frozenset(
            (c["cloud"], c["newer"], c["older"]) for c in gens["confirmed"]
        )
        for newer, olders in self.supersedes.items():
            for name in (newer, *olders):
                if name not in self.accelerators:
                    raise CatalogError(f"generations.yaml: unknown accelerator {name!r}")

        self.clouds: dict[str, CloudInfo] = {}
        for c in raw["clouds.yaml"]["clouds"]:
            self.clouds[c["cloud"]] = CloudInfo(
                cloud=c["cloud"],
                display_name=c["displayName"],
                unsupported=dict(c["unsupported"]),
                names={k: NameRule(v["pattern"], v["maxLength"], v["rule"]) for k, v in c["names"].items()},
                region_pattern=c["regionPattern"],
                zone_pattern=c["zonePattern"],
                zone_in_region=c["zoneInRegion"],
            )

        # Sizing facts (performance.yaml): kept apart from the offer rows they describe.
        perf = raw["performance.yaml"]
        self.performance: dict[str, AcceleratorPerf] = {}
        for a in perf["accelerators"]:
            if a["name"] not in self.accelerators:
                raise CatalogError(f"performance.yaml: unknown accelerator {a['name']!r}")
            self.performance[a["name"]] = AcceleratorPerf(
                name=a["name"],
                bf16_tflops=a["bf16Tflops"],
                fp8_tflops=a["fp8Tflops"],
                memory_tbps=float(a["memoryTBps"]),
                source=a["source"],
                as_of=a["asOf"],
                verified=a["verified"],
                ici_gbps=a.get("iciGbps"),
            )
        self.fabric_bandwidth: dict[tuple[str, str], FabricBandwidth] = {}
        for f in perf["fabric"]:
            offer_key = (f["cloud"], f["machineType"].lower())
            if offer_key not in self._by_machine:
                raise CatalogError(f"performance.yaml: no {f['cloud']} offer {f['machineType']!r}")
            self.fabric_bandwidth[offer_key] = FabricBandwidth(
                cloud=f["cloud"],
                machine_type=f["machineType"],
                gbps=float(f["gbps"]),
                source=f["source"],
                as_of=f["asOf"],
                verified=f["verified"],
            )

    # ----- accelerators -------------------------------------------------------------
    def canonical_accelerator(self, name: str) -> str | None:
        """The canonical name for a name or alias (case-insensitive), or None."""
        return self._alias.get(name.lower())

    def accelerator_names(self) -> list[str]:
        return list(self.accelerators)

    def ambiguous(self, name: str) -> list[str]:
        """Catalog names a bare name could mean (``A100``: A100-40GB, A100-80GB); [] when none or one.

        A name that is a whole catalog name or alias is never ambiguous (``H100`` is an alias of
        H100-80GB); one that only prefixes several names is (A100 comes with 40 and 80 GB).
        """
        if self.canonical_accelerator(name) is not None:
            return []
        stem = name.lower().rstrip("-")
        found = [a for a in self.accelerators if a.lower().startswith(stem + "-")]
        return found if len(found) > 1 else []

    def tpu_version(self, name: str) -> TpuVersion | None:
        """A TPU version by its name (``v6e``) or an alias of its accelerator (``trillium``, ``TPU-v6e``)."""
        found = self.tpus.get(name) or self.tpus.get(name.lower())
        if found is not None:
            return found
        canonical = self.canonical_accelerator(name)
        return next((t for t in self.tpus.values() if t.accelerator == canonical), None)

    # ----- offers -------------------------------------------------------------------
    def offers_for(self, cloud: str | None = None, accelerator: str | None = None) -> list[Offer]:
        """Offers filtered by cloud and/or canonical accelerator name."""
        return [
            o
            for o in self.offers
            if (cloud is None or o.cloud == cloud) and (accelerator is None or o.accelerator == accelerator)
        ]

    def offer_for(
        self,
        cloud: str,
        accelerator: str,
        per_node: int | None = None,
        machine_type: str | None = None,
    ) -> Offer | None:
        """Resolve a pool to one offer.

        ``per_node=None`` picks the largest node; ``machine_type`` picks among offers with the
        same accelerator (and count, when given); otherwise the row marked ``default``.
        """
        candidates = self.offers_for(cloud, accelerator)
        if machine_type is not None:
            candidates = [o for o in candidates if o.machine_type.lower() == machine_type.lower()]
        if per_node is None:
            if not candidates:
                return None
            per_node = max(o.accelerators_per_node for o in candidates)
        candidates = [o for o in candidates if o.accelerators_per_node == per_node]
        if not candidates:
            return None
        defaults = [o for o in candidates if o.default]
        return (defaults or candidates)[0]

    def offer_by_machine_type(self, cloud: str, machine_type: str) -> Offer | None:
        """The offer for a cloud machine type (case-insensitive), or None if not cataloged."""
        return self._by_machine.get((cloud, machine_type.lower()))

    def offer_by_accelerator_type(self, accelerator_type: str) -> Offer | None:
        """A GCP offer by guest accelerator type (``nvidia-tesla-t4``), preferring the default."""
        rows = [o for o in self.offers if o.accelerator_type == accelerator_type]
        defaults = [o for o in rows if o.default]
        chosen = defaults or rows
        return chosen[0] if chosen else None

    # ----- TPUs ---------------------------------------------------------------------
    def tpu(self, version: str) -> TpuVersion | None:
        return self.tpus.get(version)

    def tpu_by_machine_type(self, machine_type: str) -> tuple[TpuVersion, int] | None:
        """(version, chips per VM) for a GKE TPU machine type, or None."""
        for t in self.tpus.values():
            if machine_type in t.gke_machine_types:
                return t, t.gke_machine_types[machine_type]
        return None

    # ----- sizing facts -------------------------------------------------------------
    def perf(self, accelerator: str) -> AcceleratorPerf | None:
        """Peak throughput and memory bandwidth of a canonical accelerator, or None."""
        return self.performance.get(accelerator)

    def fabric_gbps(self, offer: Offer) -> FabricBandwidth | None:
        """The offer's fabric bandwidth per node, or None when not cataloged."""
        return self.fabric_bandwidth.get((offer.cloud, offer.machine_type.lower()))

    # ----- fabrics, storage, clouds ---------------------------------------------------
    def fabric(self, kind: str) -> FabricKind:
        return self.fabrics[kind]

    def storage_offer(self, cloud: str, kind: str) -> StorageOffer | None:
        return self.storage.get((cloud, kind))

    def cloud(self, cloud: str) -> CloudInfo:
        return self.clouds[cloud]


def load_raw(names: Iterable[str] = DATA_FILES) -> dict[str, Any]:
    """Read the data files as plain YAML documents (for tests and ``catalog --format json``)."""
    return {name: _parse(_read_text(name)) for name in names}


@functools.cache
def get_catalog() -> Catalog:
    """Load, schema-check (:func:`check_schema_once`) and index the catalog once per process."""
    texts = {name: _read_text(name) for name in DATA_FILES}
    raw = {name: _parse(text) for name, text in texts.items()}
    check_schema_once(raw, texts)
    return Catalog(raw)
