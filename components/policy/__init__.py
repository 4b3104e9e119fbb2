"""Guardrails for accelerator fleets: the rules behind the ``overprovisioning`` policy pack.

Layers, all free of provider SDK imports so the pack starts fast:

- ``values``     plain-data helpers: unknown values at preview, numbers that arrive as floats
- ``normalize``  raw provider resources (any Pulumi program's) -> one accelerator/storage view
- ``settings``   the policies' configuration: schema, per-environment defaults, environment
- ``rules``      one pure function per policy over the normalized view -> findings
- ``pack``       the ``pulumi_policy`` objects (the pack's ``__main__.py`` builds the PolicyPack)
- ``analyzer_client``  drive a policy pack over the Analyzer gRPC protocol, as the engine does

See docs/policies.md.
"""
