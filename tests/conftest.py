"""Test-session settings shared by every test: a fixed date and a reproducible test order.

``AIINFRA_CACHE_DIR`` points the catalog's schema-check markers at a directory of the run.
``AIINFRA_TODAY`` pins the date the Kubernetes version checks (components/spec/versions.py)
judge support lifecycles against, so the suite gives the same verdicts on any day; the
`aiinfra validate` a user or CI runs uses the real date.

pytest-randomly (in the ``test`` extras) shuffles modules, then the tests in each, so a test
that leans on another's leftovers fails instead of passing by luck. Left to itself it picks
a new seed every run, which would make such a failure come and go in CI; here a run that
names no seed uses ``DEFAULT_SEED``, so every CI run is the same, reproducible order. Other
orders: ``pytest --randomly-seed=<n>`` (any other number), ``--randomly-dont-reorganize``
(file order). ``scripts/repeat_suite.py`` runs the whole suite many times, each in a new order.

Hypothesis gets the same treatment: the default profile draws the same examples every run
(``derandomize``) and has no per-example deadline, so neither a new random draw nor a loaded
2-core machine can fail a run that passed on the same code. ``HYPOTHESIS_PROFILE=explore``
draws fresh examples (with the default deadline off too) for hunting bugs by hand.
"""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import settings

settings.register_profile("repeatable", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

TODAY = "2026-12-01"
DEFAULT_SEED = 20261201


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # set before collection, so subprocesses (the policy pack, the fuzz run) inherit it too
    os.environ["AIINFRA_TODAY"] = TODAY
    # the catalog's "schema already checked" markers go to a directory of this run, not the
    # user's cache (pytest-xdist workers inherit the controller's)
    os.environ.setdefault("AIINFRA_CACHE_DIR", tempfile.mkdtemp(prefix="aiinfra-test-cache-"))
    # Runs before pytest-randomly's own configure, which turns "default" into a random seed.
    if config.pluginmanager.hasplugin("randomly") and config.getoption("randomly_seed") == "default":
        config.option.randomly_seed = DEFAULT_SEED
