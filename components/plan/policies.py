"""Policy verdicts for the plan, and the one adapter to the policy pack's Analyzer client.

The planner does not speak gRPC itself. The policy packs (``policies/overprovisioning`` and
``policies/security``) ship a reusable client that drives each pack over the Analyzer
protocol exactly as the Pulumi engine does (``Configure`` with the policy config, ``Analyze``
per resource, then ``AnalyzeStack``). :func:`run_policies` is the only place that imports it, lazily, and
turns its answers into :class:`PolicyVerdict` rows.

When the client cannot be imported or the pack cannot be run, :func:`run_policies` raises
:class:`PoliciesUnavailable`; the plan then says "policies not evaluated" with the reason
and fails closed (exit 1): a plan that cannot rule out a mandatory violation must not pass.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from components.mockengine import CapturedResource

#: Module of the policy pack's Analyzer client.
CLIENT_MODULE = "components.policy.analyzer_client"

#: Enforcement levels of pulumi-policy; only ``mandatory`` blocks a deployment.
BLOCKING_LEVELS = frozenset({"mandatory"})


@dataclass(frozen=True)
class PolicyVerdict:
    """One policy violation: which policy, how hard it is enforced, what is wrong.

    ``type``/``name``/``urn`` name the resource when the violation concerns one (``Analyze``);
    they are None for stack-wide violations (``AnalyzeStack`` on the whole fleet).
    """

    policy: str
    enforcement_level: str  # advisory | mandatory | remediate | disabled
    message: str
    type: str | None = None
    name: str | None = None
    urn: str | None = None
    fix: str | None = None

    @property
    def blocking(self) -> bool:
        return self.enforcement_level in BLOCKING_LEVELS

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "policy": self.policy,
            "enforcementLevel": self.enforcement_level,
            "message": self.message,
        }
        for key, value in (("type", self.type), ("name", self.name), ("urn", self.urn), ("fix", self.fix)):
            if value is not None:
                out[key] = value
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> PolicyVerdict:
        return cls(
            policy=raw["policy"],
            enforcement_level=raw["enforcementLevel"],
            message=raw["message"],
            type=raw.get("type"),
            name=raw.get("name"),
            urn=raw.get("urn"),
            fix=raw.get("fix"),
        )


class PoliciesUnavailable(Exception):
    """The policy pack could not be evaluated (client missing, pack failed to start, ...)."""


class PolicyConfigInvalid(ValueError):
    """The policy config names an unknown policy or does not match a policy's schema (exit 2)."""


def check_config(policy_config: Mapping[str, Any]) -> None:
    """Check a ``--policy-config`` against the packs' own policies and schemas before planning.

    Raises PolicyConfigInvalid (``unknown policy 'pool-max-node' (did you mean
    'pool-max-nodes'?)``); a typo in the config is the config's problem, not the stack's.
    """
    if not policy_config:
        return
    infos = _pack_infos()
    if infos is None:
        return  # no pack here: run_policies says so
    client = importlib.import_module(CLIENT_MODULE)
    try:
        for info, config in zip(infos, client.split_config(infos, policy_config), strict=True):
            client.effective_config(info, config)
    except client.PolicyConfigError as exc:
        raise PolicyConfigInvalid(str(exc)) from None


def known_policies() -> set[str] | None:
    """Every policy the packs have (None when no pack can be loaded here)."""
    infos = _pack_infos()
    return None if infos is None else {p.name for info in infos for p in info.policies}


def _pack_infos() -> list[Any] | None:
    """The packs' policies and config schemas as the packs announce them (``AnalyzerInfo``),
    read from the rules without starting a pack; None when the packs are not installed."""
    try:
        client = importlib.import_module(CLIENT_MODULE)
        from components.policy.security.rules import POLICIES as SECURITY
        from components.policy.settings import POLICIES, schema_properties
    except ImportError:
        return None
    return [
        client.AnalyzerInfo(
            "aiinfra-overprovisioning",
            "",
            True,
            tuple(client.PolicyInfo(p.name, p.description, p.level, p.scope, schema_properties(p)) for p in POLICIES),
        ),
        client.AnalyzerInfo(
            "aiinfra-security",
            "",
            True,
            tuple(client.PolicyInfo(p.name, p.description, p.level, "stack", dict(p.properties)) for p in SECURITY),
        ),
    ]


def _field(obj: Any, *names: str) -> Any:
    for name in names:
        if isinstance(obj, Mapping) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return None


