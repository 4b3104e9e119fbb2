"""Test-session settings shared by every test.

``AIINFRA_TODAY`` pins the date the Kubernetes version checks (components/spec/versions.py)
judge support lifecycles against, so the suite gives the same verdicts on any day; the
`aiinfra validate` a user or CI runs uses the real date.
"""

from __future__ import annotations

import os

import pytest

TODAY = "2026-12-01"


def pytest_configure(config: pytest.Config) -> None:
    # set before collection, so subprocesses (the policy pack, the fuzz run) inherit it too
    os.environ["AIINFRA_TODAY"] = TODAY
