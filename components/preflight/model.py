"""The preflight interface: one ``Checker`` per cloud, each returning ``CheckResult`` rows.

A checker asks one cloud's APIs whether a resolved cluster can actually be built there
*now*: the machine type is offered in the zone, the quota covers the pools at max size, the
named reservation exists and has room. Every implementation fits this one interface, so the
command, the renderers and the tests do not know which cloud they talk to.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from components.preflight.retry import Deadline, DeadlineExceeded
from components.spec.resolved import ResolvedCluster, ResolvedPool, ResolvedSlice

# unchecked: the API could not answer (unreachable, throttled, denied, the deadline passed):
# not a capacity failure, and reported with its own exit code.
Status = Literal["ok", "fail", "unchecked", "skipped"]
STATUSES: tuple[Status, ...] = ("ok", "fail", "unchecked", "skipped")


@dataclass(frozen=True)
class CheckResult:
    """One row of the preflight report.

    ``pool`` names the GPU pool or TPU slice the check concerns (None: the whole cluster);
    ``check`` is a stable kebab-case name (``offering``, ``quota``, ``reservation``,
    ``spot-score``, ``fabric``); ``reason`` says what was found, and for a failure, what to do.
    """

    cloud: str
    cluster: str
    pool: str | None
    check: str
    status: Status
    reason: str
    # Raw figures behind the verdict (quota limit, in use, needed, score...), for JSON users.
    details: Mapping[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "cloud": self.cloud,
            "cluster": self.cluster,
            "pool": self.pool,
            "check": self.check,
            "status": self.status,
            "reason": self.reason,
            "details": dict(self.details),
        }


class CredentialsError(Exception):
    """No usable credentials for a cloud: the command exits 2 and prints ``how_to_fix``."""

    def __init__(self, cloud: str, problem: str, how_to_fix: str) -> None:
        self.cloud = cloud
        self.problem = problem
        self.how_to_fix = how_to_fix
        super().__init__(f"{cloud}: {problem}")


@dataclass(frozen=True)
class PreflightOptions:
    """Settings a checker may need beyond the spec (from flags, the stack config or env).

    ``gcp_project`` / ``azure_subscription``: where to look (None: the SDK's own default,
    e.g. the project of Application Default Credentials or ``AZURE_SUBSCRIPTION_ID``).
    ``min_spot_score``: an AWS spot placement score below this fails (1-10 scale).
    """

    gcp_project: str | None = None
    azure_subscription: str | None = None
    min_spot_score: int = 3
    max_attempts: int = 5
    # Every API call gives up after call_timeout_seconds (per attempt); the whole run after
    # deadline_seconds (the Deadline below, shared by every checker of the run).
    call_timeout_seconds: float = 10.0
    deadline_seconds: float = 60.0
    deadline: Deadline | None = None


class Checker(Protocol):
    """Live checks for one cloud. Implementations take their SDK clients in the constructor
    (so tests inject fakes) and raise ``CredentialsError`` when the cloud cannot be reached
    with the credentials at hand; every other API problem becomes a failed ``CheckResult``.
    """

    cloud: str

    def checks(self, cluster: ResolvedCluster) -> list[CheckResult]: ...


class CheckFailed(Exception):
    """An API problem that turns one check into a failed row (not a crash)."""


@dataclass
class Row:
    """One check about to be answered: where it is, so each answer is one line."""

    cloud: str
    cluster: ResolvedCluster
    pool: str | None
    check: str

    def result(self, status: Status, reason: str, /, **details: object) -> CheckResult:
        return CheckResult(self.cloud, self.cluster.name, self.pool, self.check, status, reason, details)


PoolCheck = Callable[[ResolvedCluster, ResolvedPool, Row], CheckResult]


class BaseChecker:
    """What every cloud's checker shares: one row per (pool, check), API errors as failed rows.

    Subclasses set ``cloud``, list their checks per pool in ``_pool_checks``, say how their
    SDK's errors read in ``_api_error``, and (GCP) check TPU slices in ``_slice_checks``.
    """

    cloud: str

    def checks(self, cluster: ResolvedCluster) -> list[CheckResult]:
        results: list[CheckResult] = []
        for pool in cluster.pools:
            for check, fn in self._pool_checks(pool):
                row = self._row(cluster, pool.name, check)
                results.append(self._guard(row, functools.partial(fn, cluster, pool, row)))
        for sl in cluster.slices:
            results.extend(self._slice_checks(cluster, sl))
        return results

    def _row(self, cluster: ResolvedCluster, pool: str | None, check: str) -> Row:
        return Row(self.cloud, cluster, pool, check)

    def _pool_checks(self, pool: ResolvedPool) -> Iterable[tuple[str, PoolCheck]]:
        raise NotImplementedError

    def _slice_checks(self, cluster: ResolvedCluster, sl: ResolvedSlice) -> list[CheckResult]:
        # Validation rejects TPU slices off GCP; belt and braces.
        return [self._row(cluster, sl.name, "offering").result("skipped", "TPU slices exist only on GCP")]

    def _api_error(self, exc: Exception) -> str | None:
        """The reason to show for an SDK error, or None for an error that is a bug."""
        return None

    def _guard(self, row: Row, fn: Callable[[], CheckResult]) -> CheckResult:
        try:
            return fn()
        except DeadlineExceeded as exc:
            return row.result("unchecked", f"not checked: {exc}")
        except CheckFailed as exc:
            return row.result("unchecked", f"could not check: {exc}")
        except Exception as exc:
            reason = self._api_error(exc)
            if reason is None:
                raise
            return row.result("unchecked", f"could not check: {reason}")
