"""GCP preflight: machine and accelerator types in the zone, GPU quotas, reservations.

Per GPU pool:

- ``offering``: the machine type exists in the cluster's zone (``MachineTypesClient.get``;
  without a zone, ``aggregated_list`` filtered by name, any zone of the region will do), and
  the pool's accelerator type too (``AcceleratorTypesClient.get`` / ``aggregated_list``).
- ``quota``: the region's GPU quota for the accelerator (``RegionsClient.get`` -> ``quotas``:
  ``NVIDIA_H100_GPUS``, or ``PREEMPTIBLE_NVIDIA_H100_GPUS`` for spot when the project has
  such quota; Spot VMs fall back to the standard quota when it is 0) and the project-wide
  ``GPUS_ALL_REGIONS`` (``ProjectsClient.get``) cover what is in use plus every pool of the
  cluster on that quota at max nodes.
- ``reservation`` (``capacity: reserved``): the reservation exists in the zone
  (``ReservationsClient.get``), is READY, reserves this machine type and has
  ``count - inUseCount`` >= max nodes.

Per TPU slice (GKE mode): the TPU machine type in the zone, and the reservation; TPU quota
lives in other quota metrics (Cloud TPU API / GKE) and is reported as skipped.

Credentials: Application Default Credentials (``google.auth.default()``).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from components.preflight.model import BaseChecker, CheckFailed, CheckResult, CredentialsError, PreflightOptions, Row
from components.preflight.retry import Backoff, Throttled
from components.spec.resolved import ResolvedCluster, ResolvedPool, ResolvedSlice
from components.terminal import counted

CLOUD = "gcp"

# guest accelerator type -> Compute Engine regional quota metric (spot: "PREEMPTIBLE_" + metric).
# Source: https://cloud.google.com/compute/resource-usage#gpu_quota (metric names as shown by
# `gcloud compute regions describe REGION --format="json(quotas)"`), checked 2026-11.
GPU_QUOTA_METRICS: dict[str, str] = {
    "nvidia-h100-80gb": "NVIDIA_H100_GPUS",
    "nvidia-h100-mega-80gb": "NVIDIA_H100_MEGA_GPUS",
    "nvidia-h200-141gb": "NVIDIA_H200_GPUS",
    "nvidia-b200": "NVIDIA_B200_GPUS",
    "nvidia-gb200": "NVIDIA_GB200_GPUS",
    "nvidia-tesla-a100": "NVIDIA_A100_GPUS",
    "nvidia-a100-80gb": "NVIDIA_A100_80GB_GPUS",
    "nvidia-l4": "NVIDIA_L4_GPUS",
    "nvidia-tesla-t4": "NVIDIA_T4_GPUS",
    "nvidia-tesla-v100": "NVIDIA_V100_GPUS",
}
GLOBAL_GPU_METRIC = "GPUS_ALL_REGIONS"

HOW_TO_FIX = (
    "run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS to a service "
    "account key file, or run where a service account is attached), and name the project with "
    "gcp:project in the stack config, --gcp-project, or GOOGLE_CLOUD_PROJECT"
)


@dataclass
class GcpClients:
    """The google-cloud-compute clients preflight uses (tests pass fakes with the same methods)."""

    regions: Any
    projects: Any
    machine_types: Any
    accelerator_types: Any
    reservations: Any


def _compute_v1() -> Any:
    with warnings.catch_warnings():  # google.api_core warns about Python versions on import
        warnings.simplefilter("ignore", FutureWarning)
        from google.cloud import compute_v1
    return compute_v1


def default_clients(project: str | None) -> tuple[GcpClients, str]:
    """Clients on Application Default Credentials, and the project to check."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        import google.auth
        from google.api_core import exceptions as _  # noqa: F401 - imported here to silence its warning
        from google.auth.exceptions import DefaultCredentialsError

    try:
        credentials, adc_project = google.auth.default(scopes=["https://www.googleapis.com/auth/compute.readonly"])
    except DefaultCredentialsError as exc:
        raise CredentialsError(CLOUD, f"no Application Default Credentials ({exc})", HOW_TO_FIX) from exc
    project = project or adc_project
    if not project:
        raise CredentialsError(CLOUD, "no GCP project to check", HOW_TO_FIX)
    c = _compute_v1()
    kw = {"credentials": credentials}
    clients = GcpClients(
        regions=c.RegionsClient(**kw),
        projects=c.ProjectsClient(**kw),
        machine_types=c.MachineTypesClient(**kw),
        accelerator_types=c.AcceleratorTypesClient(**kw),
        reservations=c.ReservationsClient(**kw),
    )
    return clients, project


