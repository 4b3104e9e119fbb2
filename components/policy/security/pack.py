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

from components.policy.pack import stack_fleet_hints, stack_raw_resources, warm_up
from components.policy.security.rules import POLICIES, RULES, Context, SecurityPolicy
from components.policy.shared_stack import install as share_stack_deserialisation
from components.policy.values import plain

PACK_NAME = "aiinfra-security"
_LEVELS = {"mandatory": EnforcementLevel.MANDATORY, "advisory": EnforcementLevel.ADVISORY}


def _validator(policy: SecurityPolicy) -> Any:
    rule = RULES[policy.name]

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config: Mapping[str, Any] = dict(plain(args.get_config()) or {})
        ctx = Context(policy, config, dict(args.stack_tags or {}), stack_fleet_hints().environment)
        for finding in rule(stack_raw_resources(args), ctx):
            report_violation(finding.message, finding.urn or None)

    return validate


def build_policies() -> list[Policy]:
    """Every policy of the pack, in the order of ``rules.POLICIES``."""
    share_stack_deserialisation()  # one deserialisation per AnalyzeStack, not one per stack policy
    warm_up()
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
