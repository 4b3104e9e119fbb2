"""The real engine previews every example stack with the policy pack, as the plan does.

``pulumi preview --policy-pack policies/overprovisioning`` on each stack succeeds with no
mandatory violation, and the resources the engine registered, as (type, name, parent), are
exactly the ``resources`` of ``aiinfra plan --format json``: the offline plan is faithful to
the engine. Then: an overprovisioned spec fails preview and up with the policy, the resource
and the fix named, and a ``--policy-pack-config`` that raises the dev ceiling turns it green;
``pulumi config set --path`` edits the spec; a spec error shows our readable list.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.engine.conftest import STACKS, EngineProject
from tests.engine.engine import planned, registered, step_state

pytestmark = pytest.mark.engine

PACK = "policies/overprovisioning"


@pytest.mark.parametrize("stack", STACKS)
def test_example_stack_previews_clean_and_matches_the_plan(project: EngineProject, stack: str) -> None:
    project.stack(stack)
    result = project.run("preview", "--stack", stack, "--policy-pack", PACK, "--json")
    preview = result.json()
    plan_run = project.aiinfra("plan", f"stacks/Pulumi.{stack}.yaml", "--format", "json")
    assert plan_run.returncode == 0, plan_run.stdout + plan_run.stderr
    plan = json.loads(plan_run.stdout)

    engine = registered(preview)
    offline = planned(plan, stack)
    assert engine - offline == set(), "the engine registered resources the plan does not show"
    assert offline - engine == set(), "the plan shows resources the engine did not register"
    # Every resource of a default provider went through the stand-in's Check (the SDK input
    # types) cleanly. The add-ons' Kubernetes provider takes the cluster's kubeconfig, unknown
    # until the cluster exists, and the engine checks nothing against an unconfigured provider
    # in a preview: those are checked by `up` (test_lifecycle).
    checked = {c["urn"] for c in project.calls() if c["method"] == "Check"}
    custom = {
        str(s["urn"])
        for s in preview["steps"]
        if step_state(s).get("custom") and "::default" in str(step_state(s).get("provider", ""))
    }
    assert custom and custom <= checked


def _overprovisioned(project: EngineProject) -> str:
    """The dev stack with an 8-GPU L4 pool of 4 nodes: 32 accelerators, over the dev ceiling of 16.

    The spec's own budget is dropped, so only the pack's dev ceiling stands in the way.
    """
    path = project.root / "stacks" / "Pulumi.dev.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["config"]["aiinfra:fleet"].pop("budget", None)
    pool = doc["config"]["aiinfra:fleet"]["clusters"][0]["gpuPools"][0]
    pool.update(acceleratorsPerNode=8, maxNodes=4)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return project.stack("dev")


def test_overprovisioned_spec_fails_preview_and_up_naming_policy_resource_and_fix(project: EngineProject) -> None:
    stack = _overprovisioned(project)
    for command in (("preview",), ("up", "--yes")):
        result = project.run(*command, "--stack", stack, "--policy-pack", PACK, check=False)
        assert result.code != 0, result.describe()
        out = result.output
        assert "stack-ceilings" in out, result.describe()
        assert "mandatory" in out
        assert "fleet-dev-l4-pool" in out, "the violation names the node pool"
        # The fix names the fleet-spec field, not the provider's property.
        assert "Fix: clusters[0].gpuPools[0].maxNodes: 4 → at most 1" in out, "the violation says the fix\n" + out
    # Nothing was created: up stopped at the policy check.
    assert not [c for c in project.calls() if c["method"] == "Create" and not c.get("preview")]


def test_policy_pack_config_raising_the_dev_ceiling_turns_it_green(project: EngineProject, tmp_path: Path) -> None:
    stack = _overprovisioned(project)
    config = tmp_path / "dev-ceiling.json"
    config.write_text(json.dumps({"stack-ceilings": {"maxAccelerators": {"dev": 64}, "maxHourlyUsd": {"dev": 1000}}}))
    project.run("preview", "--stack", stack, "--policy-pack", PACK, "--policy-pack-config", str(config))


def test_config_set_path_edits_the_spec_and_the_next_preview_shows_it(project: EngineProject) -> None:
    stack = project.stack("gcp-train")
    project.run("config", "set", "--path", "aiinfra:fleet.clusters[0].gpuPools[0].maxNodes", "2", "--stack", stack)
    doc = yaml.safe_load((project.root / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    assert doc["config"]["aiinfra:fleet"]["clusters"][0]["gpuPools"][0]["maxNodes"] == 2
    preview = project.run("preview", "--stack", stack, "--json").json()
    pools = [
        step_state(s)
        for s in preview["steps"]
        if step_state(s).get("type") == "gcp:container/nodePool:NodePool" and "h100" in str(s["urn"])
    ]
    assert pools, "the h100 node pool is in the preview"
    autoscaling = pools[0]["inputs"]["autoscaling"]
    assert 2 in (autoscaling.get("totalMaxNodeCount"), autoscaling.get("maxNodeCount")), autoscaling


def test_a_spec_error_shows_the_readable_list_without_a_traceback(project: EngineProject) -> None:
    stack = project.stack("gcp-train")
    project.run("config", "set", "--path", "aiinfra:fleet.clusters[0].gpuPools[0].maxNode", "2", "--stack", stack)
    result = project.run("preview", "--stack", stack, check=False)
    assert result.code != 0
    assert "clusters[0].gpuPools[0].maxNode" in result.output
    assert "did you mean 'maxNodes'" in result.output
    assert "Traceback" not in result.output, result.describe()