def _is_throttle(exc: Exception) -> bool:
    from google.api_core import exceptions as gexc

    return isinstance(exc, gexc.TooManyRequests | gexc.ResourceExhausted | gexc.ServiceUnavailable)


class GcpChecker(BaseChecker):
    """Preflight checks for ``cloud: gcp`` clusters (see the module docstring)."""

    cloud = CLOUD

    def __init__(
        self,
        options: PreflightOptions | None = None,
        clients: GcpClients | None = None,
        project: str | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.options = options or PreflightOptions()
        if clients is None:
            clients, project = default_clients(project or self.options.gcp_project)
        self.clients = clients
        self.project = project or self.options.gcp_project or ""
        self.backoff = backoff or Backoff(deadline=self.options.deadline)
        # seconds per API call (google-api-core's per-call timeout); the Deadline bounds the run
        self._timeout = self.options.call_timeout_seconds
        self._regions: dict[str, Any] = {}
        self._project_quotas: Any = None

    # --- API access -----------------------------------------------------------------

    def _call(self, what: str, permission: str, fn: Callable[[], Any]) -> Any:
        from google.api_core import exceptions as gexc
        from google.auth.exceptions import GoogleAuthError, TransportError

        try:
            return self.backoff.call(fn, _is_throttle)
        except TransportError as exc:  # a network problem while getting a token, not a bad login
            raise CheckFailed(f"{what}: cannot reach Google's token endpoint: {exc}") from exc
        except Throttled as exc:
            raise CheckFailed(
                f"{what}: still throttled after {counted(exc.attempts, 'attempt')}; re-run later"
            ) from exc
        except gexc.Unauthenticated as exc:
            raise CredentialsError(CLOUD, f"Google rejected the credentials ({exc.message})", HOW_TO_FIX) from exc
        except GoogleAuthError as exc:
            raise CredentialsError(CLOUD, f"cannot get a token ({exc})", HOW_TO_FIX) from exc
        except gexc.Forbidden as exc:
            raise CheckFailed(
                f"{what}: permission denied; the caller needs {permission} on project {self.project} "
                f"(or the Compute Engine API is not enabled): {exc.message}"
            ) from exc

    def _region(self, region: str) -> Any:
        if region not in self._regions:
            self._regions[region] = self._call(
                f"regions.get {region}",
                "compute.regions.get",
                lambda: self.clients.regions.get(project=self.project, region=region, timeout=self._timeout),
            )
        return self._regions[region]

    def _global_quotas(self) -> Any:
        if self._project_quotas is None:
            proj = self._call(
                "projects.get",
                "compute.projects.get",
                lambda: self.clients.projects.get(project=self.project, timeout=self._timeout),
            )
            self._project_quotas = {q.metric: q for q in proj.quotas}
        return self._project_quotas

    def _zones_with(self, kind: str, name: str, region: str, zone: str | None) -> list[str] | None:
        """Zones (of ``region``, or just ``zone``) that offer a machine/accelerator type.

        With a zone: one ``get`` ([] when NotFound). Without: ``aggregated_list`` by name.
        """
        from google.api_core import exceptions as gexc

        client = self.clients.machine_types if kind == "machine" else self.clients.accelerator_types
        noun = "machineTypes" if kind == "machine" else "acceleratorTypes"
        permission = f"compute.{noun}.{'get' if zone else 'list'}"
        if zone:
            arg = "machine_type" if kind == "machine" else "accelerator_type"
            try:
                self._call(
                    f"{noun}.get {name} in {zone}",
                    permission,
                    lambda: client.get(project=self.project, zone=zone, timeout=self._timeout, **{arg: name}),
                )
                return [zone]
            except gexc.NotFound:
                return []
        pages = self._call(
            f"{noun}.aggregatedList {name}",
            permission,
            lambda: list(
                client.aggregated_list(
                    request={"project": self.project, "filter": f'name = "{name}"'}, timeout=self._timeout
                )
            ),
        )
        zones: set[str] = set()
        for scope, scoped in pages:
            items = getattr(scoped, "machine_types" if kind == "machine" else "accelerator_types", [])
            z = scope.rsplit("/", 1)[-1]
            if z.startswith(f"{region}-") and any(i.name == name for i in items):
                zones.add(z)
        return sorted(zones)

    # --- checks ---------------------------------------------------------------------

    def _slice_checks(self, cluster: ResolvedCluster, sl: ResolvedSlice) -> list[CheckResult]:
        results: list[CheckResult] = []
        row = self._row(cluster, sl.name, "offering")
        if sl.spec.mode == "gke":
            results.append(
                self._guard(row, functools.partial(self._offering, cluster, row, sl.shape.machine_type, None))
            )
        else:
            results.append(row.result("skipped", "TPU VM accelerator types are listed by the Cloud TPU API"))
        results.append(
            self._row(cluster, sl.name, "quota").result(
                "skipped",
                f"TPU {sl.spec.version} quota is not a Compute Engine region quota; check it in the console "
                "(IAM & Admin > Quotas, service tpu.googleapis.com)",
            )
        )
        if sl.spec.capacity == "reserved" and sl.spec.reservation:
            row = self._row(cluster, sl.name, "reservation")
            nodes = sl.shape.nodes * sl.spec.count
            reservation = functools.partial(
                self._reservation, cluster, row, sl.spec.reservation, sl.shape.machine_type, nodes
            )
            results.append(self._guard(row, reservation))
        return results

    def _pool_checks(
        self, pool: ResolvedPool
    ) -> Iterable[tuple[str, Callable[[ResolvedCluster, ResolvedPool, Row], CheckResult]]]:
        yield "offering", lambda c, p, r: self._offering(c, r, p.offer.machine_type, p.offer.accelerator_type)
        yield "quota", self._check_quota
        if pool.spec.capacity == "reserved":
            yield (
                "reservation",
                lambda c, p, r: self._reservation(
                    c, r, p.spec.reservation or "", p.offer.machine_type, p.spec.max_nodes
                ),
            )

    def _api_error(self, exc: Exception) -> str | None:
        from google.api_core import exceptions as gexc

        if isinstance(exc, gexc.GoogleAPICallError | gexc.RetryError):
            return str(exc)
        if isinstance(exc, OSError):  # requests' ConnectionError / timeouts from the REST transport
            return f"cannot reach the Compute Engine API: {exc}"
        return None

    def _offering(self, cluster: ResolvedCluster, row: Row, machine_type: str, accel: str | None) -> CheckResult:
        region, zone = cluster.spec.region, cluster.spec.zone
        where = zone or region
        zones = self._zones_with("machine", machine_type, region, zone) or []
        if not zones:
            return row.result(
                "fail",
                f"machine type {machine_type} is not offered in {where} for project {self.project}",
                machineType=machine_type,
                location=where,
            )
        details: dict[str, object] = {"machineType": machine_type, "zones": zones}
        if accel:
            accel_zones = self._zones_with("accelerator", accel, region, zone) or []
            both = sorted(set(zones) & set(accel_zones))
            details["acceleratorType"] = accel
            details["zones"] = both
            if not both:
                return row.result("fail", f"accelerator type {accel} is not offered in {where}", **details)
            zones = both
        what = machine_type + (f" with {accel}" if accel else "")
        return row.result("ok", f"{what} is offered in {', '.join(zones)}", **details)

    def _check_quota(self, cluster: ResolvedCluster, pool: ResolvedPool, row: Row) -> CheckResult:
        accel = pool.offer.accelerator_type
        if pool.spec.capacity == "reserved":
            return row.result("skipped", f"VMs consuming reservation {pool.spec.reservation} use its quota")
        if not accel or accel not in GPU_QUOTA_METRICS:
            return row.result("skipped", f"no known GPU quota metric for accelerator type {accel}")
        region = cluster.spec.region
        quotas = {q.metric: q for q in self._region(region).quotas}
        spot = pool.spec.capacity == "spot"
        metric = GPU_QUOTA_METRICS[accel]
        note = ""
        if spot:
            pre = quotas.get("PREEMPTIBLE_" + metric)
            if pre is not None and pre.limit > 0:
                metric = "PREEMPTIBLE_" + metric
            else:
                note = f" (no PREEMPTIBLE_{metric} quota: Spot VMs use the standard quota)"

        def metric_of(p: ResolvedPool) -> str | None:
            a = p.offer.accelerator_type
            if not a or a not in GPU_QUOTA_METRICS or p.spec.capacity == "reserved":
                return None
            base = GPU_QUOTA_METRICS[a]
            pre = quotas.get("PREEMPTIBLE_" + base)
            if p.spec.capacity == "spot" and pre is not None and pre.limit > 0:
                return "PREEMPTIBLE_" + base
            return base

        sharing = [p for p in cluster.pools if metric_of(p) == metric]
        needed = sum(p.accelerators_at_max for p in sharing)
        this = pool.accelerators_at_max
        q = quotas.get(metric)
        limit, usage = (float(q.limit), float(q.usage)) if q is not None else (0.0, 0.0)
        details: dict[str, object] = {
            "metric": metric,
            "limit": limit,
            "usage": usage,
            "needed": needed,
            "pool": this,
        }
        shared = f" (with pools {', '.join(p.name for p in sharing)} on it: {needed})" if len(sharing) > 1 else ""
        what = f"{pool.spec.max_nodes} x {pool.offer.machine_type} = {this} GPUs{shared}"
        problems: list[str] = []
        if q is None:
            problems.append(f"region {region} has no {metric} quota")
        elif usage + needed > limit:
            problems.append(
                f"{metric} in {region} is {int(limit)} with {int(usage)} in use: request at least {int(usage + needed)}"
            )
        glob = self._global_quotas().get(GLOBAL_GPU_METRIC)
        if glob is not None:
            details["globalLimit"], details["globalUsage"] = float(glob.limit), float(glob.usage)
            # GPUS_ALL_REGIONS counts every GPU in the project; all pools of the cluster add up.
            all_gpus = sum(p.accelerators_at_max for p in cluster.pools if metric_of(p) is not None)
            if glob.usage + all_gpus > glob.limit:
                problems.append(
                    f"{GLOBAL_GPU_METRIC} is {int(glob.limit)} with {int(glob.usage)} in use; the cluster's pools "
                    f"need {all_gpus}: request at least {int(glob.usage + all_gpus)}"
                )
        if problems:
            return row.result(
                "fail", f"{what} at maxNodes{note}, but " + "; ".join(problems) + " (IAM & Admin > Quotas)", **details
            )
        return row.result(
            "ok", f"{what} fits {metric} in {region} ({int(limit)}, {int(usage)} in use){note}", **details
        )

    def _reservation(self, cluster: ResolvedCluster, row: Row, name: str, machine_type: str, nodes: int) -> CheckResult:
        from google.api_core import exceptions as gexc

        project, short = self.project, name
        if "/reservations/" in name:  # projects/OWNER/reservations/NAME: a shared reservation
            parts = name.split("/")
            project, short = parts[parts.index("projects") + 1], parts[-1]
        zone = cluster.spec.zone
        try:
            if zone:
                res = self._call(
                    f"reservations.get {short}",
                    "compute.reservations.get",
                    lambda: self.clients.reservations.get(
                        project=project, zone=zone, reservation=short, timeout=self._timeout
                    ),
                )
            else:
                pages = self._call(
                    f"reservations.aggregatedList {short}",
                    "compute.reservations.list",
                    lambda: list(
                        self.clients.reservations.aggregated_list(
                            request={"project": project, "filter": f'name = "{short}"'}, timeout=self._timeout
                        )
                    ),
                )
                found = [
                    r
                    for scope, scoped in pages
                    if scope.rsplit("/", 1)[-1].startswith(f"{cluster.spec.region}-")
                    for r in scoped.reservations
                    if r.name == short
                ]
                if not found:
                    raise gexc.NotFound(f"reservation {short}")
                res = found[0]
        except gexc.NotFound:
            where = zone or cluster.spec.region
            return row.result(
                "fail",
                f"reservation {short} does not exist in {where} (project {project}); check its name and zone "
                "(`gcloud compute reservations list`)",
                reservation=name,
            )
        spec_res = res.specific_reservation
        props = spec_res.instance_properties
        count, in_use = int(spec_res.count), int(spec_res.in_use_count)
        res_zone = str(res.zone).rsplit("/", 1)[-1]
        details = {
            "reservation": name,
            "status": str(res.status),
            "machineType": props.machine_type,
            "zone": res_zone,
            "count": count,
            "inUse": in_use,
        }
        problems: list[str] = []
        if props.machine_type and props.machine_type != machine_type:
            problems.append(f"it reserves {props.machine_type}, the pool runs {machine_type}")
        if res.status and res.status != "READY":
            problems.append(f"its status is {res.status}")
        if count - in_use < nodes:
            problems.append(f"{count - in_use} of {count} VMs are free, the pool scales to {nodes}")
        if problems:
            return row.result("fail", f"reservation {short}: " + "; ".join(problems), **details)
        return row.result(
            "ok", f"reservation {short}: {machine_type} in {res_zone}, {count - in_use}/{count} free", **details
        )
