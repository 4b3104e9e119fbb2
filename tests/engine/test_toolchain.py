"""scripts/offline-pulumi.sh: the pinned version, the ``env`` it prints, the CLI it gives.

``eval "$(scripts/offline-pulumi.sh env)" && pulumi version`` prints the pinned version.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess

import pytest

from tests.engine.conftest import SCRIPT, pinned_version
from tests.support.sdk_inputs import PACKAGES


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.lstrip("v").split(".")[:3])


def test_pinned_cli_is_at_or_above_the_python_sdk() -> None:
    """The CLI the script builds is no older than the `pulumi` Python SDK the project installs."""
    assert _version_tuple(pinned_version()) >= _version_tuple(importlib.metadata.version("pulumi"))


def test_the_version_is_pinned_in_one_place() -> None:
    text = SCRIPT.read_text()
    assert text.count(f'"{pinned_version()}"') == 1
    assert "PULUMI_VERSION" in text


@pytest.mark.engine
def test_env_gives_a_shell_the_pinned_cli_stand_ins_and_a_file_backend(engine_env: dict[str, str]) -> None:
    script = f'eval "$({SCRIPT} env)" && pulumi version && env'
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=dict(os.environ), timeout=600)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    if "AIINFRA_PULUMI_BUILD" not in os.environ and lines[0] != f"v{pinned_version()}":
        pytest.skip(f"an installed pulumi {lines[0]} is on PATH; the script uses it")
    assert lines[0] == f"v{pinned_version()}"
    env = dict(line.split("=", 1) for line in lines[1:] if "=" in line)
    assert env["PULUMI_BACKEND_URL"].startswith("file://")
    assert env["PULUMI_SKIP_UPDATE_CHECK"] == "true"
    assert env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] == "true"
    assert env["PULUMI_CONFIG_PASSPHRASE"]
    assert env["PULUMI_HOME"]
    path = env["PATH"].split(":")
    for package in PACKAGES:
        assert any(os.access(os.path.join(d, f"pulumi-resource-{package}"), os.X_OK) for d in path), package
    # The language hosts (Python with its exec script, Node.js and YAML for the component
    # package's examples) sit beside the CLI.
    cli_dir = next(d for d in path if os.access(os.path.join(d, "pulumi"), os.X_OK))
    hosts = ("pulumi-language-python", "pulumi-language-python-exec", "pulumi-language-nodejs", "pulumi-language-yaml")
    for name in hosts:
        assert os.access(os.path.join(cli_dir, name), os.X_OK), name
    subprocess.run(["rm", "-rf", env["AIINFRA_PULUMI_STATE"]], check=False)
