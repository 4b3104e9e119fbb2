"""The GitHub Actions workflows parse and use what the planner provides (marker, formats, exit codes)."""

from __future__ import annotations

from typing import Any

import yaml

from components.plan import command
from components.plan.report_markdown import MARKER
from tests.components.plan.helpers import REPO

WORKFLOWS = REPO / ".github" / "workflows"


def _load(name: str) -> dict[str, Any]:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(doc, dict)
    return doc


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


def test_pull_request_workflow() -> None:
    doc = _load("pull-request.yml")
    assert "pull_request" in doc[True]  # YAML 1.1 reads the key `on` as True
    offline = doc["jobs"]["offline-plan"]
    text = (WORKFLOWS / "pull-request.yml").read_text()
    assert MARKER in text  # the sticky comment is found by the same marker the plan writes
    uses = [s.get("uses", "") for s in _steps(offline)]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert offline["permissions"]["security-events"] == "write"
    runs = "\n".join(s.get("run", "") for s in _steps(offline))
    for flag in ("--format markdown", "--sarif-out plan.sarif", "aiinfra diff", '"$BASE:$file"'):
        assert flag in runs
    assert {"markdown", "sarif", "json"} <= set(command.FORMATS)
    preview = doc["jobs"]["pulumi-preview"]
    steps = _steps(preview)
    install = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("pulumi/actions@"))
    assert "with" not in steps[install]  # installs the CLI only; the commands are plain `run:` lines
    run = next(s["run"] for s in steps[install:] if "pulumi preview" in s.get("run", ""))
    packs = [w for w in run.replace("\\\n", " ").split("--policy-pack ")[1:]]
    assert [p.split()[0] for p in packs] == ["policies/overprovisioning", "policies/security"]
    assert "--non-interactive" in run


def test_deploy_workflow() -> None:
    doc = _load("deploy.yml")
    assert doc[True]["push"]["branches"] == ["main"]
    job = doc["jobs"]["deploy"]
    assert job["concurrency"]["cancel-in-progress"] is False
    steps = _steps(job)
    gate = next(i for i, s in enumerate(steps) if "aiinfra plan" in s.get("run", ""))
    up = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("pulumi/actions@"))
    assert gate < up
    assert steps[up]["with"]["command"] == "up"
    assert steps[up]["with"]["policyPacks"].split() == ["policies/overprovisioning", "policies/security"]
    stacks = {p.stem.removeprefix("Pulumi.") for p in (REPO / "stacks").glob("Pulumi.*.yaml")}
    assert set(job["strategy"]["matrix"]["stack"]) == stacks
    assert set(_load("pull-request.yml")["jobs"]["pulumi-preview"]["strategy"]["matrix"]["stack"]) == stacks


def test_jobs_that_reach_the_clusters_can_run_inside_their_network() -> None:
    """`pulumi preview` / `up` talk to the API endpoint (the add-ons); a stack with a private one
    reached from its network (access.deployFrom: network) needs a runner there, chosen per stack."""
    for name, job in (("deploy.yml", "deploy"), ("pull-request.yml", "pulumi-preview")):
        runs_on = _load(name)["jobs"][job]["runs-on"]
        assert "vars.DEPLOY_RUNNERS" in runs_on and "[matrix.stack]" in runs_on and "'ubuntu-latest'" in runs_on
    for stack in ("aws-train", "azure-train"):
        text = (REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text()
        assert "deployFrom: network" in text


def test_every_job_has_a_timeout() -> None:
    """A hung step (a provider call, a pack that never answers) ends at the job's timeout, not GitHub's 6 h."""
    for name in ("pull-request.yml", "deploy.yml"):
        for job_name, job in _load(name)["jobs"].items():
            minutes = job.get("timeout-minutes")
            assert isinstance(minutes, int) and 0 < minutes <= 120, f"{name}: {job_name}"
