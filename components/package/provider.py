"""The plugin entry point of the ai-infra component package (``provider/__main__.py`` calls ``main``).

It is ``pulumi.provider.experimental``'s component provider, with one change: a component whose
spec does not check fails with Pulumi's structured input-property errors (one per spec path,
as ``pulumi preview`` prints them), not with a Python traceback.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata
from typing import Any

from components.protos import share_google_rpc_status

share_google_rpc_status()

from pulumi.errors import InputPropertiesError, InputPropertyError  # noqa: E402
from pulumi.provider import main as serve  # noqa: E402
from pulumi.provider.experimental.component import ComponentProvider  # noqa: E402
from pulumi.provider.provider import ConstructResult  # noqa: E402
from pulumi.provider.server import ComponentInitError  # noqa: E402

from components.package.resources import COMPONENTS, PACKAGE  # noqa: E402


def package_version() -> str:
    """The package's version: the installed ai-infra distribution's."""
    try:
        return metadata.version("ai-infra")
    except metadata.PackageNotFoundError:  # running from a checkout without an install
        return "0.0.0"


class AiInfraProvider(ComponentProvider):
    """The component provider for ``COMPONENTS``, reporting spec problems as input errors."""

    def __init__(self) -> None:
        super().__init__(COMPONENTS, PACKAGE, version=package_version())

    def construct(self, name: str, resource_type: str, inputs: Any, options: Any = None) -> ConstructResult:
        try:
            return super().construct(name, resource_type, inputs, options)
        except ComponentInitError as err:
            if isinstance(err.inner, (InputPropertiesError, InputPropertyError)):
                raise err.inner from None
            raise


def schema() -> dict[str, Any]:
    """The Pulumi package schema the plugin serves (what ``pulumi package get-schema`` prints)."""
    result: dict[str, Any] = json.loads(AiInfraProvider().schema or "{}")
    return result


def main(argv: list[str] | None = None) -> None:
    """Serve the provider over gRPC (the engine passes its address as an argument)."""
    serve(AiInfraProvider(), sys.argv[1:] if argv is None else argv)
