"""The pulumi-policy objects of the ``security`` pack (its ``__main__.py`` builds the PolicyPack).

Every policy is a ``StackValidationPolicy``: some rules join resources (a GKE node pool to its
cluster, an IAM attachment to its role), and each finding still names its resource's URN, so
``pulumi preview`` shows it against that resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from components.policy.normalize import RawResource
from components.policy.pack import stack_fleet_hints
from components.policy.security.rules import POLICIES, RULES, Context, SecurityPolicy
from components.policy.values import plain

PACK_NAME = "aiinfra-security"
_LEVELS = {"mandatory": EnforcementLevel.MANDATORY, "advisory": EnforcementLevel.ADVISORY}


def _raw(args: StackValidationArgs) -> list[RawResource]:
    out = []
    for r in args.resources:
        deps = {k: tuple(d.urn for d in v) for k, v in (r.property_dependencies or {}).items()}
        parent = r.parent.urn if r.parent is not None else r.opts.parent
        out.append(RawResource(r.resource_type, r.name, r.urn, plain(r.props), parent, deps))
    return out


def _validator(policy: SecurityPolicy) -> Any:
    rule = RULES[policy.name]

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config: Mapping[str, Any] = dict(plain(args.get_config()) or {})
        ctx = Context(policy, config, dict(args.stack_tags or {}), stack_fleet_hints().environment)
        for finding in rule(_raw(args), ctx):
            report_violation(finding.message, finding.urn or None)

    return validate


def build_policies() -> list[Policy]:
    """Every policy of the pack, in the order of ``rules.POLICIES``."""
    return [
        StackValidationPolicy(
            name=p.name,
            description=p.description,
            validate=_validator(p),
            enforcement_level=_LEVELS[p.level],
            config_schema=PolicyConfigSchema(properties=dict(p.properties)),
        )
        for p in POLICIES
    ]
