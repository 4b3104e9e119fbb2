"""The pulumi-policy objects of the ``overprovisioning`` pack (its ``__main__.py`` builds the PolicyPack).

Each policy in ``components.policy.settings.POLICIES`` becomes a ``ResourceValidationPolicy``
(scope ``resource``: the rule needs only the resource itself) or a ``StackValidationPolicy``
(scope ``stack``: figures sum across resources, or a group's machine type lives on its launch
template). Properties are copied out of pulumi-policy's unknown-checking proxies first
(``values.plain``), so a value unknown at preview becomes an advisory note instead of
aborting the whole policy.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import threading
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from components.policy.normalize import RawResource, View, normalize_resource, normalize_stack
from components.policy.rules import RULES, Finding
from components.policy.settings import POLICIES, FleetHints, PolicySpec, Settings, fleet_hints, schema_properties
from components.policy.shared_stack import install as share_stack_deserialisation
from components.policy.shared_stack import memo as share_stack_memo
from components.policy.shared_stack import plain_props
from components.policy.values import plain
from components.prices.policy import apply_prices
from components.prices.sources import STACK_KEY as PRICES_CONFIG_KEY

PACK_NAME = "aiinfra-overprovisioning"
FLEET_CONFIG_KEY = "aiinfra:fleet"

_LEVELS = {"mandatory": EnforcementLevel.MANDATORY, "advisory": EnforcementLevel.ADVISORY}


def stack_config_value(key: str) -> Any:
    """A value of the stack config the engine passes the pack (``aiinfra:fleet``, ``aiinfra:prices``).

    The engine sets ``PULUMI_CONFIG`` (the stack's config as JSON) in the pack's environment;
    pulumi-policy loads it into ``pulumi.runtime`` config before each analysis. The planner's
    client (``analyzer_client``) also writes it to a file named by ``AIINFRA_PULUMI_CONFIG_FILE``
    and leaves it out of the environment when it is large (an oversized environment variable
    makes the pack fail to start), so that file comes first.
    """
    # once per key per Analyze/AnalyzeStack call, for every policy of the call (shared_stack)
    return share_stack_memo("stack-config", [], lambda: _read_stack_config_value(key), key)


def _read_stack_config_value(key: str) -> Any:
    raw: Any = None
    path = os.environ.get("AIINFRA_PULUMI_CONFIG_FILE")
    if path:
        try:
            stat = os.stat(path)
            raw = _config_file(path, stat.st_mtime_ns, stat.st_size).get(key)
        except (OSError, ValueError, AttributeError):
            raw = None
        if raw is not None:
            return raw
    # pulumi.runtime.get_config's order (config set in the runtime, PULUMI_CONFIG_<KEY>, then
    # PULUMI_CONFIG), with PULUMI_CONFIG parsed once per text instead of at every call
    try:
        from pulumi.runtime import config as runtime_config

        explicit = runtime_config.CONFIG.get()
        if key in explicit:
            return explicit[key]
        env_key = runtime_config.get_config_env_key(key)
    except Exception:  # no pulumi runtime: the environment alone
        env_key = None
    if env_key and env_key in os.environ:
        return os.environ[env_key]
    try:
        found = _env_config(os.environ.get("PULUMI_CONFIG", ""))
    except ValueError:
        return None
    return found.get(key) if isinstance(found, Mapping) else None


@functools.lru_cache(maxsize=4)
def _env_config(text: str) -> Any:
    return json.loads(text) if text else {}


@functools.lru_cache(maxsize=4)
def _config_file(path: str, mtime_ns: int, size: int) -> Any:
    """The config file's JSON, read once per version of the file (it can hold a large fleet)."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def stack_fleet_hints() -> FleetHints:
    """The fleet spec's environment, budget and items from the stack config."""
    raw = stack_config_value(FLEET_CONFIG_KEY)
    return _hints(raw if isinstance(raw, str) or raw is None else json.dumps(raw, sort_keys=True))


@functools.lru_cache(maxsize=8)
def _hints(raw: str | None) -> FleetHints:
    # parsed and indexed once per config text: every Analyze call of every policy asks for it
    return fleet_hints(raw)


def _priced(view: View, config: Any) -> View:
    """The view priced from the policy's ``prices`` config or the stack's ``aiinfra:prices`` (as the plan)."""
    stack = {key: stack_config_value(key) for key in (PRICES_CONFIG_KEY, FLEET_CONFIG_KEY)}
    return apply_prices(view, dict(plain(config) or {}), stack)


def _settings(spec: PolicySpec, config: Mapping[str, Any], stack_tags: Mapping[str, str]) -> Settings:
    return Settings(spec, dict(plain(config) or {}), dict(stack_tags or {}), stack_fleet_hints())


def _report(findings: list[Finding], report_violation: ReportViolation, default_urn: str | None = None) -> None:
    for f in findings:
        report_violation(f.text, f.urn or default_urn)


def _resource_validator(spec: PolicySpec) -> Any:
    rule = RULES[spec.name]

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        raw = RawResource(args.resource_type, args.name, args.urn, plain_props(args.props), args.opts.parent)
        # normalised once per Analyze for both resource policies (shared_stack)
        key = (raw.type, raw.name, raw.urn, raw.parent)
        view = _fresh(share_stack_memo("resource-view", [raw.props], lambda: normalize_resource(raw), key))
        if not (view.pools or view.templates):
            return
        view = _priced(view, args.get_config())
        settings = _settings(spec, args.get_config(), args.stack_tags)
        for f in rule(view, settings):
            report_violation(f.text, None)

    return validate


def stack_raw_resources(args: StackValidationArgs) -> list[RawResource]:
    """The resources of an AnalyzeStack call as the normalizers take them (both packs use this)."""
    out = []
    for r in args.resources:
        deps = {k: tuple(d.urn for d in v) for k, v in (r.property_dependencies or {}).items()}
        parent = r.parent.urn if r.parent is not None else r.opts.parent
        out.append(RawResource(r.resource_type, r.name, r.urn, plain_props(r.props), parent, deps))
    return out


def shared_view(args: StackValidationArgs) -> View:
    """The stack normalised once per AnalyzeStack for all the pack's stack policies (each gets
    its own :class:`View`)."""
    raws = stack_raw_resources(args)
    # the rest of each resource by value: equal properties may belong to two resources
    rest = tuple((r.type, r.name, r.urn, r.parent, tuple(sorted(r.property_dependencies.items()))) for r in raws)
    return _fresh(share_stack_memo("view", [r.props for r in raws], lambda: normalize_stack(raws), rest))


def _fresh(view: View) -> View:
    """A new View of a shared view's (frozen) items: a rule may not change another rule's input."""
    return View(*(list(getattr(view, f.name)) for f in dataclasses.fields(View)))


def _stack_validator(spec: PolicySpec) -> Any:
    rule = RULES[spec.name]

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        view = _priced(shared_view(args), args.get_config())
        settings = _settings(spec, args.get_config(), args.stack_tags)
        _report(rule(view, settings), report_violation)

    return validate


def warm_up() -> threading.Thread:
    """Load the catalog and the policy data in the background while the pack waits for its first call.

    The engine starts the packs before the program registers anything, so a pack has time to
    spare; without this, the first call that needs the catalog (a security pack's only call is
    ``AnalyzeStack``, after the program) paid for reading and checking it: a third of a second on
    the plan's critical path (benchmarks/plan_bench.py). The caches are the ones the rules use,
    so a call racing the warm-up only loads the same data a second time.
    """

    def load() -> None:
        from components.catalog import get_catalog
        from components.policy.normalize.common import looks_like_accelerator

        get_catalog()
        for cloud in ("gcp", "azure", "aws"):
            looks_like_accelerator(cloud, "")

    thread = threading.Thread(target=load, name="aiinfra-pack-warm-up", daemon=True)
    thread.start()
    return thread


def build_policies() -> list[Policy]:
    """Every policy of the pack, in the order of ``settings.POLICIES``."""
    share_stack_deserialisation()  # one deserialisation per AnalyzeStack, not one per stack policy
    warm_up()
    policies: list[Policy] = []
    for spec in POLICIES:
        schema = PolicyConfigSchema(properties=schema_properties(spec))
        level = _LEVELS[spec.level]
        if spec.scope == "resource":
            policies.append(
                ResourceValidationPolicy(
                    name=spec.name,
                    description=spec.description,
                    validate=_resource_validator(spec),
                    enforcement_level=level,
                    config_schema=schema,
                )
            )
        else:
            policies.append(
                StackValidationPolicy(
                    name=spec.name,
                    description=spec.description,
                    validate=_stack_validator(spec),
                    enforcement_level=level,
                    config_schema=schema,
                )
            )
    return policies
