"""The component package as the engine tier runs it: a plugin copy, example copies, offline installs.

Shared by ``tests/engine/test_package.py`` and ``benchmarks/package_bench.py``.

The plugin runs from a copy of ``provider/`` whose ``PulumiPlugin.yaml`` names the repository's
``.venv`` by absolute path and which has no ``requirements.txt``: Pulumi installs a local
plugin's requirements on every package command, and ``-e ..`` from a temp copy would point the
shared virtualenv's editable install at that copy. ``PIP_NO_INDEX`` keeps the rest of that
install step (pip's self-upgrade) offline, and npm installs from the cache
``scripts/offline-pulumi.sh build`` warmed (``npm_config_offline``).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def plugin_copy(dest: Path) -> Path:
    """``provider/`` for the engine tier (see the module docstring)."""
    dest.mkdir(parents=True)
    manifest = yaml.safe_load((REPO / "provider" / "PulumiPlugin.yaml").read_text("utf-8"))
    assert manifest["runtime"]["options"]["virtualenv"] == "../.venv"
    # The real directory: `python -m venv` (Pulumi's install step) refuses a symlink.
    manifest["runtime"]["options"]["virtualenv"] = str((REPO / ".venv").resolve())
    (dest / "PulumiPlugin.yaml").write_text(yaml.safe_dump(manifest), "utf-8")
    shutil.copy2(REPO / "provider" / "__main__.py", dest / "__main__.py")
    return dest


def example_copy(name: str, dest: Path, plugin: Path) -> Path:
    """A copy of ``examples/<name>`` at ``dest``, its ``aiinfra`` package pointed at ``plugin``."""
    shutil.copytree(
        REPO / "examples" / name,
        dest,
        ignore=shutil.ignore_patterns("node_modules", "sdks", "bin", "package-lock.json"),
    )
    manifest = yaml.safe_load((dest / "Pulumi.yaml").read_text("utf-8"))
    manifest["packages"] = {"aiinfra": str(plugin)}
    (dest / "Pulumi.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), "utf-8")
    return dest


def offline_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with pip and npm kept offline (npm from the cache ``AIINFRA_NPM_CACHE`` names)."""
    cache = env.get("AIINFRA_NPM_CACHE")
    if not cache or not (Path(cache) / ".complete").exists():
        raise RuntimeError(
            "no warmed npm cache (AIINFRA_NPM_CACHE): run scripts/offline-pulumi.sh build, which fills it"
        )
    return {
        **env,
        "PIP_NO_INDEX": "1",
        "npm_config_cache": cache,
        "npm_config_offline": "true",
        "npm_config_audit": "false",
        "npm_config_fund": "false",
        "npm_config_update_notifier": "false",
    }
