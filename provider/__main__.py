"""The ai-infra component package's plugin: serves ``components.package`` to the Pulumi engine."""

from components.package.provider import main

main()
