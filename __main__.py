"""The ai-infra Pulumi program: read ``aiinfra:fleet`` from the stack config, check it, build it.

Spec problems are reported as one readable list (file, path, fix) through ``pulumi.RunError``,
which Pulumi prints without a Python traceback.
"""

from __future__ import annotations

import pulumi

from components.clouds import FleetBuildError
from components.fleet import Fleet
from components.spec import CONFIG_KEY, SpecError, load_fleet_object


def main() -> None:
    stack = pulumi.get_stack()
    source = f"stacks/Pulumi.{stack}.yaml ({CONFIG_KEY})"
    raw = pulumi.Config("aiinfra").get_object("fleet")
    if raw is None:
        raise pulumi.RunError(
            f"stack '{stack}' has no {CONFIG_KEY} config; add the fleet spec under "
            f"config: {CONFIG_KEY}: in stacks/Pulumi.{stack}.yaml (see stacks/Pulumi.dev.yaml)"
        )
    try:
        fleet, warnings = load_fleet_object(raw, source)
    except SpecError as err:
        raise pulumi.RunError(err.report()) from None
    for warning in warnings:
        pulumi.log.warn(warning.format())
    try:
        built = Fleet("fleet", fleet)
    except FleetBuildError as err:
        raise pulumi.RunError(f"{source}: {err.path}: {err.message}") from None
    for name, exports in built.outputs.items():
        pulumi.export(name, exports)


main()
