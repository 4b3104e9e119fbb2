"""The component package on the real engine: schema, a generated TypeScript SDK, YAML and TypeScript previews.

- ``pulumi package get-schema provider/`` runs the plugin and prints a schema in which every
  resource is a component with typed, described inputs and outputs: the schema the unit tests
  compare with the JSON Schema (``tests/components/package/test_args.py``).
- ``pulumi package add`` into a copy of ``examples/typescript`` generates the TypeScript SDK and
  links it; ``tsc`` compiles the SDK and the program against it.
- ``pulumi preview --policy-pack policies/overprovisioning`` of ``examples/yaml`` and
  ``examples/typescript`` passes on the stand-in providers, and the engine registers the same
  resources, as (type, name, parent type, parent name), as the Python program's preview of
  ``stacks/Pulumi.gcp-train.yaml``.

The plugin and the examples run from copies, offline: see :mod:`tests.engine.package`.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from components.package.provider import schema as served_schema
from tests.engine.conftest import COMMAND_TIMEOUT_S, EngineProject
from tests.engine.engine import registered, urn_name, urn_type
from tests.engine.package import example_copy, offline_env, plugin_copy

pytestmark = pytest.mark.engine

PACK = "policies/overprovisioning"
STACK = "gcp-train"


def _example(project: EngineProject, name: str, plugin: Path) -> Path:
    """A copy of examples/<name> inside the project copy (its policies/ beside it)."""
    return example_copy(name, project.root / "examples" / name, plugin)


def _env(project: EngineProject) -> dict[str, str]:
    try:
        return offline_env(project.env)
    except RuntimeError as err:
        pytest.fail(str(err), pytrace=False)


def _pulumi(cwd: Path, env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["pulumi", *args, "--non-interactive"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
    )
    if check and proc.returncode != 0:
        where = f"$ pulumi {' '.join(args)} (in {cwd})\nexit {proc.returncode}"
        raise AssertionError(f"{where}\n{proc.stdout}\n{proc.stderr}")
    return proc


def _tree(preview: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    """(type, name, parent type, parent name) of every resource the program registered."""
    return {
        (kind, name, urn_type(parent) if parent else "", urn_name(parent) if parent else "")
        for kind, name, parent in registered(preview)
    }


def _preview(cwd: Path, env: dict[str, str], policy_pack: Path) -> dict[str, Any]:
    _pulumi(cwd, env, "stack", "init", STACK)
    proc = _pulumi(cwd, env, "preview", "--stack", STACK, "--policy-pack", str(policy_pack), "--json")
    preview: dict[str, Any] = json.loads(proc.stdout)
    return preview


def test_get_schema_gives_typed_described_components(project: EngineProject, tmp_path: Path) -> None:
    plugin = plugin_copy(tmp_path / "provider")
    got = json.loads(_pulumi(tmp_path, _env(project), "package", "get-schema", str(plugin)).stdout)
    assert got["name"] == "aiinfra"
    components = ("Fleet", "GcpCluster", "AzureCluster", "AwsCluster")
    assert set(got["resources"]) == {f"aiinfra:index:{c}" for c in components}
    for token, res in got["resources"].items():
        assert res["isComponent"] is True, token
        assert res["description"], token
        for kind in ("inputProperties", "properties"):
            assert res[kind], (token, kind)
            for prop, spec in res[kind].items():
                assert spec.get("description"), (token, prop)
                assert "type" in spec or "$ref" in spec, (token, prop)
        assert res["requiredInputs"] in (["clusters"], ["name", "region"]), token
    for token, typ in got["types"].items():
        assert typ.get("description"), token
        for prop, spec in typ.get("properties", {}).items():
            assert spec.get("description") and ("type" in spec or "$ref" in spec), (token, prop)
    # What the engine got from the plugin is the schema the parity tests check field by field (the
    # CLI drops descriptions of list items and map values, and empty enum descriptions).
    assert _shape(got) == _shape(served_schema())


def _shape(schema: dict[str, Any]) -> dict[str, Any]:
    """Names, required keys, types and enum values of every resource and type, with descriptions."""

    def prop(spec: dict[str, Any]) -> Any:
        nested = spec.get("items") or spec.get("additionalProperties")
        inner = (nested.get("type"), nested.get("$ref")) if nested else None
        return (spec.get("type"), spec.get("$ref"), spec.get("description"), inner)

    def obj(spec: dict[str, Any], *keys: str) -> dict[str, Any]:
        return {k: {n: prop(p) for n, p in spec.get(k, {}).items()} for k in keys}

    return {
        "resources": {
            t: {**obj(r, "inputProperties", "properties"), "required": sorted(r.get("requiredInputs", []))}
            for t, r in schema["resources"].items()
        },
        "types": {
            t: {**obj(d, "properties"), "enum": [(e["name"], e["value"]) for e in d.get("enum", [])]}
            for t, d in schema["types"].items()
        },
    }


def test_yaml_and_typescript_register_what_the_python_program_registers(project: EngineProject, tmp_path: Path) -> None:
    env = _env(project)
    plugin = plugin_copy(tmp_path / "provider")
    pack = project.root / PACK

    project.stack(STACK)
    python = _tree(json.loads(project.run("preview", "--stack", STACK, "--policy-pack", PACK, "--json").stdout))
    assert ("aiinfra:index:Fleet", "fleet", "", "") in python
    assert len(python) > 30

    yaml_dir = _example(project, "yaml", plugin)
    assert _tree(_preview(yaml_dir, env, pack)) == python

    ts_dir = _example(project, "typescript", plugin)
    added = _pulumi(ts_dir, env, "package", "add", str(plugin))
    assert 'import * as aiinfra from "@pulumi/aiinfra"' in added.stdout + added.stderr
    sdk = ts_dir / "sdks" / "aiinfra"
    assert (sdk / "fleet.ts").is_file() and (sdk / "types" / "input.ts").is_file()
    assert json.loads((ts_dir / "package.json").read_text("utf-8"))["dependencies"]["@pulumi/aiinfra"] == (
        "file:sdks/aiinfra"
    )
    # tsc over the generated SDK (its own tsconfig) and over the program that uses it.
    tsc = ts_dir / "node_modules" / ".bin" / "tsc"
    for where in (sdk, ts_dir):
        proc = subprocess.run([str(tsc), "--noEmit", "-p", str(where)], capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"tsc -p {where}:\n{proc.stdout}{proc.stderr}"
    assert _tree(_preview(ts_dir, env, pack)) == python


def test_a_bad_spec_from_yaml_fails_with_its_spec_path_and_no_traceback(project: EngineProject, tmp_path: Path) -> None:
    env = _env(project)
    plugin = plugin_copy(tmp_path / "provider")
    yaml_dir = _example(project, "yaml", plugin)
    manifest = (yaml_dir / "Pulumi.yaml").read_text("utf-8")
    assert "accelerator: H100-80GB" in manifest
    (yaml_dir / "Pulumi.yaml").write_text(manifest.replace("accelerator: H100-80GB", "accelerator: H100-80"), "utf-8")
    _pulumi(yaml_dir, env, "stack", "init", STACK)
    proc = _pulumi(yaml_dir, env, "preview", "--stack", STACK, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "property clusters[0].gpuPools[0].accelerator" in out
    assert "did you mean 'H100-80GB'?" in out
    assert "Traceback" not in out
