"""The preflight interface: one ``Checker`` per cloud, each returning ``CheckResult`` rows.

A checker asks one cloud's APIs whether a resolved cluster can actually be built there
*now*: the machine type is offered in the zone, the quota covers the pools at max size, the
named reservation exists and has room. Every implementation fits this one interface, so the
command, the renderers and the tests do not know which cloud they talk to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from components.spec.resolved import ResolvedCluster

Status = Literal["ok", "fail", "skipped"]
STATUSES: tuple[Status, ...] = ("ok", "fail", "skipped")


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
