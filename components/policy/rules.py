"""One pure function per policy: (normalized view, settings) -> findings.

No Pulumi, no provider SDK: ``components.policy.pack`` wraps these in pulumi-policy objects, the
tests call them directly on views built from raw property dicts.

Every finding has two parts that never repeat each other: the ``message`` (the resource, the
figure, the limit) and the ``fix``. On a resource ai-infra built (it carries the
``aiinfra-cluster`` / ``aiinfra-pool`` / ``aiinfra-storage`` labels, and the stack's config holds
the fleet spec), the fix names spec fields and the change
(``clusters[0].gpuPools[0].maxNodes: 64 → at most 2 (dev ceiling: 16 accelerators)``); on any
other program's resources it names the provider's own fields.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from math import ceil, floor, prod

from components.catalog import get_catalog
from components.catalog.model import Offer, StorageOffer
from components.policy.normalize import Pool, SharedStorage, View, disk_limits, looks_like_accelerator
from components.policy.normalize.common import UNKNOWN_FIX
from components.policy.settings import Settings
from components.policy.specref import SpecItem
from components.policy.values import clip, fmt_int, fmt_usd
from components.terminal import counted

#: How the pack joins message and fix into the one string a violation carries; the Analyzer
#: client (and anything reading ``pulumi preview`` output) splits them again on it.
FIX_SEPARATOR = "\nFix: "


@dataclass(frozen=True)
class Finding:
    """One violation: the resource it concerns (URN, "" for the stack), what is wrong, and the fix."""

    urn: str
    message: str
    fix: str = ""

    @property
    def text(self) -> str:
        """Message and fix as one violation message (``pulumi preview`` shows it as is)."""
        return f"{self.message}{FIX_SEPARATOR}{self.fix}" if self.fix else self.message


def split_fix(text: str) -> tuple[str, str]:
    """(message, fix) of a violation message the pack reported (fix "" when it has none)."""
    message, _, fix = text.partition(FIX_SEPARATOR)
    return message, fix


def _item(pool: Pool, s: Settings) -> SpecItem | None:
    """The fleet-spec GPU pool / TPU slice this pool was built for (None: not ai-infra's)."""
    return s.fleet.spec.item(pool.labels)


Rule = Callable[[View, Settings], list[Finding]]

# Where each resource type keeps its scaling bounds (for the "fix" part of messages).
_MIN_FIELD = {
    "gcp:container/nodePool:NodePool": "autoscaling.minNodeCount",
    "gcp:container/cluster:Cluster": "nodePools[].autoscaling.minNodeCount",
    "azure-native:containerservice:AgentPool": "minCount (with enableAutoScaling)",
    "azure-native:containerservice:ManagedCluster": "agentPoolProfiles[].minCount (with enableAutoScaling)",
    "azure-native:compute:VirtualMachineScaleSet": "sku.capacity (scale with an autoscale setting)",
    "aws:eks/nodeGroup:NodeGroup": "scalingConfig.minSize",
    "aws:autoscaling/group:Group": "minSize",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": "managedInstanceScaling.minInstanceCount",
    "aws:batch/computeEnvironment:ComputeEnvironment": "computeResources.minVcpus",
    "azure-native:machinelearningservices:Compute": "properties.properties.scaleSettings.minNodeCount",
    "azure:machinelearning/computeCluster:ComputeCluster": "scaleSettings.minNodeCount",
    "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool": "minCount (with autoScalingEnabled)",
    "gcp:compute/instanceGroupManager:InstanceGroupManager": "targetSize (scale with an autoscaler)",
    "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager": "targetSize (scale with an autoscaler)",
}
_MAX_FIELD = {
    "gcp:container/nodePool:NodePool": "autoscaling.maxNodeCount / totalMaxNodeCount",
    "gcp:container/cluster:Cluster": "nodePools[].autoscaling.maxNodeCount",
    "azure-native:containerservice:AgentPool": "maxCount",
    "azure-native:containerservice:ManagedCluster": "agentPoolProfiles[].maxCount",
    "azure-native:compute:VirtualMachineScaleSet": "sku.capacity",
    "aws:eks/nodeGroup:NodeGroup": "scalingConfig.maxSize",
    "aws:autoscaling/group:Group": "maxSize",
    "aws:ec2/fleet:Fleet": "targetCapacitySpecification.totalTargetCapacity",
    "aws:ec2/spotFleetRequest:SpotFleetRequest": "targetCapacity",
    "aws:ec2/capacityReservation:CapacityReservation": "instanceCount",
    "aws:ec2/capacityBlockReservation:CapacityBlockReservation": "capacityBlockOfferingId (a smaller offering)",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": "managedInstanceScaling.maxInstanceCount",
    "aws:sagemaker/trainingJob:TrainingJob": "resourceConfig.instanceCount",
    "aws:batch/computeEnvironment:ComputeEnvironment": "computeResources.maxVcpus",
    "gcp:compute/reservation:Reservation": "specificReservation.count",
    "azure-native:compute:CapacityReservation": "sku.capacity",
    "azure:compute/capacityReservation:CapacityReservation": "sku.capacity",
    "azure-native:machinelearningservices:Compute": "properties.properties.scaleSettings.maxNodeCount",
    "azure:machinelearning/computeCluster:ComputeCluster": "scaleSettings.maxNodeCount",
    "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool": "maxCount",
    "azure:containerservice/kubernetesCluster:KubernetesCluster": "defaultNodePool.maxCount / nodeCount",
    "azure:compute/linuxVirtualMachineScaleSet:LinuxVirtualMachineScaleSet": "instances",
    "azure:compute/windowsVirtualMachineScaleSet:WindowsVirtualMachineScaleSet": "instances",
    "azure:compute/orchestratedVirtualMachineScaleSet:OrchestratedVirtualMachineScaleSet": "instances",
    "kubernetes:karpenter.sh/v1:NodePool": "spec.limits (nvidia.com/gpu, cpu)",
    "kubernetes:karpenter.sh/v1beta1:NodePool": "spec.limits (nvidia.com/gpu, cpu)",
}
_SPOT_FIELD = {
    "gcp": "spot (GKE nodeConfig.spot / GCE scheduling.provisioningModel: SPOT)",
    "azure": "scaleSetPriority / priority: Spot",
    "aws": "capacityType: SPOT (EKS) / instanceMarketOptions (EC2)",
}


def _accelerator_pools(view: View) -> list[Pool]:
    return [p for p in view.pools if p.shape.accelerator is not None]


def _what(pool: Pool, nodes: float | None) -> str:
    """``64 x a3-highgpu-8g = 512 H100-80GB at $5,632/h``."""
    s = pool.shape
    if nodes is None:
        return f"an unknown number of {clip(s.machine_type)}"
    text = f"{fmt_int(nodes)} x {clip(s.machine_type)} = {fmt_int(nodes * s.per_node)} {s.accelerator}"
    usd = pool.usd_at(nodes)
    if usd is not None:
        text += f" at {fmt_usd(usd)}/h"
        if s.spot and s.spot_usd is not None:
            text += " (spot)"
    return text


# ----- stack-ceilings ---------------------------------------------------------------------------
# Units a ceiling counts: accelerators, USD/h as the environment's ceiling prices it (spot where
# used), and USD/h at on-demand prices (the fleet spec's budget.maxHourlyUsd, as the spec says).
_ACCELERATORS, _USD, _USD_ON_DEMAND = "accelerators", "usd", "usd-on-demand"


def _counted_nodes(pool: Pool) -> float:
    """Nodes a pool counts with in the ceilings: its maximum, or where that is unknown at preview,
    its minimum (what is known; ``accelerator-visibility`` says what was not counted)."""
    if pool.max_nodes is not None:
        return pool.max_nodes
    return pool.min_nodes or 0.0


def _share(pool: Pool, unit: str) -> float:
    """A pool's accelerators or USD/h at max scale (at its minimum when the maximum is unknown)."""
    nodes = _counted_nodes(pool)
    if unit == _ACCELERATORS:
        return nodes * pool.shape.per_node if pool.shape.accelerator is not None else 0.0
    if unit == _USD_ON_DEMAND:
        price = pool.shape.on_demand_usd
        return nodes * price if price is not None else 0.0
    return pool.usd_at(nodes) or 0.0


def _uncounted(pools: Iterable[Pool]) -> str:
    """``; not counted beyond their minimum: node pool 'x' (max size unknown at preview)``, or ``""``."""
    unknown = [p.label for p in pools if p.max_nodes is None]
    if not unknown:
        return ""
    return f"; counted at their minimum as their max size is unknown at preview: {', '.join(unknown)}"


def _figure(unit: str, value: float) -> str:
    if unit == _ACCELERATORS:
        return f"{fmt_int(value)} accelerators"
    return f"{fmt_usd(value)}/h" + (" on-demand" if unit == _USD_ON_DEMAND else "")


#: The scope of the fleet spec's own budget: every pool of the stack.
_STACK = "the stack"


@dataclass(frozen=True)
class _Hit:
    """One ceiling a set of pools exceeds together."""

    scope: str  # "the dev part of the stack" / "the stack"
    label: str  # "the dev ceiling" / "the fleet spec's budget"
    unit: str
    total: float
    limit: float
    shared: bool  # several pools add up to the total
    largest: str = ""  # label of the pool with the largest share
    largest_labels: Mapping[str, str] = field(default_factory=dict)  # its labels (its spec item, if ours)

    @property
    def short(self) -> str:
        """``dev ceiling: 16 accelerators`` (the why of a spec-level fix)."""
        return f"{self.label.removeprefix('the ')}: {_figure(self.unit, self.limit)}"


def _over(pools: list[Pool], unit: str, limit: float, scope: str, label: str) -> dict[str, _Hit]:
    """Per contributing pool (by URN), the ceiling it helps exceed, if ``pools`` exceed ``limit``."""
    total = sum(_share(p, unit) for p in pools)
    if total <= limit:
        return {}
    # ties go to the first pool by URN: the program registers pools in no fixed order
    largest = min(pools, key=lambda p: (-_share(p, unit), p.urn))
    hit = _Hit(scope, label, unit, total, limit, len(pools) > 1, largest.label, largest.labels)
    return {p.urn: hit for p in pools if _share(p, unit) > 0}


def _ceiling_clauses(groups: list[list[_Hit]]) -> str:
    """``the dev part of the stack totals 580 accelerators and $5,918/h at max scale; the dev
    ceiling is 16 accelerators and $150/h``: per ceiling (``groups``: the hits of one label), the
    figures it is over, then the ceiling. Totals are given only when several pools add up, or when
    the ceiling prices differently from the pool's own figure (on-demand for a spot pool), and each
    figure once: where the environment's part is the whole stack (the same total), ``the stack
    (all dev) totals 24 accelerators and $263/h at max scale; the dev ceiling is 16 accelerators and
    $150/h; the fleet spec's budget is 8 accelerators``."""
    entries: list[tuple[str, list[str], str, set[str]]] = []  # scope, totals, ceiling, scopes also
    said: dict[tuple[str, float], int] = {}  # (unit, total) -> the entry that states it
    for hits in groups:
        ceiling = f"{hits[0].label} is {' and '.join(_figure(h.unit, h.limit) for h in hits)}"
        totals: list[str] = []
        if any(h.shared or h.unit == _USD_ON_DEMAND for h in hits):
            for h in hits:
                earlier = said.get((h.unit, h.total))
                if earlier is not None:  # the same figure, already stated for another scope
                    entries[earlier][3].add(h.scope)
                    continue
                said[(h.unit, h.total)] = len(entries)
                totals.append(_figure(h.unit, h.total))
        entries.append((hits[0].scope, totals, ceiling, set()))
    clauses = []
    for scope, totals, ceiling, also in entries:
        if totals:
            # an environment's accelerator pools with the stack's total are all the stack's
            name = f"{_STACK} (all {_env_of(scope)})" if _STACK in also and scope != _STACK else scope
            clauses.append(f"{name} totals {' and '.join(totals)} at max scale")
        clauses.append(ceiling)
    return "; ".join(clauses)


def _env_of(scope: str) -> str:
    """``dev`` of ``the dev part of the stack``."""
    return scope.removeprefix("the ").removesuffix(" part of the stack")


def _nodes_within(pool: Pool, hits: list[_Hit]) -> tuple[int, list[_Hit]]:
    """The most nodes this pool can have with every other pool unchanged, and the ceilings that bind."""
    best: int | None = None
    binding: list[_Hit] = []
    for h in hits:
        share = _share(pool, h.unit)
        per_node = share / pool.max_nodes if pool.max_nodes else 0.0
        if per_node <= 0:
            continue
        n = max(0, floor((h.limit - (h.total - share)) / per_node + 1e-9))
        if best is None or n < best:
            best, binding = n, [h]
        elif n == best:
            binding.append(h)
    return (best if best is not None else 0), binding


def _smaller_topology(pool: Pool, chips: float) -> str | None:
    """The largest listed topology of the slice's TPU version with at most ``chips`` chips."""
    tpu = pool.shape.tpu
    if tpu is None:
        return None
    fits = [t for t in tpu.listed_topologies if prod(int(d) for d in t.split("x")) <= chips]
    return max(fits, key=lambda t: prod(int(d) for d in t.split("x")), default=None)


def _raw_max_fix(pool: Pool, nodes: float) -> str:
    """``lower scalingConfig.maxSize to at most 4`` in the provider's own field (GKE: per zone or total)."""
    cap = fmt_int(nodes)
    if pool.type != "gcp:container/nodePool:NodePool":
        return f"lower {_MAX_FIELD.get(pool.type, 'its maximum size')} to at most {cap}"
    if not pool.per_zone_bounds:
        return f"lower autoscaling.totalMaxNodeCount to at most {cap}"
    if pool.zones <= 1:
        return f"lower autoscaling.maxNodeCount to at most {cap}"
    # GKE counts autoscaling.maxNodeCount per zone: name a per-zone figure whose total fits
    per_zone = int(nodes // pool.zones)
    total = f"autoscaling.totalMaxNodeCount to at most {cap}"
    if per_zone >= 1:
        return (
            f"lower autoscaling.maxNodeCount to {per_zone} per zone ({per_zone * pool.zones} in total over "
            f"{pool.zones} zones), or set {total} instead"
        )
    return f"set {total} (even 1 per zone is {pool.zones} nodes over {pool.zones} zones)"


def _why(hits: list[_Hit]) -> str:
    """``dev ceiling: 16 accelerators and $150/h; fleet spec's budget: $2,500/h on-demand``."""
    by_label: dict[str, list[_Hit]] = defaultdict(list)
    for h in hits:
        by_label[h.label.removeprefix("the ")].append(h)
    return "; ".join(f"{label}: {' and '.join(_figure(h.unit, h.limit) for h in hs)}" for label, hs in by_label.items())


def _spot_suffices(pool: Pool, hits: list[_Hit]) -> bool:
    """Whether spot capacity alone brings every ceiling the pool helps exceed back within it: fixes
    are alternatives ("; or"), so spot is offered only then. It lowers only ceilings in USD/h as
    the pool runs (not accelerator counts, not the spec's on-demand budget), and never to a pool
    that is spot already."""
    if pool.shape.spot or pool.shape.spot_usd is None or any(h.unit != _USD for h in hits):
        return False
    saving = _share(pool, _USD) - _counted_nodes(pool) * pool.shape.spot_usd
    return all(h.total - saving <= h.limit for h in hits)


def _ceiling_fix(pool: Pool, hits: list[_Hit], s: Settings) -> str:
    units = {h.unit for h in hits}
    spot_helps = _spot_suffices(pool, hits)
    nodes, binding = _nodes_within(pool, hits)
    why = _why(binding or hits)
    item = _item(pool, s)
    others = [h for h in binding or hits if h.total - _share(pool, h.unit) >= h.limit and h.largest != pool.label]
    if nodes < 1 and others:
        # the other pools reach the ceiling on their own: shrinking this one cannot fix it
        big = s.fleet.spec.item(others[0].largest_labels)
        largest = big.path if big is not None and item is not None else others[0].largest
        return f"lower the larger pools first ({largest} is the largest): the others alone reach it ({why})"
    if item is not None and item.is_tpu:
        per_slice = pool.shape.tpu_chips or pool.shape.per_node
        chips = per_slice * nodes / pool.max_nodes if pool.max_nodes else 0
        topo = _smaller_topology(pool, chips)
        fixes = [item.change("topology", f"{topo} or smaller" if topo else "a smaller topology", why=why)]
        if spot_helps:
            fixes.append(item.change("capacity", "spot", "on-demand"))
        return "; or ".join(fixes)
    if item is not None:
        if nodes >= 1:
            fixes = [item.change("maxNodes", f"at most {nodes}", pool.max_nodes, why=why)]
        else:
            fixes = [item.change("accelerator", "a smaller or cheaper accelerator", pool.shape.accelerator, why=why)]
        if spot_helps:
            fixes.append(item.change("capacity", "spot", "on-demand"))
        return "; or ".join(fixes)
    fixes = [_raw_max_fix(pool, nodes) if nodes >= 1 else "use a smaller or cheaper accelerator"]
    if spot_helps:
        fixes.append(f"set {_SPOT_FIELD.get(pool.cloud, 'spot')}")
    elif nodes >= 1:
        fixes.append("use a smaller accelerator" if units == {_ACCELERATORS} else "use a cheaper accelerator")
    return f"{', or '.join(fixes)} ({why})"


def stack_ceilings(view: View, s: Settings) -> list[Finding]:
    """Accelerators and USD/h at max scale: per environment against its ceilings, and the whole
    stack against the fleet spec's own budget (on-demand, as the spec defines it). One finding
    per pool, naming every limit it helps exceed."""
    pools = _accelerator_pools(view)
    by_env: dict[str, list[Pool]] = defaultdict(list)
    for pool in pools:
        by_env[s.environment(pool.labels)].append(pool)
    checks: list[dict[str, _Hit]] = []
    for env, group in sorted(by_env.items()):
        scope, label = f"the {env} part of the stack", f"the {env} ceiling"
        for key, unit in (("maxAccelerators", _ACCELERATORS), ("maxHourlyUsd", _USD)):
            limit = s.for_env(key, env)
            if isinstance(limit, int | float):
                checks.append(_over(group, unit, float(limit), scope, label))
    if s.raw("honourFleetBudget") is not False:
        for budget, unit in ((s.fleet.max_accelerators, _ACCELERATORS), (s.fleet.max_hourly_usd, _USD_ON_DEMAND)):
            if budget is not None:
                checks.append(_over(pools, unit, budget, _STACK, "the fleet spec's budget"))
    out: list[Finding] = []
    for pool in sorted(pools, key=lambda p: -_share(p, _USD)):
        hits = [c[pool.urn] for c in checks if pool.urn in c]
        if not hits:
            continue
        by_label: dict[str, list[_Hit]] = defaultdict(list)
        for h in hits:
            by_label[h.label].append(h)
        clauses = _ceiling_clauses(list(by_label.values()))
        reach = f"can reach {_what(pool, pool.max_nodes)}"
        if pool.max_nodes is None:
            reach = f"has an unknown max size at preview and at least {_what(pool, _counted_nodes(pool))}"
        note = _uncounted(pools) if any(h.shared for h in hits) else ""
        out.append(Finding(pool.urn, f"{pool.label} {reach}; {clauses}{note}", _ceiling_fix(pool, hits, s)))
    return out


# ----- pool-max-nodes -----------------------------------------------------------------------------
def _max_nodes_fix(pool: Pool, limit: float, env: str, s: Settings) -> str:
    item = _item(pool, s)
    cap = fmt_int(limit)
    if item is not None:
        change = item.change("maxNodes", f"at most {cap}", pool.max_nodes, why=f"{env} limit: {cap} per pool")
        return f"{change}, or split it into several pools"
    return f"{_raw_max_fix(pool, limit)}; or split the pool"


def pool_max_nodes(view: View, s: Settings) -> list[Finding]:
    """Nodes per accelerator pool at max scale against the environment's limit."""
    out: list[Finding] = []
    for pool in view.pools:
        if pool.max_nodes is None or not (pool.shape.accelerator or _accel_like(pool)):
            continue
        if pool.shape.tpu is not None and not pool.scalable:
            continue  # a fixed-size TPU slice: its size is tpu-slice-size's business
        env = s.environment(pool.labels)
        limit = s.for_env("maxNodesPerPool", env)
        if not isinstance(limit, int | float) or pool.max_nodes <= limit:
            continue
        detail = f" ({_what(pool, pool.max_nodes)})" if pool.shape.accelerator else ""
        if pool.zones > 1:
            per_zone = pool.max_nodes / pool.zones
            detail += (
                f", {fmt_int(per_zone)} per zone in {pool.zones} zones"
                if pool.per_zone_bounds and float(per_zone).is_integer()
                else f", in total over {pool.zones} zones"
            )
        out.append(
            Finding(
                pool.urn,
                f"{pool.label} can scale to {counted(round(pool.max_nodes), pool.node_word)}{detail}; the {env} limit "
                f"is {counted(round(limit), pool.node_word)} per pool",
                _max_nodes_fix(pool, limit, env, s),
            )
        )
    return out


def _accel_like(pool: Pool) -> bool:
    mt = pool.shape.machine_type
    return bool(mt) and looks_like_accelerator(pool.cloud, str(mt))


# ----- tpu-slice-size -------------------------------------------------------------------------------
def tpu_slice_size(view: View, s: Settings) -> list[Finding]:
    """Chips per TPU slice against the environment's limit."""
    out: list[Finding] = []
    for pool in view.pools:
        chips = pool.shape.tpu_chips
        if pool.shape.tpu is None or chips is None:
            continue
        env = s.environment(pool.labels)
        limit = s.for_env("maxChipsPerSlice", env)
        if isinstance(limit, int | float) and chips > limit:
            topo = _smaller_topology(pool, limit)
            item = _item(pool, s)
            why = f"{env} limit: {fmt_int(limit)} chips per slice"
            if item is not None:
                fix = item.change("topology", f"{topo} or smaller" if topo else "a smaller topology", why=why)
            else:
                fix = f"use a smaller topology / accelerator type ({why}{f', e.g. {topo}' if topo else ''})"
            out.append(
                Finding(
                    pool.urn,
                    f"{pool.label} is a TPU {pool.shape.tpu.version} slice of {fmt_int(chips)} chips "
                    f"({clip(pool.shape.machine_type)}); the {env} limit is {fmt_int(limit)} chips per slice",
                    fix,
                )
            )
    return out


# ----- scale-to-zero --------------------------------------------------------------------------------
def scale_to_zero(view: View, s: Settings) -> list[Finding]:
    """Autoscaling accelerator pools outside prod have a minimum of zero nodes.

    Fixed-size TPU slices (TPU VMs, queued resources, GKE TPU node pools without autoscaling)
    are not autoscaling pools: a slice is all of its VMs or none, and the fleet spec has no
    minimum for it; tpu-slice-size and stack-ceilings bound them instead.
    """
    out: list[Finding] = []
    for pool in _accelerator_pools(view):
        if not pool.scalable or pool.min_nodes is None or pool.min_nodes <= 0:
            continue
        env = s.environment(pool.labels)
        if not s.applies(env):
            continue
        item = _item(pool, s)
        if item is not None and not item.is_tpu:
            fix = item.change("minNodes", 0, pool.min_nodes, why=f"{env} pools scale to zero")
        else:
            field = _MIN_FIELD.get(pool.type, "its minimum size")
            fixed = pool.max_nodes == pool.min_nodes
            fix = f"enable autoscaling with a minimum of 0 ({field})" if fixed else f"set {field} to 0"
        out.append(
            Finding(
                pool.urn,
                f"{pool.label} keeps {_what(pool, pool.min_nodes)} running when idle; {env} pools must scale to zero",
                fix,
            )
        )
    return out


# ----- allowed-accelerator-classes ----------------------------------------------------------------
def _allowed_options(cloud: str, allowed: list[str], tpu: bool) -> list[str]:
    """Accelerators of the allowed classes that this cloud offers (TPU versions for TPU resources)."""
    cat = get_catalog()
    tpu_names = {t.accelerator for t in cat.tpus.values()}
    names = tpu_names if tpu else {o.accelerator for o in cat.offers_for(cloud)}
    rank = {c: i for i, c in enumerate(("frontier", "training", "inference"))}
    options = [cat.accelerators[n] for n in names if cat.accelerators[n].accel_class in allowed]
    return [a.name for a in sorted(options, key=lambda a: (rank.get(a.accel_class, 9), a.name))]


def allowed_classes(view: View, s: Settings) -> list[Finding]:
    """Each machine's accelerator class is allowed in its environment."""
    out: list[Finding] = []
    shapes = [(p.urn, p.label, p.labels, p.shape) for p in view.pools]
    shapes += [(t.urn, t.label, t.labels, t.shape) for t in view.templates]
    versions = {t.accelerator: t.version for t in get_catalog().tpus.values()}
    for urn, label, labels, shape in shapes:
        acc, cls = shape.accelerator, shape.accel_class
        if acc is None or cls is None:
            continue
        env = s.environment(labels)
        allowed = s.for_env("allowedClasses", env)
        if not isinstance(allowed, list) or cls in allowed:
            continue
        options = _allowed_options(shape.cloud, allowed, shape.tpu is not None)
        allowed_text = ", ".join(allowed) if allowed else "no accelerator classes"
        why = f"{env} allows {allowed_text}"
        item = s.fleet.spec.item(labels)
        if item is not None and options:
            if item.is_tpu:
                names = ", ".join(versions.get(o, o) for o in options[:4])
                fix = item.change("version", f"one of {names}", shape.tpu.version if shape.tpu else None, why=why)
            else:
                fix = item.change("accelerator", f"one of {', '.join(options[:4])}", acc, why=why)
            fix += f"; or environment: {env} → one that allows {cls}"
        else:
            hint = f" (on {shape.cloud}: {', '.join(options[:4])})" if options else ""
            fix = f"use an accelerator of an allowed class{hint}, or deploy it to an environment that allows {cls}"
        out.append(Finding(urn, f"{label} uses {acc} ({cls} class) on {clip(shape.machine_type)}; {why}", fix))
    return out


# ----- spot-outside-prod ------------------------------------------------------------------------------
def spot_outside_prod(view: View, s: Settings) -> list[Finding]:
    """Accelerator pools outside prod use spot (or reserved) capacity."""
    out: list[Finding] = []
    for pool in _accelerator_pools(view):
        shape = pool.shape
        if shape.spot or shape.reserved or (shape.spot is None and pool.type.endswith("V2QueuedResource")):
            continue
        env = s.environment(pool.labels)
        if not s.applies(env):
            continue
        nodes = pool.max_nodes
        now = pool.usd_at(nodes)
        saving = ""
        if shape.spot_usd is not None and nodes is not None and now is not None:
            saving = f"spot: {fmt_usd(nodes * shape.spot_usd)}/h at max scale"
        item = _item(pool, s)
        if item is not None:
            fix = item.change("capacity", "spot", "on-demand", why=saving)
        else:
            fix = f"set {_SPOT_FIELD.get(pool.cloud, 'spot')}" + (f" ({saving})" if saving else "")
        out.append(
            Finding(
                pool.urn,
                f"{pool.label} runs {_what(pool, nodes)} on on-demand capacity; {env} pools should use spot capacity",
                fix,
            )
        )
    return out


# ----- under-networked / fabric-unused ----------------------------------------------------------------
def _standalone_groups(view: View) -> dict[tuple[str, str], list[Pool]]:
    groups: dict[tuple[str, str], list[Pool]] = defaultdict(list)
    for p in view.pools:
        if not p.scalable and p.fabric_applies and p.shape.offer is not None and p.shape.tpu is None:
            groups[(p.cloud, p.shape.offer.machine_type)].append(p)
    return groups


# Display names of the catalog's fabric kinds (fabrics.yaml holds what each one needs).
_FABRIC_NAMES = {
    "gpudirect-tcpx": "GPUDirect-TCPX",
    "gpudirect-tcpxo": "GPUDirect-TCPXO",
    "gpudirect-rdma": "GPUDirect-RDMA",
    "infiniband": "InfiniBand",
    "efa": "EFA",
}


def _fabric_name(offer: Offer) -> str:
    detail = ""
    if offer.fabric.efa_interfaces:
        detail = f" ({offer.fabric.efa_interfaces} EFA interfaces)"
    elif offer.fabric.gpu_nics:
        detail = f" ({offer.fabric.gpu_nics} GPU NICs)"
    elif offer.fabric.links:
        detail = f" ({offer.fabric.links} x {offer.fabric.link_gbps} Gb/s links)"
    return _FABRIC_NAMES.get(offer.fabric.kind, offer.fabric.kind) + detail


def under_networked(view: View, s: Settings) -> list[Finding]:
    """Pools that can exceed one node, on machines whose fabric is essential, have it configured."""
    out: list[Finding] = []
    groups = _standalone_groups(view)
    for pool in view.pools:
        shape = pool.shape
        if not pool.fabric_applies or not shape.fabric_essential or shape.offer is None or not shape.fabric_missing:
            continue
        if pool.scalable:
            if pool.max_nodes is None or pool.max_nodes < 2:
                continue
            reach = f"can reach {_what(pool, pool.max_nodes)}"
        else:
            peers = groups.get((pool.cloud, shape.offer.machine_type), [])
            if len(peers) < 2:
                continue
            reach = f"is one of {len(peers)} {shape.offer.machine_type} {pool.node_word}s in this stack"
        missing = list(shape.fabric_missing)
        if s.raw("requirePlacement") is False:
            missing = [m for m in missing if "placement" not in m]
        if not missing:
            continue
        item = _item(pool, s)
        if item is not None:
            fix = (
                item.cluster_change(
                    "network.fabric", "auto", why="the pool gets its fabric and compact placement; needs zone"
                )
                + f"; or {item.change('maxNodes', 1, pool.max_nodes)}"
            )
        else:
            fix = "configure the missing fabric parts, or cap the pool at one node"
        out.append(
            Finding(
                pool.urn,
                f"{pool.label} {reach}, whose {_fabric_name(shape.offer)} fabric is essential for multi-node "
                f"training, but has {'; '.join(missing)}",
                fix,
            )
        )
    return out


def _no_fabric_alternative(offer: Offer) -> Offer | None:
    cat = get_catalog()
    options = [
        o
        for o in cat.offers_for(offer.cloud, offer.accelerator)
        # "No fabric" means none worth paying for: p5.4xlarge's single optional EFA counts as none.
        if not o.fabric.essential and o.accelerators_per_node <= offer.accelerators_per_node
    ]
    return max(options, key=lambda o: o.accelerators_per_node, default=None)


def fabric_unused(view: View, s: Settings) -> list[Finding]:
    """Fabric-class machines in pools that can never exceed one node."""
    out: list[Finding] = []
    groups = _standalone_groups(view)
    for pool in view.pools:
        shape = pool.shape
        offer = shape.offer
        if offer is None or not offer.fabric.essential or not pool.fabric_applies:
            continue
        if pool.scalable:
            if pool.max_nodes is None or pool.max_nodes > 1 or pool.max_nodes == 0:
                continue
            where = "can never exceed one node"
            fix_more = "raise the pool's maximum above one node if it is meant for multi-node training"
        else:
            if len(groups.get((pool.cloud, offer.machine_type), [])) > 1:
                continue
            where = f"is the only {offer.machine_type} {pool.node_word} in this stack"
            fix_more = "add its peers to this stack if it is meant for multi-node training"
        alt = _no_fabric_alternative(offer)
        configured = (
            f", and what is configured for it ({', '.join(shape.fabric_present)}) goes unused"
            if shape.fabric_present
            else ""
        )
        item = _item(pool, s)
        fixes = []
        if alt is not None:
            price = f", {fmt_usd(alt.price.on_demand_usd)}/h" if alt.price.on_demand_usd is not None else ""
            alt_what = f"{alt.machine_type}: {alt.accelerators_per_node} {alt.accelerator}{price}, no fabric"
            if item is not None and alt.accelerators_per_node != offer.accelerators_per_node:
                per_node = offer.accelerators_per_node
                fixes.append(item.change("acceleratorsPerNode", alt.accelerators_per_node, per_node, why=alt_what))
            elif item is not None:
                fixes.append(item.change("machineType", alt.machine_type, offer.machine_type, why=alt_what))
            else:
                fixes.append(f"if one node is enough, use {alt.machine_type} ({alt_what.split(': ', 1)[1]})")
        if item is not None and pool.scalable:
            more = item.change("maxNodes", "more than 1", pool.max_nodes)
            fixes.append(f"{more} if it is meant for multi-node training")
        else:
            fixes.append(fix_more)
        out.append(
            Finding(
                pool.urn,
                f"{pool.label} {where}, so the {_fabric_name(offer)} fabric of {offer.machine_type} is paid for "
                f"but never used{configured}",
                "; or ".join(fixes),
            )
        )
    return out


# ----- shared storage ---------------------------------------------------------------------------------
def _demand(view: View, s: Settings) -> dict[str, tuple[float, str]]:
    """Read MB/s the accelerators of each cloud need at max scale, and a description."""
    rates = s.raw("mbpsPerAccelerator") or {}
    defaults = (s.spec.properties.get("mbpsPerAccelerator") or {}).get("default", {})
    by_cloud: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for pool in _accelerator_pools(view):
        acc = pool.accelerators_at_max
        if acc:
            by_cloud[pool.cloud][f"{pool.shape.accelerator}|{pool.shape.accel_class}"] += acc
    out: dict[str, tuple[float, str]] = {}
    for cloud, counts in by_cloud.items():
        total = 0.0
        parts = []
        used_rates: dict[str, float] = {}
        for key, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            acc_name, cls = key.split("|")
            rate = float(rates.get(cls, defaults.get(cls, 0)))
            used_rates[cls] = rate
            total += n * rate
            parts.append(f"{fmt_int(n)} {acc_name}")
        rate_text = ", ".join(f"{fmt_int(r)} MB/s per {c} accelerator" for c, r in sorted(used_rates.items()))
        out[cloud] = (total, f"{' + '.join(parts)} at max scale ({rate_text})")
    return out


def _supply_text(st: SharedStorage) -> str:
    assert st.throughput_mbps is not None
    if st.per_tib and st.capacity_tib:
        return f"{fmt_int(st.throughput_mbps)} MB/s ({st.capacity_tib:,.1f} TiB x {fmt_int(st.per_tib)} MB/s per TiB)"
    return f"{fmt_int(st.throughput_mbps)} MB/s"


def _smallest(st: SharedStorage) -> float | None:
    """The least throughput the service can be provisioned with (per-TiB tiers from the catalog)."""
    for offer in get_catalog().storage.values():
        if offer.resource_type == st.type and offer.tiers:
            return min(t.min_gib / 1024 * tier for tier, t in offer.tiers.items())
    return None


def shared_storage_overprovisioned(view: View, s: Settings) -> list[Finding]:
    """Shared file systems whose throughput is far beyond what the stack's accelerators read."""
    out: list[Finding] = []
    ratio = float(s.raw("maxRatio") or 4)
    demand = _demand(view, s)
    for st in view.storage:
        if st.throughput_mbps is None or st.cloud not in demand:
            continue
        need, need_text = demand[st.cloud]
        if need <= 0 or st.throughput_mbps <= ratio * need:
            continue
        smallest = _smallest(st)
        item = s.fleet.spec.item(st.labels, "storage")
        enough = f"at most {fmt_int(ratio * need)} MB/s passes"
        is_smallest = smallest is not None and st.throughput_mbps <= smallest * 1.001
        if smallest is not None and (is_smallest or smallest > ratio * need):
            # no size or tier of this service gets under the limit: another service does
            why = f"the smallest {st.kind} {'already ' if is_smallest else ''}delivers {fmt_int(smallest)} MB/s"
            if item is not None:
                fix = f"{item.change('kind', 'nfs', why=why)}; or share one file system across more accelerators"
            else:
                fix = (
                    f"use a smaller service (an NFS share, Parallelstore, object storage: {why}), or share one file "
                    "system across more accelerators"
                )
        elif item is not None:
            fix = _storage_fix(st, item, ratio * need, up=False, why=enough)
        else:
            fix = f"lower the capacity or the throughput tier ({enough})"
        out.append(
            Finding(
                st.urn,
                f"{st.label} delivers {_supply_text(st)}, {st.throughput_mbps / need:,.1f}x the {fmt_int(need)} MB/s "
                f"the stack's {need_text} can read; the limit is {ratio:g}x",
                fix,
            )
        )
    return out


def shared_storage_bottleneck(view: View, s: Settings) -> list[Finding]:
    """Shared file systems far below the throughput the stack's accelerators need (a data bottleneck)."""
    out: list[Finding] = []
    ratio = float(s.raw("minRatio") if s.raw("minRatio") is not None else 0.25)
    demand = _demand(view, s)
    by_cloud: dict[str, list[SharedStorage]] = defaultdict(list)
    for st in view.storage:
        if st.throughput_mbps is not None:
            by_cloud[st.cloud].append(st)
    for cloud, items in by_cloud.items():
        if cloud not in demand:
            continue
        need, need_text = demand[cloud]
        supply = sum(st.throughput_mbps or 0 for st in items)
        if need <= 0 or supply >= ratio * need:
            continue
        for st in items:
            total = "" if len(items) == 1 else f" (with the stack's other file systems {fmt_int(supply)} MB/s)"
            item = s.fleet.spec.item(st.labels, "storage")
            enough = f"at least {fmt_int(ratio * need)} MB/s in all"
            if item is not None:
                # what this file system must deliver with the stack's others unchanged
                missing = ratio * need - (supply - (st.throughput_mbps or 0))
                fix = _storage_fix(st, item, missing, up=True, why=enough)
            else:
                fix = f"raise the capacity or the throughput tier ({enough})"
            out.append(
                Finding(
                    st.urn,
                    f"{st.label} delivers {_supply_text(st)}{total}, {supply / need:.2g}x the {fmt_int(need)} MB/s "
                    f"the stack's {need_text} read; below {ratio:g}x the accelerators wait on data",
                    fix,
                )
            )
    return out


def _storage_offer(st: SharedStorage, item: SpecItem) -> StorageOffer | None:
    kind = item.value("kind")  # the spec's kind (lustre, nfs); st.kind is the service's name
    return get_catalog().storage_offer(st.cloud, str(kind)) if kind else None


def _tier_now(st: SharedStorage) -> int | None:
    return round(st.per_tib) if st.per_tib else None


def _storage_fix(st: SharedStorage, item: SpecItem, mbps: float, *, up: bool, why: str) -> str:
    """A spec fix that brings this file system to at least (``up``) or at most ``mbps``: the size,
    or the tier at today's size, as alternatives each enough alone, in values the service accepts
    (the catalog's steps); in words when neither alone is."""
    size, tier = _capacity_to(st, item, mbps, up=up), _tier_to(st, item, mbps, up=up)
    fixes = [item.change("capacityGiB", size, why=why)] if size is not None else []
    if tier is not None:
        fixes.append(item.change("throughputMBpsPerTiB", tier, _tier_now(st)))
    return "; or ".join(fixes) or (
        f"{item.change('capacityGiB', 'more' if up else 'less', why=why)}; or "
        f"{item.change('throughputMBpsPerTiB', 'a higher tier' if up else 'a lower tier')}"
    )


def _capacity_to(st: SharedStorage, item: SpecItem, mbps: float, *, up: bool) -> int | None:
    """The smallest capacity the service accepts in the item's tier at which this file system
    delivers at least ``mbps`` (``up``), or the largest smaller one at which it delivers at most
    that; None when there is none or the tier has no per-TiB rate."""
    offer = _storage_offer(st, item)
    now = item.value("capacityGiB")
    if not st.per_tib or offer is None or not isinstance(now, int | float):
        return None
    tier = offer.tier(_tier_now(st) if offer.tiers else None)
    if tier is None:
        return None
    exact = mbps / st.per_tib * 1024
    below, above = tier.valid_around(ceil(exact) if up else floor(exact))
    return above if up else (below if below is not None and below < now else None)


def _tier_to(st: SharedStorage, item: SpecItem, mbps: float, *, up: bool) -> int | None:
    """The nearest throughput tier above (``up``) or below today's that accepts today's capacity
    and at it delivers at least (``up``) or at most ``mbps``."""
    offer = _storage_offer(st, item)
    gib = item.value("capacityGiB")
    if offer is None or not st.per_tib or st.capacity_tib is None or not isinstance(gib, int | float):
        return None
    for t in sorted(offer.tiers, reverse=not up):
        beyond = t > st.per_tib if up else t < st.per_tib
        enough = st.capacity_tib * t >= mbps if up else st.capacity_tib * t <= mbps
        if beyond and enough and offer.tiers[t].accepts(int(gib)):
            return t
    return None


# ----- volume-performance ----------------------------------------------------------------------------------
def volume_performance(view: View, s: Settings) -> list[Finding]:
    """Provisioned IOPS / throughput no larger than the instance serving the volume can drive."""
    out: list[Finding] = []
    # standalone volumes: the most any accelerator instance of the same cloud in the stack can drive
    largest: dict[str, tuple[float, float]] = {}
    for pool in view.pools:
        mt = pool.shape.machine_type
        lim = disk_limits(pool.cloud, mt) if mt else None
        if lim is not None:
            cur = largest.get(pool.cloud, (0.0, 0.0))
            largest[pool.cloud] = (max(cur[0], lim[0]), max(cur[1], lim[1]))
    for vol in view.volumes:
        if vol.machine_type:
            lim = disk_limits(vol.cloud, vol.machine_type)
            if lim is None:
                continue
            max_iops, max_mbps = lim
            who = f"one {clip(vol.machine_type)}"
            fix_who = ""
        elif vol.cloud in largest:
            max_iops, max_mbps = largest[vol.cloud]
            who = "the largest instance in this stack"
            fix_who = " or attach it to a larger instance"
        else:
            continue
        problems = []
        item = s.fleet.spec.item(vol.labels, "storage")
        if vol.iops is not None and vol.iops > max_iops:
            problems.append(
                (f"{fmt_int(vol.iops)} IOPS", f"{fmt_int(max_iops)} IOPS", "iops", vol.iops, fmt_int(max_iops), "IOPS")
            )
        if vol.throughput_mbps is not None and vol.throughput_mbps > max_mbps:
            problems.append(
                (
                    f"{fmt_int(vol.throughput_mbps)} MB/s",
                    f"{fmt_int(max_mbps)} MB/s",
                    "throughputMBps",
                    vol.throughput_mbps,
                    fmt_int(max_mbps),
                    "throughput",
                )
            )
        for asked, limit, key, now, cap, what in problems:
            if item is not None:
                fix = item.change(key, f"at most {cap}", now) + fix_who
            else:
                fix = f"lower the provisioned {what} to {limit}{fix_who}"
            out.append(
                Finding(
                    vol.urn,
                    f"{vol.label} provisions {asked}; {who} can drive at most {limit} to its volumes, so the rest is "
                    "paid for and never delivered",
                    fix,
                )
            )
    return out


# ----- accelerator-visibility -----------------------------------------------------------------------------
def accelerator_visibility(view: View, s: Settings) -> list[Finding]:
    """Everything the pack could not read, as advisories."""
    out = [Finding(n.urn, n.message, n.fix) for n in view.notes]
    for pool in view.pools:
        shape = pool.shape
        if (
            pool.fabric_applies
            and shape.fabric_essential
            and shape.fabric_missing is None
            and (pool.max_nodes or 0) >= 2
        ):
            out.append(
                Finding(
                    pool.urn,
                    f"{pool.label}: its fabric configuration (networks, placement) is unknown at "
                    "preview, so under-networked cannot check it yet",
                    UNKNOWN_FIX,
                )
            )
    unknown_max = [p for p in _accelerator_pools(view) if p.max_nodes is None]
    if unknown_max:
        known = [p for p in _accelerator_pools(view) if p not in unknown_max]
        total_acc = sum(_share(p, "accelerators") for p in _accelerator_pools(view))
        total_usd = sum(_share(p, "usd") for p in _accelerator_pools(view))
        missing = ", ".join(
            f"{p.label} (at its minimum, {counted(round(_counted_nodes(p)), p.node_word)})" for p in unknown_max
        )
        out.append(
            Finding(
                "",
                f"the ceilings counted {fmt_int(total_acc)} accelerators and {fmt_usd(total_usd)}/h at max scale from "
                f"{counted(len(known), 'pool')} of known size; the max size of {missing} is unknown at preview, so the "
                "stack may reach more",
                "give those sizes as plain values (not outputs of other resources) to check them",
            )
        )
    env, source = s.default_environment()
    accel = [p for p in view.pools if p.shape.accelerator is not None]
    if source == "fallback":
        # no configured environment: every pool not labelled with the strictest one gets it anyway
        unknown = [p for p in accel if s.environment(p.labels) != p.labels.get("aiinfra-environment")]
        if unknown:
            names = ", ".join(p.label for p in unknown[:3]) + (" and others" if len(unknown) > 3 else "")
            out.append(
                Finding(
                    "",
                    f"the stack's environment is not configured (policy config environment, stack tag "
                    f"aiinfra-environment or the fleet spec's environment), so the strictest, '{env}', thresholds "
                    f"apply to {names}; a resource's own label cannot lift them",
                    "set one of them",
                )
            )
    else:
        for p in accel:
            lifted = s.lifted_label(p.labels)
            if lifted is not None:
                out.append(
                    Finding(
                        p.urn,
                        f"{p.label} is labelled aiinfra-environment: {lifted}, but the stack's environment is "
                        f"'{env}' ({source}), so the '{env}' thresholds apply; a resource's label can only make "
                        "its limits stricter",
                        f"change the stack's environment to deploy it as {lifted}",
                    )
                )
    return out


RULES: Mapping[str, Rule] = {
    "stack-ceilings": stack_ceilings,
    "pool-max-nodes": pool_max_nodes,
    "tpu-slice-size": tpu_slice_size,
    "scale-to-zero": scale_to_zero,
    "allowed-accelerator-classes": allowed_classes,
    "spot-outside-prod": spot_outside_prod,
    "under-networked": under_networked,
    "fabric-unused": fabric_unused,
    "shared-storage-overprovisioned": shared_storage_overprovisioned,
    "shared-storage-bottleneck": shared_storage_bottleneck,
    "volume-performance": volume_performance,
    "accelerator-visibility": accelerator_visibility,
}


def evaluate(view: View, settings: Iterable[Settings]) -> dict[str, list[Finding]]:
    """Run every configured policy on a view (the planner's in-process path and the tests')."""
    return {st.spec.name: RULES[st.spec.name](view, st) for st in settings}
