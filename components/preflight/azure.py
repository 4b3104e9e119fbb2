"""Azure preflight: VM size availability and restrictions, vCPU quotas per family, capacity
reservations, InfiniBand.

Per GPU pool:

- ``offering``: the VM size is listed for the region (``resource_skus.list(filter="location
  eq '<region>'")``), has no ``Location`` restriction for this subscription, and when the
  cluster has a zone, the zone is in ``locationInfo.zones`` and not under a ``Zone``
  restriction.
- ``quota``: ``usage.list(location)``: the size's family quota (the SKU's ``family``, e.g.
  ``standardNDSH100v5Family``) and ``Total Regional vCPUs`` (``cores``) cover what is in use
  plus every pool of the cluster in that family at max nodes; spot pools count against
  ``Total Regional Low-priority vCPUs`` (``lowPriorityCores``) instead.
- ``reservation`` (``capacity: reserved``): the capacity reservation group (by resource ID)
  exists and holds a reservation for this size (in the zone) with room for max nodes.
- ``fabric`` (InfiniBand pools): the SKU's ``RdmaEnabled`` capability is ``True``.

Credentials: ``DefaultAzureCredential`` (environment, workload identity, managed identity,
Azure CLI ``az login``...); the subscription from the stack config, ``--azure-subscription``
or ``AZURE_SUBSCRIPTION_ID``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from components.preflight.model import BaseChecker, CheckFailed, CheckResult, CredentialsError, PreflightOptions, Row
from components.preflight.retry import Backoff, Throttled
from components.spec.resolved import ResolvedCluster, ResolvedPool
from components.terminal import counted

CLOUD = "azure"
TOTAL_CORES = "cores"  # "Total Regional vCPUs"
LOW_PRIORITY_CORES = "lowPriorityCores"  # "Total Regional Low-priority vCPUs" (Spot)
ARM_SCOPE = "https://management.azure.com/.default"

HOW_TO_FIX = (
    "sign in the way DefaultAzureCredential finds it: `az login` (then `az account set -s SUB`), or "
    "AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET (or workload identity / managed identity); and "
    "name the subscription with azure-native:subscriptionId in the stack config, --azure-subscription, "
    "or AZURE_SUBSCRIPTION_ID"
)


@dataclass
class AzureClients:
    """The ``ComputeManagementClient`` operation groups preflight uses (tests pass fakes)."""

    usage: Any
    resource_skus: Any
    capacity_reservation_groups: Any
    capacity_reservations: Any


def default_clients(subscription: str | None, credential: Any = None, call_timeout: float = 10.0) -> AzureClients:
    """Clients on ``DefaultAzureCredential``; raises ``CredentialsError`` when it finds nothing."""
    from azure.core.exceptions import ClientAuthenticationError

    if not subscription:
        raise CredentialsError(CLOUD, "no Azure subscription to check", HOW_TO_FIX)
    if credential is None:
        from azure.identity import DefaultAzureCredential

        credential = DefaultAzureCredential()
    try:
        credential.get_token(ARM_SCOPE)
    except ClientAuthenticationError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CredentialsError(CLOUD, f"no usable Azure credentials ({first})", HOW_TO_FIX) from exc
    from azure.mgmt.compute import ComputeManagementClient

    # per-call timeouts (azure-core ConnectionConfiguration); the run's Deadline bounds the retries
    client = ComputeManagementClient(
        credential,
        subscription,
        retry_total=4,
        connection_timeout=min(5.0, call_timeout),
        read_timeout=call_timeout,
    )
    return AzureClients(
        usage=client.usage,
        resource_skus=client.resource_skus,
        capacity_reservation_groups=client.capacity_reservation_groups,
        capacity_reservations=client.capacity_reservations,
    )


def _is_throttle(exc: Exception) -> bool:
    from azure.core.exceptions import HttpResponseError

    return isinstance(exc, HttpResponseError) and exc.status_code == 429


def _enum(value: Any) -> str:
    """SDK enums and plain strings alike (``ResourceSkuRestrictionsType.ZONE`` -> ``Zone``)."""
    return str(getattr(value, "value", value))


def capability(sku: Any, name: str) -> str | None:
    for cap in sku.capabilities or []:
        if cap.name == name:
            return str(cap.value)
    return None


class AzureChecker(BaseChecker):
    """Preflight checks for ``cloud: azure`` clusters (see the module docstring)."""

    cloud = CLOUD

    def __init__(
        self,
        options: PreflightOptions | None = None,
        clients: AzureClients | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.options = options or PreflightOptions()
        self.clients = clients or default_clients(
            self.options.azure_subscription, call_timeout=self.options.call_timeout_seconds
        )
        self.backoff = backoff or Backoff(deadline=self.options.deadline)
        self._skus: dict[str, dict[str, Any]] = {}
        self._usage: dict[str, dict[str, Any]] = {}

    # --- API access -----------------------------------------------------------------

    def _call(self, what: str, permission: str, fn: Callable[[], Any]) -> Any:
        from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

        try:
            return self.backoff.call(fn, _is_throttle)
        except Throttled as exc:
            raise CheckFailed(
                f"{what}: still throttled (429) after {counted(exc.attempts, 'attempt')}; re-run later"
            ) from exc
        except ClientAuthenticationError as exc:
            raise CredentialsError(CLOUD, f"Azure rejected the credentials ({exc.message})", HOW_TO_FIX) from exc
        except HttpResponseError as exc:
            if exc.status_code == 403:
                raise CheckFailed(f"{what}: permission denied; the caller needs {permission}") from exc
            raise

    def _sku_map(self, region: str) -> dict[str, Any]:
        if region not in self._skus:
            skus = self._call(
                f"resourceSkus list in {region}",
                "Microsoft.Compute/skus/read",
                lambda: list(self.clients.resource_skus.list(filter=f"location eq '{region}'")),
            )
            self._skus[region] = {s.name: s for s in skus if s.resource_type == "virtualMachines"}
        return self._skus[region]

    def _usages(self, region: str) -> dict[str, Any]:
        if region not in self._usage:
            usages = self._call(
                f"usages in {region}",
                "Microsoft.Compute/locations/usages/read",
                lambda: list(self.clients.usage.list(region)),
            )
            self._usage[region] = {u.name.value: u for u in usages}
        return self._usage[region]

    # --- checks ---------------------------------------------------------------------

    def _pool_checks(
        self, pool: ResolvedPool
    ) -> Iterable[tuple[str, Callable[[ResolvedCluster, ResolvedPool, Row], CheckResult]]]:
        yield "offering", self._check_offering
        yield "quota", self._check_quota
        if pool.spec.capacity == "reserved":
            yield "reservation", self._check_reservation
        if pool.fabric is not None and pool.fabric.kind == "infiniband":
            yield "fabric", self._check_rdma

    def _api_error(self, exc: Exception) -> str | None:
        from azure.core.exceptions import AzureError

        # HTTP errors, and ServiceRequestError (cannot reach ARM)
        return str(exc.message) if isinstance(exc, AzureError) else None

    def _check_offering(self, cluster: ResolvedCluster, pool: ResolvedPool, row: Row) -> CheckResult:
        region, zone, size = cluster.spec.region, cluster.spec.zone, pool.offer.machine_type
        sku = self._sku_map(region).get(size)
        if sku is None:
            return row.result("fail", f"{size} is not offered in {region}", vmSize=size, location=region)
        zones = sorted(
            {z for info in sku.location_info or [] if info.location.lower() == region.lower() for z in info.zones or []}
        )
        blocked_zones: set[str] = set()
        for r in sku.restrictions or []:
            kind, reason = _enum(r.type), _enum(r.reason_code)
            if kind == "Location":
                return row.result(
                    "fail",
                    f"{size} is restricted in {region} for this subscription ({reason}); "
                    "ask Azure support for access to the size in this region",
                    vmSize=size,
                    reasonCode=reason,
                )
            if kind == "Zone" and r.restriction_info is not None:
                blocked_zones.update(r.restriction_info.zones or [])
        usable = [z for z in zones if z not in blocked_zones]
        details = {"vmSize": size, "zones": usable, "restrictedZones": sorted(blocked_zones)}
        if zone is not None and zone not in usable:
            why = "restricted for this subscription" if zone in blocked_zones else "not offered"
            others = ", ".join(usable) or "none"
            return row.result("fail", f"{size} is {why} in zone {zone} of {region} (usable zones: {others})", **details)
        where = (
            f"zone {zone} of {region}" if zone else f"{region}" + (f" (zones {', '.join(usable)})" if usable else "")
        )
        return row.result("ok", f"{size} is offered in {where}", **details)

    def _vcpus(self, region: str, pool: ResolvedPool) -> int:
        sku = self._sku_map(region).get(pool.offer.machine_type)
        value = capability(sku, "vCPUs") if sku is not None else None
        return int(value) if value else pool.offer.vcpu

    def _check_quota(self, cluster: ResolvedCluster, pool: ResolvedPool, row: Row) -> CheckResult:
        region, size = cluster.spec.region, pool.offer.machine_type
        if pool.spec.capacity == "reserved":
            return row.result(
                "skipped", f"VMs in capacity reservation group {pool.spec.reservation} use the quota it holds"
            )
        skus = self._sku_map(region)
        sku = skus.get(size)
        if sku is None:
            return row.result("skipped", f"{size} is not offered in {region}; no family quota to check")
        usages = self._usages(region)
        spot = pool.spec.capacity == "spot"

        def family(p: ResolvedPool) -> str | None:
            s = skus.get(p.offer.machine_type)
            return s.family if s is not None else None

        this = pool.spec.max_nodes * self._vcpus(region, pool)
        same_class = [p for p in cluster.pools if p.spec.capacity == pool.spec.capacity and family(p) is not None]
        if spot:
            # Spot VMs count against one regional low-priority quota, whatever their family.
            buckets = [(LOW_PRIORITY_CORES, same_class)]
        else:
            buckets = [
                (str(sku.family), [p for p in same_class if family(p) == sku.family]),
                (TOTAL_CORES, same_class),
            ]
        details: dict[str, object] = {"vmSize": size, "family": sku.family, "poolVcpus": this}
        problems: list[str] = []
        summary: list[str] = []
        for name, pools in buckets:
            needed = sum(p.spec.max_nodes * self._vcpus(region, p) for p in pools)
            u = usages.get(name)
            if u is None:
                problems.append(f"no '{name}' quota in {region}")
                continue
            label = u.name.localized_value or name
            limit, current = int(u.limit), int(u.current_value)
            details[name] = {"limit": limit, "inUse": current, "needed": needed}
            if current + needed > limit:
                problems.append(
                    f"'{label}' is {limit} with {current} in use, the pools on it need {needed}: "
                    f"request at least {current + needed}"
                )
            else:
                summary.append(f"'{label}' {limit} ({current} in use, {needed} needed)")
        what = f"{pool.spec.max_nodes} x {size} = {this} vCPUs"
        if problems:
            return row.result(
                "fail",
                f"{what} at maxNodes, but " + "; ".join(problems) + " (Portal > Quotas > Compute)",
                **details,
            )
        return row.result("ok", f"{what} fits: " + "; ".join(summary), **details)

    def _check_reservation(self, cluster: ResolvedCluster, pool: ResolvedPool, row: Row) -> CheckResult:
        from azure.core.exceptions import ResourceNotFoundError

        rid = pool.spec.reservation or ""
        parts = rid.strip("/").split("/")
        lowered = [p.lower() for p in parts]
        if "resourcegroups" not in lowered or "capacityreservationgroups" not in lowered:
            return row.result(
                "fail",
                f"reservation '{rid}' is not a capacity reservation group resource ID "
                "(/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Compute/capacityReservationGroups/NAME)",
                reservation=rid,
            )
        rg = parts[lowered.index("resourcegroups") + 1]
        group = parts[lowered.index("capacityreservationgroups") + 1]
        size, zone, nodes = pool.offer.machine_type, cluster.spec.zone, pool.spec.max_nodes
        try:
            self._call(
                f"capacityReservationGroups get {group}",
                "Microsoft.Compute/capacityReservationGroups/read",
                lambda: self.clients.capacity_reservation_groups.get(rg, group),
            )
            reservations = self._call(
                f"capacityReservations list in {group}",
                "Microsoft.Compute/capacityReservationGroups/capacityReservations/read",
                lambda: list(self.clients.capacity_reservations.list_by_capacity_reservation_group(rg, group)),
            )
        except ResourceNotFoundError:
            return row.result(
                "fail",
                f"capacity reservation group {group} does not exist in resource group {rg} "
                "(or this identity cannot see it)",
                reservation=rid,
            )
        matching = [
            r
            for r in reservations
            if r.sku is not None and r.sku.name == size and (not zone or zone in (r.zones or []))
        ]
        if not matching:
            held = ", ".join(f"{r.sku.name} x{r.sku.capacity} {r.zones or ''}" for r in reservations) or "nothing"
            where = f" in zone {zone}" if zone else ""
            return row.result(
                "fail",
                f"capacity reservation group {group} holds no {size} reservation{where} (it holds {held})",
                reservation=rid,
            )
        capacity = sum(int(r.sku.capacity or 0) for r in matching)
        used = 0
        for r in matching:
            view = getattr(r, "instance_view", None)
            util = getattr(view, "utilization_info", None) if view is not None else None
            allocated = getattr(util, "virtual_machines_allocated", None) if util is not None else None
            used += len(allocated if allocated is not None else (r.virtual_machines_associated or []))
        details = {"reservation": rid, "vmSize": size, "capacity": capacity, "inUse": used}
        if capacity - used < nodes:
            return row.result(
                "fail",
                f"capacity reservation group {group}: {capacity - used} of {capacity} {size} free, "
                f"the pool scales to {nodes}",
                **details,
            )
        return row.result(
            "ok", f"capacity reservation group {group}: {capacity - used}/{capacity} {size} free", **details
        )

    def _check_rdma(self, cluster: ResolvedCluster, pool: ResolvedPool, row: Row) -> CheckResult:
        size = pool.offer.machine_type
        sku = self._sku_map(cluster.spec.region).get(size)
        if sku is None:
            return row.result("skipped", f"{size} is not offered in {cluster.spec.region}")
        rdma = capability(sku, "RdmaEnabled")
        if rdma != "True":
            return row.result(
                "fail", f"{size} does not report RdmaEnabled (InfiniBand); use network.fabric: none", rdmaEnabled=rdma
            )
        return row.result("ok", f"{size} has RDMA over InfiniBand (RdmaEnabled)", rdmaEnabled=rdma)
