"""CI itself: `.ci/run` never updates goldens, and GitHub runs it on every push and pull request."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_ci_run_refuses_to_update_goldens(tmp_path: Path) -> None:
    # Run a copy in an empty directory: should the guard ever go, the script fails at once
    # on the missing project instead of installing and running the whole suite here.
    (tmp_path / ".ci").mkdir()
    script = tmp_path / ".ci" / "run"
    shutil.copy(ROOT / ".ci" / "run", script)
    env = {**os.environ, "AIINFRA_UPDATE_GOLDEN": "1"}
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "AIINFRA_UPDATE_GOLDEN is set" in done.stderr
    assert not (tmp_path / ".venv").exists()  # it stopped before doing anything


def _workflow() -> dict[str, Any]:
    doc = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def test_github_runs_ci_on_every_push_and_pull_request_without_a_path_filter() -> None:
    triggers = _workflow()[True]  # YAML 1.1 reads the key `on` as True
    assert {"push", "pull_request"} <= set(triggers)
    for event in ("push", "pull_request"):
        # None means "every branch, every path"; any filter would let some change skip CI.
        assert triggers[event] is None, f"{event}: {triggers[event]}"


def test_github_ci_job_runs_the_ci_script() -> None:
    doc = _workflow()
    (job,) = doc["jobs"].values()
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert runs == [".ci/run"]
    assert "AIINFRA_UPDATE_GOLDEN" not in str(doc.get("env", {})) + str(job.get("env", {}))


def test_the_suite_runs_shuffled_with_a_reproducible_seed(request: pytest.FixtureRequest) -> None:
    # pytest-randomly is part of the test extras; tests/conftest.py fixes its default seed.
    assert request.config.pluginmanager.hasplugin("randomly")
    assert isinstance(request.config.getoption("randomly_seed"), int)
