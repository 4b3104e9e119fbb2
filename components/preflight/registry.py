"""The table of preflight checkers, one per cloud (imported lazily: each pulls in its SDK).

Adding a cloud is one row here plus a class with ``cloud`` and ``checks(cluster)``.
"""

from __future__ import annotations

import importlib

from components.preflight.model import Checker, PreflightOptions

# cloud -> "module:Class"; the class takes ``options=PreflightOptions`` and builds its own
# SDK clients from the SDK's default credentials (tests pass fake clients instead).
CHECKERS: dict[str, str] = {
    "aws": "components.preflight.aws:AwsChecker",
    "gcp": "components.preflight.gcp:GcpChecker",
    "azure": "components.preflight.azure:AzureChecker",
}


def make_checker(cloud: str, options: PreflightOptions) -> Checker:
    """Build the checker registered for ``cloud`` (KeyError for an unknown cloud)."""
    module_name, _, class_name = CHECKERS[cloud].partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    checker: Checker = cls(options=options)
    return checker
