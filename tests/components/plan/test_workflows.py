"""The GitHub Actions workflows parse and use what the planner provides (marker, formats, exit codes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
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


def _step_script(workflow: str, job: str, name: str) -> str:
    return str(next(s["run"] for s in _steps(_load(workflow)["jobs"][job]) if s.get("name") == name))


def test_the_diff_step_diffs_every_stack_when_the_policy_config_changes(tmp_path: Path) -> None:
    """The pull request's diff step, run as the runner runs it (bash -e) in a repository whose
    pull request changes only `policies/config.json`: no stack file changed, yet every stack's
    verdicts did, so every stack is diffed, BASE under BASE's own config. Before, the step diffed
    nothing, and one config for both sides could not show a level change at all."""
    import yaml

    repo = tmp_path / "repo"
    (repo / "stacks").mkdir(parents=True)
    (repo / "policies").mkdir()
    for f in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / f, repo / f)
    (repo / ".venv").symlink_to(sys.prefix)  # the step runs .venv/bin/aiinfra
    doc = yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())
    doc["config"]["aiinfra:fleet"]["clusters"][0]["gpuPools"][0]["maxNodes"] = 16  # over the dev limit
    (repo / "stacks" / "Pulumi.dev.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    (repo / "policies" / "config.json").write_text('{"pool-max-nodes": "advisory"}')
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True, text=True)
    script = _step_script("pull-request.yml", "offline-plan", "Diff the stacks this pull request changes")

    def run_step() -> str:
        env = {**os.environ, "BASE": base.stdout.strip()}
        subprocess.run(["bash", "-e", "-c", script], cwd=repo, env=env, check=True, capture_output=True)
        return (repo / "diff.md").read_text()

    assert run_step() == ""  # nothing changed: nothing to diff
    (repo / "policies" / "config.json").write_text("{}")  # pool-max-nodes back to its default, mandatory
    subprocess.run([*git, "commit", "-qam", "config"], cwd=repo, check=True)
    md = run_step()
    assert "aiinfra diff `dev`" in md, md
    row = next(line for line in md.splitlines() if "`pool-max-nodes`" in line)
    assert row.startswith("| ❌<br>was ⚠️ |"), row  # still there, now mandatory; it was advisory
