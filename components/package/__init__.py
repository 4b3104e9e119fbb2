"""The ai-infra Pulumi component package: the fleet spec as typed components for every Pulumi language.

``provider/PulumiPlugin.yaml`` (runtime python) runs ``components.package.provider``, Pulumi's
component provider host for Python (``pulumi.provider.experimental``), so ``pulumi package add``
generates a typed SDK (TypeScript, Go, C#, Java, Python) and Pulumi YAML uses the components
directly. Layout:

- ``args``: typed inputs, generated from the fleet JSON Schema by ``codegen`` (one source of truth);
- ``resources``: ``Fleet``, ``GcpCluster``, ``AzureCluster``, ``AwsCluster``;
- ``provider``: the plugin's entry point and the schema it serves.
"""
