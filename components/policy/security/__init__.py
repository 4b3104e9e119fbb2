"""The rules behind the ``security`` policy pack (``policies/security``).

Like the overprovisioning pack's rules (``components.policy``), they read *raw* provider
resources of all three clouds, so the pack guards any Pulumi program, not only ai-infra's:

- ``rules``  one pure function per policy over ``RawResource`` values -> findings, with the
             per-cloud facts (which property holds what) as tables;
- ``pack``   the ``pulumi_policy`` objects (the pack's ``__main__.py`` builds the PolicyPack).

No provider SDK is imported; docs/security.md lists every rule with its settings.
"""