def start_pack(
    *,
    stack: str = "dev",
    project: str = "ai-infra",
    stack_config: Mapping[str, Any] | None = None,
    policy_config: Mapping[str, Any] | None = None,
    every_resource: bool = False,
) -> Any:
    """Start the policy packs before the program runs; None when they cannot be.

    Returns a session (``analyzer_client.PackSession``): feed it each resource as the program
    registers it (``run_program(..., on_resource=session.add)``), then pass it to
    :func:`run_policies` as ``started``. As under the engine, the packs start (each its own
    Python process: pulumi-policy, the rules, the catalog) and run ``Analyze`` on each resource
    while the program is still registering; only ``AnalyzeStack`` waits for the program's end.
    ``every_resource`` as in :func:`run_policies`.
    """
    try:
        client = importlib.import_module(CLIENT_MODULE)
        started = client.start_packs(project=project, stack=stack, stack_config=dict(stack_config or {}))
        select = None if every_resource else SELECT
        return client.PackSession(started, dict(policy_config or {}), select)
    except Exception:  # run_policies reports why, when it runs
        return None


def stop_pack(started: Any) -> None:
    """Stop packs :func:`start_pack` began but the plan did not use (the program failed)."""
    if started is None:
        return
    try:
        started.close()
    except Exception:  # they never started: nothing to stop
        return


def relevant(resources: Sequence[CapturedResource]) -> list[CapturedResource]:
    """The resources a policy of the pack reads: the types its normalizers know.

    The pack ignores every other type (it returns no finding for them, alone or in a join), so
    sending only these gives the same verdicts with far fewer Analyze round trips and a smaller
    AnalyzeStack, whose resources pulumi-policy deserializes once per stack policy.
    tests/components/plan/test_plan.py checks the verdicts against the full set.
    """
    return [r for r in resources if _read_by_overprovisioning(r)]


def _read_by_overprovisioning(r: Any) -> bool:
    from components.policy.normalize import NORMALIZERS

    return getattr(r, "type", None) in NORMALIZERS


def _read_by_security(r: Any) -> bool:
    from components.policy.security.rules import READ_TYPES

    return getattr(r, "type", None) in READ_TYPES


#: What each pack is sent, by pack name (:func:`relevant` for each): the types its rules read.
SELECT = {"aiinfra-overprovisioning": _read_by_overprovisioning, "aiinfra-security": _read_by_security}


def run_policies(
    resources: Sequence[CapturedResource],
    policy_config: Mapping[str, Any],
    *,
    stack: str = "dev",
    project: str = "ai-infra",
    stack_config: Mapping[str, Any] | None = None,
    started: Any = None,
    every_resource: bool = False,
) -> list[PolicyVerdict]:
    """Evaluate the policy pack on the captured resources, as ``pulumi preview`` would.

    ``policy_config`` is the JSON object ``pulumi preview --policy-pack-config`` takes;
    ``stack``/``project``/``stack_config`` are what the engine gives the pack about the stack
    (the pack reads the fleet's environment and budget from the config); ``started`` the session
    :func:`start_pack` began (its selection and policy config are the ones it was started with);
    ``every_resource`` sends each pack every resource, as the engine does, instead of the ones its
    rules read (:data:`SELECT`: the same verdicts). Raises PoliciesUnavailable when the pack cannot
    be run, PolicyConfigInvalid for a bad config.
    """
    try:
        client = importlib.import_module(CLIENT_MODULE)
    except ImportError as exc:
        raise PoliciesUnavailable(
            f"the policy pack's Analyzer client ({CLIENT_MODULE}) is not installed: {exc}"
        ) from None
    # Every pack the deploy workflows enforce (overprovisioning and security), when the client
    # can run several; the config may name the policies of any of them.
    multi = getattr(client, "analyze_packs", None)
    try:
        if multi is not None:
            extra: dict[str, Any] = {"started": started} if started is not None else {}
            if not every_resource and started is None:
                extra["select"] = SELECT
            found = multi(
                list(resources),
                dict(policy_config),
                stack=stack,
                project=project,
                stack_config=dict(stack_config or {}),
                **extra,
            )
        else:
            found = client.analyze(
                list(resources),
                dict(policy_config),
                stack=stack,
                project=project,
                stack_config=dict(stack_config or {}),
            )
    except Exception as exc:  # the pack is external code: any failure means "not evaluated"
        config_error = getattr(client, "PolicyConfigError", None)
        if isinstance(config_error, type) and isinstance(exc, config_error):
            raise PolicyConfigInvalid(str(exc)) from None
        raise PoliciesUnavailable(f"the policy pack failed: {type(exc).__name__}: {exc}") from None
    by_urn = {r.urn: r for r in resources}
    verdicts = []
    for v in found:
        urn = _field(v, "urn")
        res = by_urn.get(urn) if urn else None
        message = str(_field(v, "message"))
        # the client splits the pack's "message\nFix: fix" in two; the fix is never in the message
        fix = _field(v, "fix") or None
        verdicts.append(
            PolicyVerdict(
                policy=str(_field(v, "policy", "policy_name", "policyName")),
                enforcement_level=str(_field(v, "enforcement_level", "enforcementLevel")),
                message=message,
                type=_field(v, "type") or (res.type if res else None),
                name=_field(v, "name") or (res.name if res else None),
                urn=urn or None,
                fix=fix,
            )
        )
    return verdicts
