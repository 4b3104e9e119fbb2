"""Semantic checks that need the catalog, and resolution of the spec against it.

Runs after the schema has accepted the shape. Each check reads its facts from the catalog
(offers, TPU topologies, fabric needs, storage sizes, cloud naming rules) and reports a
``SpecIssue`` with the spec path and a fix; every issue is collected before returning.
"""

from __future__ import annotations

import importlib
import ipaddress
import re
from collections.abc import Callable
from types import MappingProxyType

from components.catalog import Catalog
from components.catalog import tpu as tpu_math
from components.catalog.model import CloudInfo, FabricKind, Offer
from components.spec.errors import SpecIssue, article, choices_hint, did_you_mean, join_path
from components.spec.model import Cluster, FleetSpec, GpuPool, Storage, TpuSlice
from components.spec.resolved import (
    LABEL_CLUSTER,
    LABEL_ENVIRONMENT,
    LABEL_MANAGED_BY,
    ResolvedCluster,
    ResolvedFleet,
    ResolvedPool,
    ResolvedSlice,
    ResolvedStorage,
)
from components.spec.security import check_security
from components.spec.versions import version_issues


class _Collector:
    """Collects issues; ``error``/``warn`` return None so checks can ``return c.error(...)``."""

    def __init__(self) -> None:
        self.issues: list[SpecIssue] = []

    def error(self, path: str, message: str, hint: str | None = None) -> None:
        self.issues.append(SpecIssue(path, message, hint))

    def warn(self, path: str, message: str, hint: str | None = None) -> None:
        self.issues.append(SpecIssue(path, message, hint, severity="warning"))


def _check_name(c: _Collector, info: CloudInfo, kind: str, name: str, path: str) -> None:
    rule = info.names[kind]
    if len(name) > rule.max_length or not re.fullmatch(rule.pattern, name):
        near = valid_name_near(name, rule.pattern, rule.max_length)
        c.error(path, f"'{name}' is not a valid name on {info.cloud}", rule.rule + (f"; e.g. '{near}'" if near else ""))


