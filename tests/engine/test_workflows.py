"""The workflows: actionlint clean, and the pull-request workflow's commands run for real.

The pull-request workflow's ``run:`` scripts are executed as written (bash -eo pipefail, as
GitHub runs them), with the ``${{ ... }}`` expressions filled in the way the runner would,
in a git repository whose pull request changes a stack: the offline plan and diff job, then
the ``pulumi preview --policy-pack`` job against the stand-in providers.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.engine.conftest import REPO, EngineProject

WORKFLOWS = REPO / ".github" / "workflows"
ACTIONLINT = REPO / "scripts" / "actionlint.sh"
EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def test_workflows_pass_actionlint() -> None:
    """actionlint (built from the Go module proxy by scripts/actionlint.sh) finds nothing."""
    if shutil.which("go") is None and not list((Path.home() / ".cache" / "ai-infra" / "tools").glob("actionlint-*")):
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint cannot run in CI: no Go to build it", pytrace=False)
        pytest.skip("actionlint: no Go to build it (scripts/actionlint.sh)")
    result = subprocess.run([str(ACTIONLINT)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr


def _expand(text: str, context: dict[str, Any]) -> str:
    """Fill in ``${{ a.b.c }}`` from ``context`` (absent values are '', as on the runner)."""

    def value(match: re.Match[str]) -> str:
        node: Any = context
        for part in match.group(1).split("."):
            node = node.get(part, "") if isinstance(node, dict) else ""
        return str(node)

    return EXPR.sub(value, text)


def _run_step(
    step: dict[str, Any], cwd: Path, env: dict[str, str], context: dict[str, Any]
) -> subprocess.CompletedProcess[str]:
    step_env = {k: _expand(str(v), context) for k, v in (step.get("env") or {}).items()}
    script = _expand(step["run"], context)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env={**env, **{k: v for k, v in step_env.items() if v != ""}},
        capture_output=True,
        text=True,
        timeout=900,
    )


def _outputs(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        key, _, value = line.partition("=")
        out[key] = value
    return out


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.mark.engine
def test_pull_request_workflow_commands_run_against_the_stand_ins(project: EngineProject, tmp_path: Path) -> None:
    workflow = yaml.safe_load((WORKFLOWS / "pull-request.yml").read_text())
    root = project.root
    # A pull request: the base commit, then a head commit that grows the dev stack's L4 pool.
    _git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text(".venv\nstandin-calls.jsonl\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    base = _git(root, "rev-parse", "HEAD")
    dev = root / "stacks" / "Pulumi.dev.yaml"
    dev.write_text(dev.read_text().replace("maxNodes: 4", "maxNodes: 3", 1))
    _git(root, "commit", "-q", "-am", "head")

    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    env = {**project.env, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output)}
    context: dict[str, Any] = {
        "github": {"event": {"pull_request": {"base": {"sha": base}}}},
        "steps": {},
        "vars": {},
        "secrets": {},
    }

    # offline-plan: every run: step in order (the ones with `uses:` are GitHub's own actions).
    for step in workflow["jobs"]["offline-plan"]["steps"]:
        if "run" not in step or "install" in step.get("name", "").lower():
            continue
        result = _run_step(step, root, env, context)
        if step.get("id"):
            context["steps"][step["id"]] = {"outputs": _outputs(output)}
        if step["name"].startswith("Fail on"):
            assert result.returncode == 0, f"the plan's verdict failed the job:\n{result.stdout}{result.stderr}"
        else:
            assert result.returncode == 0, f"{step['name']}:\n{result.stdout}{result.stderr}"
    comment = (root / "comment.md").read_text()
    assert comment.startswith("<!-- aiinfra-plan -->")
    assert "dev" in (root / "diff.md").read_text()
    assert (root / "plan.sarif").exists() and (root / "plan.json").exists()

    # pulumi-preview, for each stack of its matrix, against the stand-ins.
    job = workflow["jobs"]["pulumi-preview"]
    steps = [s for s in job["steps"] if "run" in s and "pulumi" in s["run"]]
    assert steps, "the preview job runs pulumi in a run: step"
    for stack in job["strategy"]["matrix"]["stack"]:
        context["matrix"] = {"stack": stack}
        for step in steps:
            result = _run_step(step, root, env, context)
            assert result.returncode == 0, f"{stack}: {step['name']}:\n{result.stdout}{result.stderr}"
        assert f"### pulumi preview: {stack}" in summary.read_text()
    assert "Policies:" in summary.read_text() or "policies" in summary.read_text().lower()
