"""Fixtures of the engine tier: the real ``pulumi`` CLI on a temp copy of the project.

The toolchain comes from ``scripts/offline-pulumi.sh`` (an installed ``pulumi`` on PATH, or the
pinned build cached under ``~/.cache/ai-infra/pulumi/<version>``); the cloud providers are the
stand-ins of :mod:`tests.engine.standin`. Every test gets its own copy of the project, its own
file backend and its own stand-in call log, so tests run in parallel (``pytest -n 2``).

When the toolchain is not there, engine tests skip and say how to get it; under ``CI=true``
they fail instead, so CI never passes on an engine tier that did not run.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.engine.standin import LOG_ENV, read_log

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "offline-pulumi.sh"
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
# What a project copy needs to run: the program, its components, the pack, the stacks.
PROJECT_FILES = ("Pulumi.yaml", "__main__.py", "pyproject.toml", "components", "policies", "stacks")
STACKS = sorted(p.stem.split(".", 1)[1] for p in (REPO / "stacks").glob("Pulumi.*.yaml"))
# Generous: a cold plugin start on a loaded 2-core machine takes seconds per plugin.
COMMAND_TIMEOUT_S = 900


def pinned_version() -> str:
    """The CLI version pinned in scripts/offline-pulumi.sh."""
    return subprocess.run([str(SCRIPT), "version"], capture_output=True, text=True, check=True).stdout.strip()


def _unavailable() -> str | None:
    """Why the engine tier cannot run here, or None when it can."""
    if not VENV_PYTHON.exists():
        return f"no {VENV_PYTHON} (the stand-in providers and the program run in the project's .venv)"
    if shutil.which("go") is None and shutil.which("pulumi") is None:
        return "neither a pulumi CLI on PATH nor Go to build one (scripts/offline-pulumi.sh)"
    cache = Path(os.environ.get("AIINFRA_PULUMI_CACHE", Path.home() / ".cache" / "ai-infra" / "pulumi"))
    if shutil.which("pulumi") is None and not (cache / pinned_version() / ".complete").exists():
        return (
            f"the Pulumi CLI v{pinned_version()} is not built yet: run scripts/offline-pulumi.sh "
            "(a few minutes, once; .ci/run does it)"
        )
    return None


def require_engine() -> None:
    """Skip (or, under CI=true, fail) when the engine tier cannot run."""
    reason = _unavailable()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"engine tier cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"engine tier: {reason}")


def _parse_exports(text: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in text.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            key, _, value = words[1].partition("=")
            env[key] = value
    return env


@pytest.fixture(scope="session")
def engine_env() -> Iterator[dict[str, str]]:
    """The environment ``eval "$(scripts/offline-pulumi.sh env)"`` gives a shell."""
    require_engine()
    out = subprocess.run([str(SCRIPT), "env"], capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
    if out.returncode != 0:
        message = f"scripts/offline-pulumi.sh env failed:\n{out.stderr}"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    exports = _parse_exports(out.stdout)
    env = {**os.environ, **exports}
    env.pop("PULUMI_ACCESS_TOKEN", None)
    yield env
    state = exports.get("AIINFRA_PULUMI_STATE")
    if state:
        shutil.rmtree(state, ignore_errors=True)


@dataclass
class Result:
    """One pulumi command's outcome."""

    args: list[str]
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> Any:
        return json.loads(self.stdout)

    def describe(self) -> str:
        return f"$ pulumi {' '.join(self.args)}\nexit {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


@dataclass
class EngineProject:
    """A temp copy of the project with its own file backend and stand-in call log."""

    root: Path
    env: dict[str, str]
    initialised: set[str] = field(default_factory=set)

    @property
    def log_path(self) -> Path:
        return self.root / "standin-calls.jsonl"

    def run(self, *args: str, check: bool = True, stdin: str | None = None) -> Result:
        """``pulumi ARGS --non-interactive`` in the project copy."""
        argv = [*args, "--non-interactive"] if args and args[0] not in ("version",) else list(args)
        proc = subprocess.run(
            ["pulumi", *argv],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            input=stdin,
        )
        result = Result(argv, proc.returncode, proc.stdout, proc.stderr)
        if check and proc.returncode != 0:
            raise AssertionError(result.describe())
        return result

    def stack(self, name: str) -> str:
        """Create the stack once (its config is stacks/Pulumi.<name>.yaml); return its name."""
        if name not in self.initialised:
            self.run("stack", "init", name)
            self.initialised.add(name)
        return name

    def calls(self) -> list[dict[str, Any]]:
        """Every stand-in provider call so far."""
        return read_log(self.log_path)

    def clear_calls(self) -> None:
        self.log_path.unlink(missing_ok=True)

    def aiinfra(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The repo's ``aiinfra`` command, run in the project copy."""
        return subprocess.run(
            [str(REPO / ".venv" / "bin" / "aiinfra"), *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
        )


def copy_project(dest: Path) -> Path:
    """Copy what ``pulumi`` needs of the project into ``dest``; the .venv is linked, not copied."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", "dist")
    for name in PROJECT_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)
    (dest / ".venv").symlink_to(REPO / ".venv")
    return dest


@pytest.fixture
def project(engine_env: dict[str, str], tmp_path: Path) -> EngineProject:
    """A fresh project copy with its own backend, Pulumi home and stand-in call log."""
    root = copy_project(tmp_path / "project")
    backend = tmp_path / "backend"
    backend.mkdir()
    env = {
        **engine_env,
        "PULUMI_BACKEND_URL": f"file://{backend}",
        LOG_ENV: str(root / "standin-calls.jsonl"),
    }
    return EngineProject(root=root, env=env)