def valid_name_near(name: str, pattern: str, max_length: int) -> str | None:
    """A name the rule accepts, made from ``name`` (lowercased, separators kept or dropped,
    cut to length, a leading letter added), or None when none of those fits."""
    low = name.lower()
    for text in (re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", low)).strip("-"), re.sub(r"[^a-z0-9]", "", low)):
        for candidate in (text, f"p{text}") if text else ():
            cut = candidate[:max_length].rstrip("-")
            if cut and re.fullmatch(pattern, cut):
                return cut
    return None


def _fabric_for(cluster: Cluster, pool: GpuPool, offer: Offer, cat: Catalog) -> FabricKind | None:
    """The fabric a pool gets: the offer's native fabric unless turned off or pointless.

    ``auto`` builds it only when the fabric is essential to the machine (p5's EFA, A3's
    GPUDirect, ND's InfiniBand; not the optional single EFA of a g6) and the pool can hold
    more than one node (a single node talks over NVLink/NVSwitch and would pay for an idle
    fabric); ``rdma`` builds any fabric the machine has.
    """
    if cluster.network.fabric == "none" or not offer.has_fabric:
        return None
    if cluster.network.fabric == "auto" and (pool.max_nodes <= 1 or not offer.fabric.essential):
        return None
    return cat.fabric(offer.fabric.kind)


def _resolve_pool(c: _Collector, cat: Catalog, cluster: Cluster, info: CloudInfo, pool: GpuPool) -> ResolvedPool | None:
    p = pool.path
    _check_name(c, info, "pool", pool.name, join_path(p, "name"))
    if pool.min_nodes > pool.max_nodes:
        c.error(
            join_path(p, "minNodes"),
            f"minNodes {pool.min_nodes} is greater than maxNodes {pool.max_nodes}",
            "lower minNodes or raise maxNodes",
        )
    _check_capacity(c, info, p, pool.capacity, pool.reservation, pool.reservation_kind)

    name = cat.canonical_accelerator(pool.accelerator)
    if name is None:
        gpu_names = [a.name for a in cat.accelerators.values() if a.kind != "tpu"]
        either = cat.ambiguous(pool.accelerator)
        if either:
            c.error(
                join_path(p, "accelerator"),
                f"'{pool.accelerator}' is ambiguous: it comes as {' and '.join(either)}",
                f"write {' or '.join(either)}",
            )
            return None
        c.error(
            join_path(p, "accelerator"),
            f"unknown accelerator '{pool.accelerator}'",
            choices_hint(pool.accelerator, gpu_names),
        )
        return None
    accel = cat.accelerators[name]
    if accel.kind == "tpu":
        c.error(
            join_path(p, "accelerator"),
            f"{name} is a TPU; TPUs are declared under tpuSlices, not gpuPools",
            f"add a tpuSlices entry with version: {name.removeprefix('TPU-')}",
        )
        return None
    offers = cat.offers_for(cluster.cloud, name)
    if not offers:
        clouds = sorted({o.cloud for o in cat.offers_for(None, name)})
        c.error(
            join_path(p, "accelerator"),
            f"{name} is not offered on {cluster.cloud}",
            f"it is offered on {', '.join(clouds)}" if clouds else "no cloud offers it in the catalog",
        )
        return None
    if pool.machine_type is not None:
        mt_offers = [o for o in offers if o.machine_type.lower() == pool.machine_type.lower()]
        if not mt_offers:
            c.error(
                join_path(p, "machineType"),
                f"'{pool.machine_type}' is not {article(cluster.cloud)} machine type for {name}",
                choices_hint(pool.machine_type, [o.machine_type for o in offers]),
            )
            return None
        offers = mt_offers
    offer = cat.offer_for(cluster.cloud, name, pool.accelerators_per_node, pool.machine_type)
    if offer is None:
        counts = sorted({o.accelerators_per_node for o in offers})
        c.error(
            join_path(p, "acceleratorsPerNode"),
            f"{cluster.cloud} has no {name} node with {pool.accelerators_per_node} accelerators",
            "offered per node: " + ", ".join(str(n) for n in counts),
        )
        return None

    if pool.capacity not in offer.capacity_modes:
        c.error(
            join_path(p, "capacity"),
            f"{offer.machine_type} is offered only as {' or '.join(offer.capacity_modes)} capacity, "
            f"not {pool.capacity}",
            f"set capacity: {offer.capacity_modes[0]}, or choose another acceleratorsPerNode "
            "(`aiinfra catalog` lists the shapes)",
        )
    if cluster.network.fabric == "rdma" and not offer.has_fabric:
        c.error(
            join_path(p, "accelerator"),
            f"network.fabric is rdma but {offer.machine_type} ({name}) has no RDMA fabric on {cluster.cloud}",
            "use network.fabric: auto, or an accelerator with a fabric (see `aiinfra catalog`)",
        )
    fabric = _fabric_for(cluster, pool, offer, cat)
    # A specific reservation of A3 Ultra / A4 capacity is placed by the reservation itself.
    reservation_places = fabric is not None and fabric.reservation_placement and pool.capacity == "reserved"
    compact = pool.placement == "compact" or (
        pool.placement == "auto" and fabric is not None and fabric.placement != "none" and not reservation_places
    )
    if reservation_places and pool.placement == "compact":
        c.error(
            join_path(p, "placement"),
            f"{offer.machine_type} nodes of a specific reservation are placed by the reservation; a compact "
            "placement policy on top of it is not supported",
            "remove placement: compact (placement: auto uses the reservation's own placement)",
        )
    if cluster.zone is None:
        if fabric is not None and fabric.single_zone:
            c.error(
                join_path(cluster.path, "zone"),
                f"pool '{pool.name}' gets the {fabric.kind} fabric, which needs every node in one zone",
                f"set zone (e.g. {_zone_example(cluster)}), or network.fabric: none if the pool "
                "does not need the fabric",
            )
        elif compact:
            c.error(
                join_path(cluster.path, "zone"),
                f"pool '{pool.name}' asks for compact placement, which needs one zone",
                f"set zone (e.g. {_zone_example(cluster)}) or placement: auto",
            )
    if pool.local_ssd == "raid0" and offer.local_nvme is None:
        c.error(
            join_path(p, "localSsd"),
            f"{offer.machine_type} has no local NVMe to assemble into RAID0",
            "use localSsd: none, or a machine with local NVMe (see `aiinfra catalog`)",
        )
    if (
        pool.reservation_kind == "capacity-block"
        and pool.capacity == "reserved"
        and compact
        and pool.placement == "auto"
    ):
        c.warn(
            join_path(p, "placement"),
            "a Capacity Block already places its instances; a forced cluster placement group can fail to launch in it",
            "set placement: none if launches fail with InsufficientInstanceCapacity",
        )
    return ResolvedPool(spec=pool, offer=offer, fabric=fabric, compact=compact)


def _check_capacity(
    c: _Collector, info: CloudInfo, path: str, capacity: str, reservation: str | None, kind: str
) -> None:
    if capacity == "reserved" and reservation is None:
        c.error(
            join_path(path, "reservation"),
            "capacity is reserved but no reservation is named",
            "set reservation to the reservation's name or ID, or choose capacity: on-demand",
        )
    if capacity != "reserved" and reservation is not None:
        why = (
            "spot capacity cannot consume a reservation"
            if capacity == "spot"
            else (f"a reservation is only consumed with capacity: reserved (capacity is {capacity})")
        )
        c.error(join_path(path, "reservation"), why, "set capacity: reserved or remove reservation")
    if kind == "capacity-block":
        if "capacity-block" in info.unsupported:
            c.error(join_path(path, "reservationKind"), info.unsupported["capacity-block"])
        elif capacity != "reserved":
            c.error(
                join_path(path, "reservationKind"),
                "reservationKind: capacity-block needs capacity: reserved and the block's reservation ID",
            )


def _zone_example(cluster: Cluster) -> str:
    return {"gcp": f"{cluster.region}-a", "aws": f"{cluster.region}a", "azure": "1"}[cluster.cloud]


def _resolve_slice(
    c: _Collector, cat: Catalog, cluster: Cluster, info: CloudInfo, sl: TpuSlice
) -> ResolvedSlice | None:
    p = sl.path
    _check_name(c, info, "pool", sl.name, join_path(p, "name"))
    _check_capacity(c, info, p, sl.capacity, sl.reservation, "reservation")
    version = cat.tpu_version(sl.version)  # v6e, or an alias: trillium, TPU-v6e
    if version is None:
        c.error(join_path(p, "version"), f"unknown TPU version '{sl.version}'", choices_hint(sl.version, cat.tpus))
        return None
    try:
        shape = tpu_math.shape(version, sl.topology)
    except ValueError as exc:
        c.error(join_path(p, "topology"), str(exc))
        return None
    if cluster.zone is None:
        c.error(
            join_path(cluster.path, "zone"),
            f"TPU slice '{sl.name}' needs a zone: TPU slices are zonal"
            + (" and multi-host slices use compact placement" if shape.multi_host else ""),
            f"set zone (e.g. {_zone_example(cluster)}) where TPU {sl.version} is offered",
        )
    if sl.runtime_version is not None and sl.mode == "gke":
        c.error(
            join_path(p, "runtimeVersion"),
            "runtimeVersion applies to TPU VMs (mode: vm or queued); GKE chooses the node image",
            "remove runtimeVersion or set mode: vm",
        )
    return ResolvedSlice(spec=sl, version=version, shape=shape)


def _resolve_storage(
    c: _Collector, cat: Catalog, cluster: Cluster, info: CloudInfo, st: Storage
) -> ResolvedStorage | None:
    p = st.path
    _check_name(c, info, "storage", st.name, join_path(p, "name"))
    offer = cat.storage_offer(cluster.cloud, st.kind)
    if offer is None:
        c.error(join_path(p, "kind"), f"{st.kind} storage is not available on {cluster.cloud} in the catalog")
        return None
    if st.kind != "lustre" and st.throughput_mbps_per_tib is not None:
        c.error(
            join_path(p, "throughputMBpsPerTiB"),
            f"throughputMBpsPerTiB applies to lustre only ({st.kind} has no throughput tiers)",
            "remove it",
        )
    if st.kind != "block":
        for key, val in (("iops", st.iops), ("throughputMBps", st.throughput_mbps)):
            if val is not None:
                c.error(join_path(p, key), f"{key} applies to block volumes only", "remove it")
    if st.kind == "lustre" and cluster.zone is None:
        c.error(
            join_path(cluster.path, "zone"),
            f"Lustre file system '{st.name}' is zonal: it lives in one zone with its clients",
            f"set zone (e.g. {_zone_example(cluster)})",
        )
    throughput = st.throughput_mbps_per_tib if offer.tiers else None
    tier = offer.tier(throughput)
    if tier is None:
        tiers = sorted(offer.tiers)
        asked = st.throughput_mbps_per_tib or 0
        nearest = min(tiers, key=lambda t: (abs(t - asked), t))
        c.error(
            join_path(p, "throughputMBpsPerTiB"),
            f"{offer.service} has no {st.throughput_mbps_per_tib} MB/s/TiB tier",
            f"nearest tier: {nearest}; allowed: {', '.join(map(str, tiers))}",
        )
        return None
    if not tier.accepts(st.capacity_gib):
        tier_txt = f" at {throughput or offer.default_throughput} MB/s/TiB" if offer.tiers else ""
        rule = tier.describe()
        c.error(
            join_path(p, "capacityGiB"),
            f"{offer.service}{tier_txt} does not accept {st.capacity_gib} GiB: {rule}",
            tier.size_hint(st.capacity_gib),
        )
    if st.kind == "block":
        if offer.max_iops is not None and st.iops is not None and st.iops > offer.max_iops:
            c.error(join_path(p, "iops"), f"{offer.service} allows at most {offer.max_iops} IOPS, got {st.iops}")
        mt = offer.max_throughput_mbps
        if mt is not None and st.throughput_mbps is not None and st.throughput_mbps > mt:
            c.error(
                join_path(p, "throughputMBps"),
                f"{offer.service} allows at most {mt} MB/s, got {st.throughput_mbps}",
            )
    return ResolvedStorage(
        spec=st, offer=offer, tier=tier, throughput_mbps_per_tib=throughput or offer.default_throughput
    )


def _check_cluster_basics(c: _Collector, cluster: Cluster, info: CloudInfo) -> None:
    p = cluster.path
    _check_name(c, info, "cluster", cluster.name, join_path(p, "name"))
    if not re.fullmatch(info.region_pattern, cluster.region):
        c.error(
            join_path(p, "region"),
            f"'{cluster.region}' does not look like {article(cluster.cloud)} region",
            {"gcp": "e.g. us-central1", "azure": "e.g. eastus", "aws": "e.g. us-east-1"}[cluster.cloud],
        )
    if cluster.zone is not None:
        if not re.fullmatch(info.zone_pattern, cluster.zone):
            c.error(
                join_path(p, "zone"),
                f"'{cluster.zone}' does not look like {article(cluster.cloud)} zone",
                f"e.g. {_zone_example(cluster)}",
            )
        elif info.zone_in_region and not cluster.zone.startswith(cluster.region):
            c.error(
                join_path(p, "zone"),
                f"zone '{cluster.zone}' is not in region '{cluster.region}'",
                f"e.g. {_zone_example(cluster)}",
            )
    try:
        net = ipaddress.ip_network(cluster.network.cidr, strict=True)
    except ValueError as exc:
        c.error(
            join_path(p, "network", "cidr"),
            f"'{cluster.network.cidr}' is not a network CIDR: {exc}",
            "e.g. 10.20.0.0/16",
        )
    else:
        if net.version != 4:
            c.error(join_path(p, "network", "cidr"), "the cluster network must be IPv4", "e.g. 10.20.0.0/16")
        elif not net.is_private:
            c.error(
                join_path(p, "network", "cidr"),
                f"{net} is not a private range",
                "use a range in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
            )
        elif net.prefixlen > 20:
            c.error(
                join_path(p, "network", "cidr"),
                f"/{net.prefixlen} is too small for nodes, pods and services",
                "use a /20 or larger (e.g. /16)",
            )
    if cluster.kubernetes.resource_group is not None and cluster.cloud != "azure":
        c.error(join_path(p, "kubernetes", "resourceGroup"), "resourceGroup applies to Azure clusters only")
    if cluster.tpu_slices and "tpuSlices" in info.unsupported:
        c.error(join_path(p, "tpuSlices"), info.unsupported["tpuSlices"])
    if not (cluster.gpu_pools or cluster.tpu_slices or cluster.storage):
        c.warn(
            p,
            f"cluster '{cluster.name}' declares no gpuPools, tpuSlices or storage",
            "add a pool, or remove the cluster",
        )


def _check_unique(c: _Collector, items: list[tuple[str, str]], what: str) -> None:
    seen: dict[str, str] = {}
    for name, path in items:
        if name in seen:
            c.error(
                join_path(path, "name"), f"{what} name '{name}' is already used at {seen[name]}", "names must be unique"
            )
        else:
            seen[name] = path


def _check_joined_names(c: _Collector, spec: FleetSpec) -> None:
    """Resources are named ``<cluster>-<item>`` (Pulumi logical names and most cloud-side names),
    so cluster ``a`` / pool ``b-c`` and cluster ``a-b`` / pool ``c`` would both be ``a-b-c``: two
    resources with one URN, or one TPU VM / file system name in a zone. Reject what would collide,
    per cloud and per kind (node pools and TPU slices share one namespace; storage another).
    A multislice ``x`` with ``count: 2`` takes ``x-0`` and ``x-1``."""
    for cloud in sorted({cl.cloud for cl in spec.clusters}):
        for kind, items in (
            (
                "node pool / TPU slice",
                lambda cl: (
                    [(p.name, p.path, p.name) for p in cl.gpu_pools]
                    + [
                        (n, s.path, s.name)
                        for s in cl.tpu_slices
                        for n in ([s.name] if s.count == 1 else [f"{s.name}-{i}" for i in range(s.count)])
                    ]
                ),
            ),
            ("storage", lambda cl: [(x.name, x.path, x.name) for x in cl.storage]),
        ):
            seen: dict[str, tuple[str, str, str]] = {}
            for cl in spec.clusters:
                if cl.cloud != cloud:
                    continue
                for name, path, given in items(cl):
                    joined = f"{cl.name}-{name}"
                    if joined not in seen:
                        seen[joined] = (path, cl.name, given)
                        continue
                    other_path, other_cluster, other_given = seen[joined]
                    if other_path == path or (other_cluster == cl.name and other_given == given):
                        continue  # the same item, or a duplicate name _check_unique reports
                    c.error(
                        join_path(path, "name"),
                        f"{kind} '{given}' of cluster '{cl.name}' would be named '{joined}', as {other_path} "
                        f"('{other_given}' of cluster '{other_cluster}') is: two resources with one name",
                        "rename one of them; resources are named <cluster>-<name>",
                    )


def cloud_rules(cloud: str) -> Callable[[ResolvedCluster], list[SpecIssue]]:
    """The cloud's own checks (``components.<cloud>.rules.check_cluster``; no SDK import)."""
    module = importlib.import_module(f"components.{cloud}.rules")
    check: Callable[[ResolvedCluster], list[SpecIssue]] = module.check_cluster
    return check


def addon_rules() -> Callable[[ResolvedCluster], list[SpecIssue]]:
    """The add-on checks (``components.addons.rules.check_cluster``; a floor above spec, no SDK import)."""
    module = importlib.import_module("components.addons.rules")
    check: Callable[[ResolvedCluster], list[SpecIssue]] = module.check_cluster
    return check


def resolve(spec: FleetSpec, cat: Catalog) -> tuple[ResolvedFleet | None, list[SpecIssue]]:
    """Check ``spec`` against the catalog; return the resolved fleet (None on errors) and issues."""
    c = _Collector()
    _check_unique(c, [(cl.name, cl.path) for cl in spec.clusters], "cluster")
    _check_joined_names(c, spec)
    clusters: list[ResolvedCluster] = []
    for cl in spec.clusters:
        info = cat.cloud(cl.cloud)
        _check_cluster_basics(c, cl, info)
        c.issues.extend(check_security(cl, info, spec.environment))
        _check_unique(
            c,
            [(x.name, x.path) for x in cl.gpu_pools] + [(x.name, x.path) for x in cl.tpu_slices],
            "node pool / TPU slice",
        )
        _check_unique(c, [(x.name, x.path) for x in cl.storage], "storage")
        pools = [_resolve_pool(c, cat, cl, info, p) for p in cl.gpu_pools]
        slices = (
            [_resolve_slice(c, cat, cl, info, s) for s in cl.tpu_slices] if "tpuSlices" not in info.unsupported else []
        )
        stores = [_resolve_storage(c, cat, cl, info, s) for s in cl.storage]
        labels = {
            **spec.labels,
            **cl.labels,
            LABEL_MANAGED_BY: "ai-infra",
            LABEL_ENVIRONMENT: spec.environment,
            LABEL_CLUSTER: cl.name,
        }
        resolved = ResolvedCluster(
            spec=cl,
            environment=spec.environment,
            labels=MappingProxyType(labels),
            pools=tuple(p for p in pools if p is not None),
            slices=tuple(s for s in slices if s is not None),
            storage=tuple(s for s in stores if s is not None),
        )
        c.issues.extend(cloud_rules(cl.cloud)(resolved))
        c.issues.extend(version_issues(resolved))
        c.issues.extend(addon_rules()(resolved))
        clusters.append(resolved)
    if any(i.severity == "error" for i in c.issues):
        return None, c.issues
    return ResolvedFleet(spec=spec, clusters=tuple(clusters)), c.issues


__all__ = ["did_you_mean", "resolve"]
