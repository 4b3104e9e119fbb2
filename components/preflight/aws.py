"""AWS preflight: offerings per AZ, family vCPU quotas, capacity reservations, spot score, EFA.

Per GPU pool:

- ``offering``: the instance type is offered in the cluster's AZ (or somewhere in the region
  without a zone): ``ec2:DescribeInstanceTypeOfferings`` with ``LocationType=availability-zone``.
- ``quota``: the family's vCPU quota (Service Quotas, see ``aws_quotas``) covers what is
  running now plus every pool of the cluster in that family at max nodes. Running vCPUs come
  from ``ec2:DescribeInstances`` (On-Demand and Spot counted against their own quota).
- ``reservation`` (``capacity: reserved``): the capacity reservation / Capacity Block exists,
  is for this instance type and AZ, is active (or a scheduled block) and has room for max
  nodes: ``ec2:DescribeCapacityReservations``.
- ``spot-score`` (``capacity: spot``): ``ec2:GetSpotPlacementScores`` for max nodes, in the AZ
  (by AZ ID) or the region; a score under ``min_spot_score`` (1-10) fails.
- ``fabric`` (pool gets EFA): ``ec2:DescribeInstanceTypes`` ``NetworkInfo.EfaSupported`` and
  ``EfaInfo.MaximumEfaInterfaces`` at least what the launch template attaches.

Credentials come from boto3's standard chain; ``AWS_ENDPOINT_URL`` (and
``AWS_ENDPOINT_URL_EC2`` etc.) is honoured by botocore itself (>= 1.31). Throttling is retried
by botocore (``adaptive`` mode) and then by ``retry.Backoff``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from components.preflight.aws_quotas import quota_family
from components.preflight.model import BaseChecker, CheckFailed, CheckResult, CredentialsError, PreflightOptions, Row
from components.preflight.retry import Backoff, Throttled
from components.spec.resolved import ResolvedCluster, ResolvedPool
from components.terminal import counted

CLOUD = "aws"

# botocore error codes (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html)
THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "EC2ThrottledException",
        "SlowDown",
    }
)
CREDENTIAL_CODES = frozenset(
    {
        "AuthFailure",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
    }
)
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})

HOW_TO_FIX = (
    "configure AWS credentials the way boto3 finds them: `aws configure` or `aws sso login --profile P` "
    "with AWS_PROFILE=P, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY(/AWS_SESSION_TOKEN), or an instance/"
    "container role; then check with `aws sts get-caller-identity`"
)

# Capacity reservation states in which instances can launch now, or will at the block's start.
_LAUNCHABLE = frozenset({"active"})
_UPCOMING = frozenset({"scheduled", "payment-pending", "pending", "assessing", "delayed"})

ClientFactory = Callable[[str, str], Any]  # (service, region) -> boto3 client


def _error_code(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code else None
    return None


def is_throttle(exc: Exception) -> bool:
    return _error_code(exc) in THROTTLE_CODES


def default_client_factory(max_attempts: int = 5, call_timeout: float = 10.0) -> ClientFactory:
    """boto3 clients from the standard credential chain, adaptive retries, short timeouts
    (``call_timeout`` seconds to read a response, at most 5 to connect; the run's Deadline bounds
    the retries of a call that keeps timing out).

    Raises ``CredentialsError`` when the chain finds no credentials at all.
    """
    import boto3
    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    core = botocore.session.get_session()
    core.register_component("data_loader", _shared_loader())
    try:
        session = boto3.session.Session(botocore_session=core)
        found = session.get_credentials()
    except BotoCoreError as exc:  # unknown AWS_PROFILE, expired SSO session, broken config file
        raise CredentialsError(CLOUD, f"AWS credentials unusable: {exc}", HOW_TO_FIX) from exc
    if found is None:
        raise CredentialsError(CLOUD, "no AWS credentials found in the standard chain", HOW_TO_FIX)
    config = Config(
        retries={"mode": "adaptive", "total_max_attempts": max_attempts},
        connect_timeout=min(5.0, call_timeout),
        read_timeout=call_timeout,
        user_agent_extra="aiinfra-preflight",
    )
    cache: dict[tuple[str, str], Any] = {}

    def make(service: str, region: str) -> Any:
        key = (service, region)
        if key not in cache:
            cache[key] = session.client(service, region_name=region, config=config)
        return cache[key]

    return make


@functools.cache
def _shared_loader() -> Any:
    """One botocore data loader per process: the EC2 model is megabytes of JSON, parse it once."""
    from botocore.loaders import create_loader

    return create_loader()


class AwsChecker(BaseChecker):
    """Preflight checks for ``cloud: aws`` clusters (see the module docstring)."""

    cloud = CLOUD

    def __init__(
        self,
        options: PreflightOptions | None = None,
        client_factory: ClientFactory | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.options = options or PreflightOptions()
        self._factory = client_factory or default_client_factory(
            self.options.max_attempts, self.options.call_timeout_seconds
        )
        self.backoff = backoff or Backoff(deadline=self.options.deadline)
        self._types: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._azs: dict[tuple[str, str], list[str]] = {}
        self._running: dict[str, dict[tuple[str, bool], int]] = {}

    # --- API access -----------------------------------------------------------------

    def _call(self, service: str, region: str, operation: str, **kwargs: Any) -> Any:
        """Call one API operation with our backoff; map errors to credentials / check failures."""
        from botocore import exceptions as bexc
        from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

        # Credential problems botocore meets while resolving or refreshing credentials.
        credential_errors = (
            bexc.NoCredentialsError,
            bexc.PartialCredentialsError,
            bexc.CredentialRetrievalError,
            bexc.TokenRetrievalError,
            bexc.SSOError,
            bexc.SSOTokenLoadError,
            bexc.UnauthorizedSSOTokenError,
            bexc.ProfileNotFound,
        )

        client = self._factory(service, region)
        method = getattr(client, operation)
        try:
            return self.backoff.call(lambda: method(**kwargs), is_throttle)
        except Throttled as exc:
            raise CheckFailed(
                f"{service}:{_action(operation)} still throttled after {counted(exc.attempts, 'round')} of botocore's "
                "retries with backoff between them; re-run later"
            ) from exc
        except credential_errors as exc:
            raise CredentialsError(CLOUD, f"AWS credentials unusable: {exc}", HOW_TO_FIX) from exc
        except ClientError as exc:
            code = _error_code(exc) or "Unknown"
            if code in CREDENTIAL_CODES:
                problem = f"AWS rejected the credentials in {region} ({code})"
                if code == "AuthFailure":  # also what EC2 answers in an opt-in region the account has not enabled
                    problem += "; if the region is opt-in, enable it for the account"
                raise CredentialsError(CLOUD, problem, HOW_TO_FIX) from exc
            if code in DENIED_CODES:
                raise CheckFailed(
                    f"permission denied: the caller needs {service_prefix(service)}:{_action(operation)} "
                    "(see docs/preflight.md)"
                ) from exc
            raise
        except EndpointConnectionError as exc:
            raise CheckFailed(f"cannot reach the {service} endpoint: {exc}") from exc
        except BotoCoreError as exc:
            raise CheckFailed(f"{service}:{_action(operation)} failed: {exc}") from exc

    def _instance_type(self, region: str, instance_type: str) -> dict[str, Any] | None:
        """DescribeInstanceTypes row for one type (None: the region does not know it)."""
        from botocore.exceptions import ClientError

        key = (region, instance_type)
        if key not in self._types:
            try:
                out = self._call("ec2", region, "describe_instance_types", InstanceTypes=[instance_type])
                rows = out.get("InstanceTypes", [])
                self._types[key] = rows[0] if rows else None
            except ClientError as exc:
                if (_error_code(exc) or "").startswith("InvalidInstanceType"):
                    self._types[key] = None
                else:
                    raise
        return self._types[key]

    def _offered_azs(self, region: str, instance_type: str) -> list[str]:
        key = (region, instance_type)
        if key not in self._azs:
            azs: list[str] = []
            token: str | None = None
            while True:
                kwargs: dict[str, Any] = {
                    "LocationType": "availability-zone",
                    "Filters": [{"Name": "instance-type", "Values": [instance_type]}],
                }
                if token:
                    kwargs["NextToken"] = token
                out = self._call("ec2", region, "describe_instance_type_offerings", **kwargs)
                azs.extend(o["Location"] for o in out.get("InstanceTypeOfferings", []))
                token = out.get("NextToken")
                if not token:
                    break
            self._azs[key] = sorted(set(azs))
        return self._azs[key]

    def _running_vcpus(self, region: str) -> dict[tuple[str, bool], int]:
        """vCPUs of pending/running instances by (quota code, spot)."""
        if region in self._running:
            return self._running[region]
        totals: dict[tuple[str, bool], int] = {}
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {
                "Filters": [{"Name": "instance-state-name", "Values": ["pending", "running"]}],
                "MaxResults": 1000,
            }
            if token:
                kwargs["NextToken"] = token
            out = self._call("ec2", region, "describe_instances", **kwargs)
            for reservation in out.get("Reservations", []):
                for inst in reservation.get("Instances", []):
                    itype = inst.get("InstanceType", "")
                    spot = inst.get("InstanceLifecycle") == "spot"
                    cpu = inst.get("CpuOptions") or {}
                    vcpus = int(cpu.get("CoreCount", 0)) * int(cpu.get("ThreadsPerCore", 1))
                    if not vcpus:
                        row = self._instance_type(region, itype) or {}
                        vcpus = int(row.get("VCpuInfo", {}).get("DefaultVCpus", 0))
                    key = (quota_family(itype).code(spot), spot)
                    totals[key] = totals.get(key, 0) + vcpus
            token = out.get("NextToken")
            if not token:
                break
        self._running[region] = totals
        return totals

    def _quota_value(self, region: str, code: str) -> tuple[float, str]:
        """Applied quota value (falling back to the AWS default) and where it came from."""
        from botocore.exceptions import ClientError

        try:
            out = self._call("service-quotas", region, "get_service_quota", ServiceCode="ec2", QuotaCode=code)
            return float(out["Quota"]["Value"]), "applied"
        except ClientError as exc:
            if _error_code(exc) != "NoSuchResourceException":
                raise
        # GetServiceQuota answers only for quotas with an applied value; else the default applies.
        out = self._call("service-quotas", region, "get_aws_default_service_quota", ServiceCode="ec2", QuotaCode=code)
        return float(out["Quota"]["Value"]), "AWS default"

    # --- checks ---------------------------------------------------------------------

    def _pool_checks(
        self, pool: ResolvedPool
    ) -> Iterable[tuple[str, Callable[[ResolvedCluster, ResolvedPool, Row], CheckResult]]]:
        yield "offering", self._check_offering
        yield "quota", self._check_quota
        if pool.spec.capacity == "reserved":
            yield "reservation", self._check_reservation
        if pool.spec.capacity == "spot":
            yield "spot-score", self._check_spot_score
        if pool.fabric is not None and pool.offer.fabric.efa_interfaces:
            yield "fabric", self._check_efa

    def _api_error(self, exc: Exception) -> str | None:
        from botocore.exceptions import ClientError

        return str(exc) if isinstance(exc, ClientError) else None

    def _check_offering(self, cluster: ResolvedCluster, pool: ResolvedPool, row: Row) -> CheckResult:
        region, zone, itype = cluster.spec.region, cluster.spec.zone, pool.offer.machine_type
        azs = self._offered_azs(region, itype)
        if not azs:
            return row.result(
                "fail",
                f"{itype} is not offered in any availability zone of {region}",
                instance_type=itype,
                region=region,
            )
        if zone is None:
            return row.result("ok", f"{itype} is offered in {region} ({', '.join(azs)})", offered_in=azs)
        if zone not in azs:
            return row.result(
                "fail",
                f"{itype} is not offered in {zone}; it is offered in {', '.join(azs)} (change zone)",
                instance_type=itype,
                zone=zone,
                offered_in=azs,
            )
        return row.result("ok", f"{itype} is offered in {zone}", offered_in=azs)

    def _vcpus(self, region: str, pool: ResolvedPool) -> int:
        row = self._instance_type(region, pool.offer.machine_type)
        if row:
            return int(row["VCpuInfo"]["DefaultVCpus"])
        return pool.offer.vcpu

    def _check_quota(self, cluster: ResolvedCluster, pool: ResolvedPool, row: Row) -> CheckResult:
        region, itype = cluster.spec.region, pool.offer.machine_type
        if pool.spec.capacity == "reserved":
            return row.result(
                "skipped",
                f"instances launched into reservation {pool.spec.reservation} use the capacity (and quota) "
                "it already holds",
            )
        spot = pool.spec.capacity == "spot"
        fam = quota_family(itype)
        code = fam.code(spot)
        # Every pool of this cluster in the same family and purchase option shares the quota.
        sharing = [
            p
            for p in cluster.pools
            if p.spec.capacity == pool.spec.capacity and quota_family(p.offer.machine_type).code(spot) == code
        ]
        needed = sum(p.spec.max_nodes * self._vcpus(region, p) for p in sharing)
        this = pool.spec.max_nodes * self._vcpus(region, pool)
        limit, source = self._quota_value(region, code)
        in_use = self._running_vcpus(region).get((code, spot), 0)
        free = int(limit) - in_use
        details = {
            "quotaCode": code,
            "quotaName": fam.name(spot),
            "limitVcpus": limit,
            "limitSource": source,
            "inUseVcpus": in_use,
            "neededVcpus": needed,
            "poolVcpus": this,
        }
        shared = f" (with pools {', '.join(p.name for p in sharing)} sharing it: {needed})" if len(sharing) > 1 else ""
        what = f"{pool.spec.max_nodes} x {itype} = {this} vCPUs{shared}"
        quota = f"'{fam.name(spot)}' ({code}) is {int(limit)} vCPUs ({source}), {in_use} in use"
        if needed > free:
            return row.result(
                "fail",
                f"{what} at maxNodes, but {quota}: request an increase to at least {in_use + needed} "
                f"in the Service Quotas console (ec2, {region})",
                **details,
            )
        return row.result("ok", f"{what} fits: {quota}", **details)

    def _check_reservation(self, cluster: ResolvedCluster, pool: ResolvedPool, row: Row) -> CheckResult:
        from botocore.exceptions import ClientError

        region, zone, itype = cluster.spec.region, cluster.spec.zone, pool.offer.machine_type
        rid = pool.spec.reservation or ""
        block = pool.spec.reservation_kind == "capacity-block"
        what = "Capacity Block" if block else "capacity reservation"
        try:
            out = self._call("ec2", region, "describe_capacity_reservations", CapacityReservationIds=[rid])
        except ClientError as exc:
            code = _error_code(exc) or ""
            if code.startswith("InvalidCapacityReservationId"):
                return row.result(
                    "fail",
                    f"{what} {rid} does not exist in {region} for this account ({code}); "
                    "check the ID (cr-...) and region, or that it is shared with this account",
                    reservation=rid,
                )
            raise
        found = out.get("CapacityReservations", [])
        if not found:
            return row.result("fail", f"{what} {rid} does not exist in {region} for this account", reservation=rid)
        cr = found[0]
        state = cr.get("State", "")
        available = int(cr.get("AvailableInstanceCount", 0))
        total = int(cr.get("TotalInstanceCount", 0))
        details = {
            "reservation": rid,
            "state": state,
            "instanceType": cr.get("InstanceType"),
            "availabilityZone": cr.get("AvailabilityZone"),
            "available": available,
            "total": total,
            "reservationType": cr.get("ReservationType", "default"),
            "endDate": str(cr.get("EndDate")) if cr.get("EndDate") else None,
        }
        problems: list[str] = []
        if cr.get("InstanceType") != itype:
            problems.append(f"it reserves {cr.get('InstanceType')}, the pool runs {itype}")
        if zone and cr.get("AvailabilityZone") and cr["AvailabilityZone"] != zone:
            problems.append(f"it is in {cr['AvailabilityZone']}, the cluster is in {zone}")
        if block and cr.get("ReservationType", "default") != "capacity-block":
            problems.append("it is an On-Demand Capacity Reservation, not a Capacity Block (set reservationKind)")
        if state not in _LAUNCHABLE | _UPCOMING:
            problems.append(f"its state is {state}")
        room = available if state in _LAUNCHABLE else total
        if not problems and room < pool.spec.max_nodes:
            problems.append(
                f"it has room for {counted(room, 'instance')} ({available} of {total} available), the pool scales to "
                f"{pool.spec.max_nodes} (lower maxNodes or extend the reservation)"
            )
        if problems:
            return row.result("fail", f"{what} {rid}: " + "; ".join(problems), **details)
        when = "" if state in _LAUNCHABLE else f", {state} (starts {cr.get('StartDate')})"
        where = cr.get("AvailabilityZone")
        return row.result("ok", f"{what} {rid}: {itype} in {where}, {available}/{total} available{when}", **details)

    def _check_spot_score(self, cluster: ResolvedCluster, pool: ResolvedPool, row: Row) -> CheckResult:
        region, zone, itype = cluster.spec.region, cluster.spec.zone, pool.offer.machine_type
        target = max(1, pool.spec.max_nodes)
        out = self._call(
            "ec2",
            region,
            "get_spot_placement_scores",
            InstanceTypes=[itype],
            TargetCapacity=target,
            TargetCapacityUnitType="units",
            SingleAvailabilityZone=zone is not None,
            RegionNames=[region],
        )
        scores = out.get("SpotPlacementScores", [])
        score: int | None = None
        where = region
        if zone is not None:
            zone_id = self._zone_id(region, zone)
            for s in scores:
                if s.get("AvailabilityZoneId") == zone_id:
                    score = int(s["Score"])
            where = f"{zone} ({zone_id})"
        else:
            regional = [int(s["Score"]) for s in scores if s.get("Region") == region]
            score = max(regional) if regional else None
        details = {"score": score, "targetCapacity": target, "minScore": self.options.min_spot_score}
        if score is None:
            return row.result("fail", f"no spot placement score for {target} x {itype} in {where}", **details)
        verdict = f"spot placement score {score}/10 for {target} x {itype} in {where}"
        if score < self.options.min_spot_score:
            return row.result(
                "fail",
                f"{verdict}, below {self.options.min_spot_score}: spot launches are unlikely to succeed; "
                "try another zone/region, fewer nodes or capacity: on-demand",
                **details,
            )
        return row.result("ok", verdict, **details)

    def _zone_id(self, region: str, zone: str) -> str | None:
        out = self._call("ec2", region, "describe_availability_zones", ZoneNames=[zone])
        for z in out.get("AvailabilityZones", []):
            if z.get("ZoneName") == zone:
                return str(z.get("ZoneId"))
        return None

    def _check_efa(self, cluster: ResolvedCluster, pool: ResolvedPool, row: Row) -> CheckResult:
        itype = pool.offer.machine_type
        info = self._instance_type(cluster.spec.region, itype)
        if info is None:
            return row.result("fail", f"{itype} is unknown in {cluster.spec.region}")
        net = info.get("NetworkInfo", {})
        wanted = pool.offer.fabric.efa_interfaces
        supported = bool(net.get("EfaSupported"))
        maximum = int(net.get("EfaInfo", {}).get("MaximumEfaInterfaces", 0))
        details = {"efaSupported": supported, "maximumEfaInterfaces": maximum, "plannedEfaInterfaces": wanted}
        if not supported:
            return row.result("fail", f"{itype} does not support EFA; use network.fabric: none", **details)
        if maximum < wanted:
            return row.result(
                "fail", f"{itype} takes at most {maximum} EFA interfaces; the pool would attach {wanted}", **details
            )
        return row.result("ok", f"{itype} supports EFA ({maximum} interfaces; the pool attaches {wanted})", **details)


def service_prefix(service: str) -> str:
    """IAM action prefix of a boto3 service name."""
    return {"service-quotas": "servicequotas"}.get(service, service)


def _action(operation: str) -> str:
    """``describe_capacity_reservations`` -> ``DescribeCapacityReservations``."""
    return "".join(part.capitalize() for part in operation.split("_"))
