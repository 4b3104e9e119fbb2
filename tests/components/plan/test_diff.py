"""``aiinfra diff``: cost up and down, pools replaced, storage deleted/shrunk/re-tiered, git refs."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from components import cli
from components.plan import policies
from components.plan.diff import PlanDiff, Side, load_side
from components.plan.engine import plan_file
from components.plan.report_diff import render_markdown, render_text
from components.plan.report_markdown import breakable, usd
from tests.components.plan.helpers import (
    AWS_FLEET,
    FIXTURE,
    GCP_FLEET,
    mandatory_on_first_pool,
    no_violations,
    node_price,
    write_stack,
)


def _diff(tmp_path: Path, base: dict[str, Any], head: dict[str, Any], **kw: Any) -> PlanDiff:
    (tmp_path / "base").mkdir(exist_ok=True)
    (tmp_path / "head").mkdir(exist_ok=True)
    b = write_stack(tmp_path / "base", "s", base)
    h = write_stack(tmp_path / "head", "s", head)
    kw.setdefault("policies", no_violations)
    kw.setdefault("program", FIXTURE)
    return PlanDiff(load_side(str(b), **kw), load_side(str(h), **kw))


def _edit(spec: dict[str, Any], section: str, index: int, **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(spec)
    item = out["clusters"][0][section][index]
    for k, v in changes.items():
        if v is None:
            item.pop(k, None)
        else:
            item[k] = v
    return out


def _effects(d: PlanDiff) -> set[tuple[str, str, str, str]]:
    return {(c.severity, c.effect, c.kind, c.field) for c in d.changes}


def test_cost_up(tmp_path: Path) -> None:
    d = _diff(tmp_path, GCP_FLEET, _edit(GCP_FLEET, "gpuPools", 0, maxNodes=8))
    doc = d.to_json()
    a3 = node_price("gcp", "a3-highgpu-8g")
    assert doc["cost"]["delta"]["hourlyUsd"] == pytest.approx(4 * a3)
    assert doc["cost"]["delta"]["hourlyUsdAtMin"] == 0
    assert doc["accelerators"]["changed"] == [{"name": "H100-80GB", "before": 32, "after": 64, "delta": 32}]
    assert [line["name"] for line in doc["cost"]["lines"]] == ["h100"]
    assert [(c.effect, c.field) for c in d.changes] == [("note", "maxNodes")]  # shown, replaces nothing
    assert d.exit_code == 0
    md = render_markdown(d)
    pct = round(4 * a3 / d.base_cost.hourly_usd * 100)
    assert f"+{usd(4 * a3)}/h at max scale (+{pct}%)" in md
    assert "[!CAUTION]" not in md and "[!WARNING]" not in md


def test_cost_down(tmp_path: Path) -> None:
    d = _diff(tmp_path, GCP_FLEET, _edit(GCP_FLEET, "gpuPools", 0, maxNodes=2))
    a3 = node_price("gcp", "a3-highgpu-8g")
    assert d.to_json()["cost"]["delta"]["hourlyUsd"] == pytest.approx(-2 * a3)
    assert d.to_json()["accelerators"]["totalDelta"] == -16
    pct = round(2 * a3 / d.base_cost.hourly_usd * 100)
    assert f"-{usd(2 * a3)}/h at max scale (-{pct}%)" in render_markdown(d)


def test_spot_switch_costs_less_and_replaces_the_pool(tmp_path: Path) -> None:
    d = _diff(tmp_path, GCP_FLEET, _edit(GCP_FLEET, "gpuPools", 0, capacity="spot"))
    spot, od = node_price("gcp", "a3-highgpu-8g", spot=True), node_price("gcp", "a3-highgpu-8g")
    assert d.to_json()["cost"]["delta"]["hourlyUsd"] == pytest.approx(4 * (spot - od))
    assert ("warning", "replace", "gpu-pool", "capacity") in _effects(d)


def test_aws_pool_replaced_on_accelerator_change(tmp_path: Path) -> None:
    d = _diff(tmp_path, AWS_FLEET, _edit(AWS_FLEET, "gpuPools", 0, accelerator="H200"))
    fields = {c.field: c for c in d.changes if c.kind == "gpu-pool"}
    assert fields["machineType"].effect == "replace"
    assert (fields["machineType"].before, fields["machineType"].after) == ("p5.48xlarge", "p5en.48xlarge")
    assert fields["accelerator"].effect == "replace"
    md = render_markdown(d)
    assert "> [!WARNING]" in md
    assert "GPU pool `train-aws/p5` is REPLACED" in md
    assert "`p5.48xlarge` → `p5en.48xlarge`" in md


def test_gcp_machine_type_change(tmp_path: Path) -> None:
    """a3-highgpu-8g -> a3-megagpu-8g: GKE migrates nodes for machineType, but the GPU type forces a new pool."""
    d = _diff(tmp_path, GCP_FLEET, _edit(GCP_FLEET, "gpuPools", 0, machineType="a3-megagpu-8g"))
    effects = {c.field: c.effect for c in d.changes if c.kind == "gpu-pool"}
    assert effects["machineType"] == "recreate-nodes"
    assert effects["accelerator type"] == "replace"


def test_gpu_driver_change_replaces_the_pool(tmp_path: Path) -> None:
    d = _diff(tmp_path, GCP_FLEET, _edit(GCP_FLEET, "gpuPools", 0, gpuDriver="latest"))
    assert ("warning", "replace", "gpu-pool", "gpuDriver") in _effects(d)


def test_storage_deleted(tmp_path: Path) -> None:
    head = copy.deepcopy(GCP_FLEET)
    head["clusters"][0]["storage"] = []
    d = _diff(tmp_path, GCP_FLEET, head)
    (danger,) = d.danger()
    assert (danger.effect, danger.kind, danger.name, danger.protected) == ("delete", "storage", "datasets", True)
    assert "pulumi state unprotect" in danger.why
    md = render_markdown(d)
    assert "> [!CAUTION]" in md and "storage `train/datasets` is DELETED" in md
    assert d.to_json()["cost"]["lines"][0]["change"] == "removed"
    # the resource-level check found the same file system gone; it is not reported twice
    assert len([c for c in d.changes if c.kind == "storage"]) == 1
    assert "DATA LOSS" in render_text(d)


def test_unprotected_storage_deleted_says_data_is_deleted(tmp_path: Path) -> None:
    base = _edit(GCP_FLEET, "storage", 0, protect=False)
    head = copy.deepcopy(base)
    head["clusters"][0]["storage"] = []
    (danger,) = _diff(tmp_path, base, head).danger()
    assert "protect is off" in danger.why and not danger.protected


def test_storage_shrunk_and_retiered(tmp_path: Path) -> None:
    base = _edit(GCP_FLEET, "storage", 0, capacityGiB=72000)
    d = _diff(tmp_path, base, _edit(GCP_FLEET, "storage", 0, capacityGiB=36000, throughputMBpsPerTiB=500))
    assert {
        ("danger", "replace", "storage", "capacityGiB"),
        ("danger", "replace", "storage", "throughputMBpsPerTiB"),
    } <= _effects(d)
    # growing is fine on GCP
    assert _diff(tmp_path, GCP_FLEET, base).changes == []


def test_fsx_tier_change_is_in_place(tmp_path: Path) -> None:
    d = _diff(tmp_path, AWS_FLEET, _edit(AWS_FLEET, "storage", 0, throughputMBpsPerTiB=500))
    assert not [c for c in d.changes if c.kind == "storage"]


def test_storage_renamed_is_a_delete_with_a_hint(tmp_path: Path) -> None:
    d = _diff(tmp_path, GCP_FLEET, _edit(GCP_FLEET, "storage", 0, name="data"))
    (danger,) = d.danger()
    assert danger.effect == "delete" and "renamed to 'data'?" in danger.why


def test_cluster_region_change_replaces_everything(tmp_path: Path) -> None:
    head = copy.deepcopy(AWS_FLEET)
    head["clusters"][0].update(region="us-west-2", zone="us-west-2a")
    d = _diff(tmp_path, AWS_FLEET, head)
    assert ("warning", "replace", "cluster", "region") in _effects(d)
    assert any(c.kind == "storage" and c.effect == "replace" and c.severity == "danger" for c in d.changes)


def test_resource_renamed_in_code_is_caught(tmp_path: Path) -> None:
    """Same spec, but the program names the file system differently: its URN is gone."""
    renamed = tmp_path / "renamed_program.py"
    renamed.write_text(
        FIXTURE.read_text().replace(
            'f"{name}-{store.name}",\n                    instance_id',
            'f"{name}-fs-{store.name}",\n                    instance_id',
        )
    )
    stack = write_stack(tmp_path, "s", GCP_FLEET)
    base = Side("base", plan_file(stack, policies=no_violations, program=FIXTURE))
    head = Side("head", plan_file(stack, policies=no_violations, program=renamed))
    d = PlanDiff(base, head)
    (danger,) = d.danger()
    assert danger.effect == "delete" and "URN is gone" in danger.why
    assert (danger.cluster, danger.name) == ("train", "datasets")


def test_new_and_removed_stack(tmp_path: Path) -> None:
    stack = write_stack(tmp_path, "s", GCP_FLEET)
    new = PlanDiff(Side("/dev/null", None), load_side(str(stack), policies=no_violations, program=FIXTURE))
    assert new.to_json()["cost"]["delta"]["hourlyUsd"] == pytest.approx(new.head_cost.hourly_usd)
    assert "new stack" in render_markdown(new)
    gone = PlanDiff(load_side(str(stack), policies=no_violations, program=FIXTURE), Side("/dev/null", None))
    assert any(c.kind == "storage" and c.effect == "delete" for c in gone.danger())
    assert gone.exit_code == 0


def test_policy_verdicts_that_changed(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    stack = write_stack(tmp_path / "b", "s", GCP_FLEET)
    base = load_side(str(stack), policies=no_violations, program=FIXTURE)
    head = load_side(str(stack), policies=mandatory_on_first_pool, program=FIXTURE)
    d = PlanDiff(base, head)
    new, resolved = d.policy_changes()
    assert [v.policy for v in new] == ["gpu-pool-max-nodes", "fleet-budget"] and resolved == []
    assert d.exit_code == 1
    md = render_markdown(d)
    assert f"**New in `{d.head.label}`** (2)" in md and "Resolved since" not in md
    assert "| ❌ | `gpu-pool-max-nodes` | clusters[0].<wbr>gpuPools[0] (train/h100, line 20) |" in md
    back = PlanDiff(head, base)
    assert [v.policy for v in back.policy_changes()[1]] == ["gpu-pool-max-nodes", "fleet-budget"]
    assert back.exit_code == 0


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo, check=True, capture_output=True
    )


def test_cli_with_git_ref(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    (repo / "stacks").mkdir(parents=True)
    stack = write_stack(repo / "stacks", "gcp-train", GCP_FLEET)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    head = copy.deepcopy(GCP_FLEET)
    head["clusters"][0]["storage"] = []
    write_stack(repo / "stacks", "gcp-train", head)
    monkeypatch.chdir(repo)
    monkeypatch.setattr(policies, "run_policies", no_violations)
    argv = ["diff", "HEAD:stacks/Pulumi.gcp-train.yaml", "stacks/Pulumi.gcp-train.yaml", "--program", str(FIXTURE)]
    # deleting protected storage fails by default; --allow-data-loss is the opt-out
    assert cli.main([*argv, "--format", "json"]) == 1
    out = capsys.readouterr()
    assert "pass --allow-data-loss if that is intended" in " ".join(out.err.split())  # wrapped to the terminal
    doc = json.loads(out.out)
    assert doc["base"]["label"] == "HEAD:stacks/Pulumi.gcp-train.yaml" and doc["base"]["stack"] == "gcp-train"
    assert [c["effect"] for c in doc["changes"] if c["severity"] == "danger"] == ["delete"]
    assert cli.main([*argv, "--format", "markdown", "--allow-data-loss"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("### 🛑 aiinfra diff `gcp-train`")
    assert cli.main([*argv, "--fail-on-data-loss"]) == 1  # the former opt-in still parses
    assert "1 change deletes or replaces data-bearing storage" in capsys.readouterr().err
    # a file missing at the ref is a new stack; a bad ref is invalid input
    assert (
        cli.main(
            ["diff", "HEAD:stacks/Pulumi.other.yaml", str(stack), "--program", str(FIXTURE), "--format", "markdown"]
        )
        == 0
    )
    assert "new stack" in capsys.readouterr().out
    assert cli.main(["diff", "no-such-ref:stacks/Pulumi.gcp-train.yaml", str(stack)]) == 2
    assert "no-such-ref" in capsys.readouterr().err
    assert cli.main(["diff", "missing.yaml", str(stack)]) == 2


def test_cli_invalid_head_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(policies, "run_policies", no_violations)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    base = write_stack(tmp_path / "a", "s", GCP_FLEET)
    head = write_stack(tmp_path / "b", "s", _edit(GCP_FLEET, "gpuPools", 0, maxNodes="many"))
    assert cli.main(["diff", str(base), str(head), "--program", str(FIXTURE), "--format", "markdown"]) == 2
    assert "is invalid" in capsys.readouterr().out


@pytest.mark.parametrize("broken", ["head", "base"])
def test_a_side_that_cannot_be_planned_is_not_compared(tmp_path: Path, broken: str) -> None:
    # Compared as they were, a head with a spec error read as its cluster, pools and protected
    # storage DELETED (data loss), the whole cost removed and every violation resolved.
    bad = _edit(GCP_FLEET, "gpuPools", 0, maxNodes="many")
    d = _diff(tmp_path, *((GCP_FLEET, bad) if broken == "head" else (bad, GCP_FLEET)), policies=mandatory_on_first_pool)
    label = (d.head if broken == "head" else d.base).label
    assert not d.comparable and d.exit_code == 2
    assert d.changes == [] and d.danger() == [] and d.cost_lines() == [] and d.accelerator_rows() == []
    assert d.policy_changes() == ([], [])
    doc = d.to_json()
    assert (
        doc["comparable"] is False
        and doc["changes"] == []
        and doc["policies"] == {"new": [], "resolved": [], "remaining": []}
    )
    assert doc["cost"]["delta"] is None and doc["cost"][broken] is None and doc["accelerators"]["totalDelta"] is None
    markdown, text = render_markdown(d), render_text(d)
    assert markdown.splitlines()[1] == f"### 🚫 aiinfra diff `s`: not compared: {label} is invalid · invalid input"
    assert "Nothing is compared until both sides plan" in markdown
    for out in (markdown, text):
        assert "DELETED" not in out and "resolved" not in out and "cost at" not in out and "#### Cost" not in out
        assert "clusters[0].gpuPools[0].maxNodes" in out  # the error that stops it, with its spec path
    flat = " ".join(text.split())  # however the terminal's width wrapped it
    assert flat.startswith("aiinfra diff ") and f"invalid input, not compared: {label} is invalid" in flat


def test_base_and_head_files_with_different_stack_names_match_resources(tmp_path: Path) -> None:
    """Two file names mean two stack names in the URNs; the same resources must still match."""
    from components.mockengine import CapturedResource
    from components.plan.replacements import resource_changes

    def ng(stack: str) -> CapturedResource:
        urn = f"urn:pulumi:{stack}::ai-infra::aiinfra:aws:Cluster$aws:eks/nodeGroup:NodeGroup::c-system"
        return CapturedResource("aws:eks/nodeGroup:NodeGroup", "c-system", urn, None, True, {"nodeGroupName": "x"})

    assert resource_changes([ng("base")], [ng("head")]) == []
    assert [c.effect for c in resource_changes([ng("base")], [])] == ["delete"]


def test_one_warning_per_item_naming_only_its_cloud_with_scale_changes_and_plain_booleans(tmp_path: Path) -> None:
    head = _edit(GCP_FLEET, "gpuPools", 0, machineType="a3-megagpu-8g", maxNodes=12)
    head = _edit(head, "storage", 0, protect=False)
    d = _diff(tmp_path, GCP_FLEET, head)
    md = render_markdown(d)
    pool_lines = [line for line in md.splitlines() if "`train/h100`" in line]
    assert len(pool_lines) == 1, pool_lines  # one warning for the pool, however many fields changed
    (line,) = pool_lines
    assert "is REPLACED" in line and "`maxNodes`: `4` → `12`" in line
    assert "GKE" in line and "AKS" not in md and "EKS" not in md  # only the pool's own cloud
    assert "`protect`: `true` → `false`" in md and "True" not in md
    text = render_text(d)
    assert "maxNodes: 4 → 12" in text and "AKS" not in text
    # the cost rows show the scale change too
    assert "a3-highgpu-8g × 0-4 nodes" in md and "a3-megagpu-8g × 0-12 nodes" in md


@pytest.mark.parametrize("columns", [80, 132])
def test_text_fits_the_terminal_and_keeps_names_and_paths_whole(
    columns: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # it printed each item on one line, up to 409 wide (a policy message)
    from tests.support.terminal import broken, parted, too_wide, words

    head = _edit(GCP_FLEET, "gpuPools", 0, machineType="a3-megagpu-8g", maxNodes=40)
    head["clusters"][0]["storage"] = []
    b = write_stack(tmp_path, "base", GCP_FLEET)
    h = write_stack(tmp_path, "head", head)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", str(columns))
    assert cli.main(["diff", b.name, h.name, "--format", "text", "--program", str(FIXTURE)]) == 1
    out, err = capsys.readouterr()
    assert too_wide(out + err, columns) == [], out
    assert parted(out + err) == [], out  # a number goes with its unit: "40" / "nodes" never
    assert broken(out, ["train/h100", "a3-highgpu-8g", "a3-megagpu-8g", "H100-80GB", "stack-ceilings"]) == [], out
    assert out.count("\n  [") == len({(c.kind, c.cluster, c.name) for c in _diff(tmp_path, GCP_FLEET, head).changes})
    assert "maxNodes: 4 → 40" in words(out)
    assert "new violation [mandatory] stack-ceilings clusters[0].gpuPools[0] (train/h100)" in words(out)


def _sections(md: str, start: str) -> list[str]:
    """The table rows of a Markdown section, from its heading to the next heading."""
    lines = md.split(start, 1)[1].split("\n####", 1)[0].splitlines()
    return [line for line in lines if line.startswith("| ") and not line.startswith("|  | Policy")]


def test_violations_name_the_spec_path_item_and_fix_as_the_plan_does(tmp_path: Path) -> None:
    """The real program and pack: each violation in the diff as the plan shows it, with its item.

    It printed only the pack's message ("node pool 'fleet-dev-l4-pool' can scale to 16 nodes"):
    no spec path, no line, no fix, in text and Markdown; JSON had no spec path or line.
    """
    import yaml

    from components.plan.engine import PlanReport
    from components.plan.report_markdown import render as render_plan
    from tests.components.plan.helpers import REPO
    from tests.support.terminal import words

    doc = yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())
    pools = doc["config"]["aiinfra:fleet"]["clusters"][0]["gpuPools"]
    pools[0]["maxNodes"], pools[1]["minNodes"] = 16, 1
    (tmp_path / "b").mkdir()
    head_file = tmp_path / "Pulumi.dev.yaml"
    head_file.write_text(yaml.safe_dump(doc, sort_keys=False))
    program = REPO / "__main__.py"
    base = load_side(str(REPO / "stacks" / "Pulumi.dev.yaml"), program=program)
    head = load_side(str(head_file), program=program)
    assert head.plan is not None and base.plan is not None and base.plan.violations == []
    d = PlanDiff(base, head)
    labels = {"clusters[0].gpuPools[0]": "dev/l4", "clusters[0].gpuPools[1]": "dev/t4"}

    # JSON: the plan's violation objects, and the item
    plan_rows = PlanReport([head.plan]).to_json()["violations"]
    new = d.to_json()["policies"]["new"]
    assert {"pool-max-nodes", "scale-to-zero"} <= {v["policy"] for v in new}
    assert sorted(plan_rows, key=json.dumps) == sorted(
        ({k: v for k, v in row.items() if k != "item"} for row in new), key=json.dumps
    )
    assert all(row["item"] == labels[row["specPath"]] and row["fix"] for row in new)
    (max_nodes,) = [row for row in new if row["policy"] == "pool-max-nodes"]
    assert max_nodes["fix"].startswith("clusters[0].gpuPools[0].maxNodes: 16 → ")

    # Markdown: the plan's policy rows (spec path, what, fix), each with its item
    plan_md_rows = _sections(render_plan(PlanReport([head.plan])), "#### Policy verdicts")
    md = render_markdown(d)
    assert len(plan_md_rows) == len(new) and f"**New in `{head_file}`** ({len(new)})" in md
    for row in plan_md_rows:
        for path, label in labels.items():
            row = row.replace(breakable(path) + " (line", f"{breakable(path)} ({label}, line")
        assert row in _sections(md, "#### Policy verdicts that changed"), (row, md)
    assert "<details><summary>Full messages" in md

    # text: policy, spec path, item, file:line, resource; the message; the fix
    text = words(render_text(d, width=100))
    for row in new:
        at = f"{head_file}:{row['line']}"
        assert (
            f"new violation [mandatory] {row['policy']} {row['specPath']} ({row['item']}) {at} "
            f"({row['type']} {row['name']}) {words(row['message'])} fix: {words(row['fix'])}"
        ) in text, text

    # resolved (the change reverted): located in the side they come from, without a fix
    back = PlanDiff(head, base)
    resolved = back.to_json()["policies"]["resolved"]
    assert back.to_json()["policies"]["new"] == [] and [r["file"] for r in resolved] == [str(head_file)] * len(new)
    assert all(r["item"] == labels[r["specPath"]] for r in resolved)
    md = render_markdown(back)
    assert f"**Resolved since `{head_file}`** ({len(new)})" in md and "| Fix |" not in md
    for row in plan_md_rows:
        for path, label in labels.items():
            row = row.replace(breakable(path) + " (line", f"{breakable(path)} ({label}, line")
        assert row.rsplit(" | ", 2)[0] + " |" in md
    text = words(render_text(back, width=100))
    assert "resolved [mandatory] pool-max-nodes clusters[0].gpuPools[0] (dev/l4)" in text and " fix: " not in text


def test_a_raw_resources_violation_keeps_its_provider_names_as_in_the_plan(tmp_path: Path) -> None:
    """A resource no component of ours made: no item, the message whole, as the plan shows it."""
    import pulumi_gcp as gcp

    from components.plan.engine import PlanReport
    from components.plan.report_markdown import render as render_plan
    from tests.components.plan import fixture_program

    def program() -> None:
        fixture_program.program()
        gcp.storage.Bucket("team-logs", location="US")

    def flag_bucket(resources: Any, config: Any, **context: Any) -> list[policies.PolicyVerdict]:
        (bucket,) = [r for r in resources if r.type == "gcp:storage/bucket:Bucket"]
        return [
            policies.PolicyVerdict(
                "bucket-access",
                "advisory",
                "bucket 'team-logs' grants object ACLs",
                bucket.type,
                bucket.name,
                bucket.urn,
                "set uniformBucketLevelAccess: true on gcp.storage.Bucket 'team-logs'",
            )
        ]

    stack = write_stack(tmp_path, "s", GCP_FLEET)
    base = load_side(str(stack), policies=no_violations, program=program)
    head = load_side(str(stack), policies=flag_bucket, program=program)
    d = PlanDiff(base, head)
    assert head.plan is not None
    (row,) = d.to_json()["policies"]["new"]
    assert row["item"] == "" and row == {**PlanReport([head.plan]).to_json()["violations"][0], "item": ""}
    (plan_row,) = _sections(render_plan(PlanReport([head.plan])), "#### Policy verdicts")
    assert "bucket 'team-logs' grants object ACLs" in plan_row
    assert _sections(render_markdown(d), "#### Policy verdicts that changed") == [plan_row]
    text = " ".join(render_text(d, width=100).split())
    # no part of the fleet spec: said so, not a spec path ("clusters" before)
    assert row["specPath"] == "" and row["line"] is None and "| (outside the fleet spec) |" in plan_row
    where = f"{stack}:{row['line']}" if row["line"] else str(stack)
    assert f"new violation [advisory] bucket-access (outside the fleet spec) {where} " in text
    assert "(gcp:storage/bucket:Bucket team-logs) bucket 'team-logs' grants object ACLs fix: set" in text


NFS_FLEET: dict[str, Any] = {
    **GCP_FLEET,
    "clusters": [{**GCP_FLEET["clusters"][0], "storage": [{"name": "models", "kind": "nfs", "capacityGiB": 1280}]}],
}


def test_an_item_replaced_with_its_cluster_names_the_cluster_field_and_its_values(tmp_path: Path) -> None:
    """A GCP Filestore share replaced by a zone change (and shrunk): `zone: us-central1-a → us-central1-b`.

    It read "(zone: nfs 1280 GiB (Filestore (zonal)) → nfs 1024 GiB (Filestore (zonal)))": the
    item's description under the zone's name, and the shrink unsaid.
    """
    head = copy.deepcopy(NFS_FLEET)
    head["clusters"][0]["zone"] = "us-central1-b"
    head["clusters"][0]["storage"][0]["capacityGiB"] = 1024
    d = _diff(tmp_path, NFS_FLEET, head)
    storage = {(c.field, c.before, c.after) for c in d.changes if c.kind == "storage"}
    assert storage == {("zone", "us-central1-a", "us-central1-b"), ("capacityGiB", 1280, 1024)}
    pool = {(c.field, c.before, c.after) for c in d.changes if c.kind == "gpu-pool"}
    assert pool == {("zone", "us-central1-a", "us-central1-b")}
    md = render_markdown(d)
    (line,) = [x for x in md.splitlines() if "storage `train/models`" in x]
    assert "`zone`: `us-central1-a` → `us-central1-b`" in line and "`capacityGiB`: `1280` → `1024`" in line
    assert "GiB (Filestore" not in md and "x a3-highgpu-8g (" not in md
    assert "its cluster's zone changes" in line
    # one item, one data-loss warning, however many of its fields change
    assert ", 1 data-loss warning ·" in md.splitlines()[1]


def test_headline_counts_data_loss_warnings_per_item_and_small_changes_are_not_zero(tmp_path: Path) -> None:
    """A Lustre file system shrunk and re-tiered is one warning; the headline said 2, and a 0.3% cost change "-0%"."""
    from components.plan.report_diff import pct

    base = _edit(GCP_FLEET, "storage", 0, capacityGiB=72000)
    d = _diff(tmp_path, base, _edit(GCP_FLEET, "storage", 0, capacityGiB=36000, throughputMBpsPerTiB=500))
    md = render_markdown(d)
    assert md.count("> - **storage `train/datasets`") == 1 and ", 1 data-loss warning ·" in md.splitlines()[1]
    assert (pct(44.39, 44.26), pct(100, 250), pct(100, 100.05), pct(0, 5), pct(0, 0)) == (
        "-0.3%",
        "+150%",
        "<0.1%",
        "new",
        "",
    )
    same = _diff(tmp_path, GCP_FLEET, _edit(GCP_FLEET, "storage", 0, protect=False))
    assert "±$0/h at max scale (no change)" in render_markdown(same).splitlines()[1]


# ----- violations on both sides -------------------------------------------------------------------
@pytest.fixture(scope="module")
def still_blocked(tmp_path_factory: pytest.TempPathFactory) -> PlanDiff:
    """The real program and pack: a dev stack blocked in BASE (l4 maxNodes 16, t4 minNodes 1) and
    still blocked in HEAD (maxNodes 12, still over the dev limit of 4): every violation on both sides."""
    import yaml

    from tests.components.plan.helpers import REPO

    doc = yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())
    pools = doc["config"]["aiinfra:fleet"]["clusters"][0]["gpuPools"]
    files = []
    for side, max_nodes in (("base", 16), ("head", 12)):
        pools[0]["maxNodes"], pools[1]["minNodes"] = max_nodes, 1
        f = tmp_path_factory.mktemp(side) / "Pulumi.dev.yaml"
        f.write_text(yaml.safe_dump(doc, sort_keys=False))
        files.append(f)
    program = REPO / "__main__.py"
    base, head = (load_side(str(f), program=program) for f in files)
    assert base.plan is not None and head.plan is not None and base.plan.policies_evaluated
    return PlanDiff(base, head)


def test_a_diff_blocked_by_violations_already_in_base_says_what_blocks_it(still_blocked: PlanDiff) -> None:
    """It printed "blocked: mandatory policy violation" and not one violation: no change was new
    or resolved, so the reviewer could not tell why the change is blocked."""
    from tests.support.terminal import words

    d = still_blocked
    assert d.policy_changes() == ([], []) and d.exit_code == 1
    assert d.head.plan is not None
    blocking = [v for v in d.head.plan.violations if v.blocking]
    assert {v.policy for v in blocking} >= {"pool-max-nodes", "scale-to-zero"}
    n = len(blocking)

    text = words(render_text(d, width=100))
    assert f"blocked: mandatory policy violation (all {n} already in BASE)" in text
    assert text.count("still [mandatory] ") == n
    head_file, base_file = d.head.label, d.base.label
    lines = {r["specPath"]: r["line"] for r in d.to_json()["policies"]["remaining"]}
    l4, t4 = (f"{head_file}:{lines[f'clusters[0].gpuPools[{i}]']}" for i in (0, 1))
    # the pool whose maxNodes moved 16 -> 12: its fix now, and what it was
    assert (
        f"still [mandatory] pool-max-nodes clusters[0].gpuPools[0] (dev/l4) {l4} "
        "(gcp:container/nodePool:NodePool fleet-dev-l4-pool) node pool 'fleet-dev-l4-pool' can scale to 12 nodes"
    ) in text
    assert "was: node pool 'fleet-dev-l4-pool' can scale to 16 nodes" in text
    assert "fix: clusters[0].gpuPools[0].maxNodes: 12 → at most 4" in text
    assert "fix was: clusters[0].gpuPools[0].maxNodes: 16 → at most 4" in text
    # unchanged and blocking: listed with its fix, nothing "was"
    assert (
        "still [mandatory] scale-to-zero clusters[0].gpuPools[1] (dev/t4) "
        f"{t4} (gcp:container/nodePool:NodePool fleet-dev-t4-pool) node pool 'fleet-dev-t4-pool' keeps 1 "
    ) in text
    assert "fix: clusters[0].gpuPools[1].minNodes: 1 → 0 (dev pools scale to zero) still" in text

    md = render_markdown(d)
    assert f"· blocked: mandatory policy violation (all {n} already in BASE)" in md.splitlines()[1]
    rows = _sections(md, f"#### Violations still in `{head_file}`")
    assert len(rows) == n and f"{n} blocking, " in md and f"changed since `{base_file}`" in md
    (max_nodes,) = [r for r in rows if "`pool-max-nodes`" in r]
    assert f"clusters[0].<wbr>gpuPools[0] (dev/l4, line {lines['clusters[0].gpuPools[0]']})" in max_nodes
    plain = max_nodes.replace("<wbr>", "")
    assert "maxNodes: 12 → at most 4" in plain and "<br>was: maxNodes: 16 → at most 4" in plain
    assert "<br>was: can scale to 16 nodes" in plain
    (to_zero,) = [r for r in rows if "`scale-to-zero`" in r]
    assert "minNodes: 1 → 0" in to_zero.replace("<wbr>", "") and "was:" not in to_zero
    # the full messages, numbered on from the (empty) changed lists, say what each was
    assert "<br>was: node pool 'fleet-dev-l4-pool' can scale to 16 nodes" in md.split("#### Violations still in")[1]


def test_remaining_violations_in_json(still_blocked: PlanDiff) -> None:
    """policies.remaining: the plan JSON's violations of HEAD plus item, what changed and BASE's text."""
    from components.plan.engine import PlanReport

    d = still_blocked
    assert d.head.plan is not None and d.base.plan is not None
    doc = d.to_json()
    assert doc["verdict"] == "fail" and doc["policies"]["new"] == [] and doc["policies"]["resolved"] == []
    remaining = doc["policies"]["remaining"]
    plan_rows = PlanReport([d.head.plan]).to_json()["violations"]
    added = {"item", "changed", "baseMessage", "baseFix"}
    assert [{k: v for k, v in r.items() if k not in added} for r in remaining] == plan_rows
    by = {(r["policy"], r["item"]): r for r in remaining}
    m = by["pool-max-nodes", "dev/l4"]
    assert m["changed"] == ["message", "fix"] and m["file"] == d.head.label
    assert m["fix"].startswith("clusters[0].gpuPools[0].maxNodes: 12 → ")
    assert m["baseFix"].startswith("clusters[0].gpuPools[0].maxNodes: 16 → ")
    (base_m,) = [v for v in d.base.plan.violations if v.policy == "pool-max-nodes"]
    assert m["baseMessage"] == base_m.message
    z = by["scale-to-zero", "dev/t4"]
    assert z["changed"] == [] and "baseMessage" not in z and "baseFix" not in z


def test_remaining_violations_fit_githubs_comment_column(still_blocked: PlanDiff) -> None:
    """Each message and fix with what it was: still no table row wider than the comment column."""
    from components.plan.report_markdown import COMMENT_CHARS
    from tests.components.plan.test_rendering import table_min_widths

    md = render_markdown(still_blocked)
    section = md.split("#### Violations still in", 1)[1].split("\n####", 1)[0]
    (width, header) = table_min_widths(section)[0]
    assert header == " | Policy | Spec path | What | Fix"
    assert "<br>was: " in section and width <= COMMENT_CHARS, (width, section)
    assert all(w <= COMMENT_CHARS for w, _ in table_min_widths(md))


def test_an_unchanged_advisory_violation_is_counted_not_listed(tmp_path: Path) -> None:
    """A blocking violation BASE has is listed; an advisory one with the same message is only
    counted (the plan lists it); JSON has both."""
    from tests.support.terminal import words

    d = _diff(tmp_path, GCP_FLEET, _edit(GCP_FLEET, "gpuPools", 0, maxNodes=8), policies=mandatory_on_first_pool)
    assert d.policy_changes() == ([], [])
    text = words(render_text(d, width=100))
    assert "blocked: mandatory policy violation (already in BASE)" in text
    assert "still [mandatory] gpu-pool-max-nodes clusters[0].gpuPools[0] (train/h100)" in text
    assert "close to budget" not in text and "fleet-budget" not in text
    assert "1 unchanged advisory violation also in BASE, not listed (aiinfra plan lists them)" in text
    md = render_markdown(d)
    rows = _sections(md, "#### Violations still in")
    assert len(rows) == 1 and "`gpu-pool-max-nodes`" in rows[0] and "close to budget" not in md
    assert "1 unchanged advisory violation also in BASE, not listed" in md
    remaining = d.to_json()["policies"]["remaining"]
    assert [(r["policy"], r["enforcementLevel"], r["changed"]) for r in remaining] == [
        ("gpu-pool-max-nodes", "mandatory", []),
        ("fleet-budget", "advisory", []),
    ]


# ----- a violation whose level, or one of several on a resource, changed ----------------------------
def on_first_pool(*found: tuple[str, str, str]) -> Any:
    """A policy adapter reporting ``pool-checks`` violations (level, message, fix) on the first GPU pool."""

    def run(resources: Any, config: Any, **context: Any) -> list[policies.PolicyVerdict]:
        pool = min(
            (
                r
                for r in resources
                if r.type == "gcp:container/nodePool:NodePool"
                and r.inputs.get("nodeConfig", {}).get("guestAccelerators")
            ),
            key=lambda r: r.name,
        )
        return [
            policies.PolicyVerdict("pool-checks", lvl, msg, pool.type, pool.name, pool.urn, fix)
            for lvl, msg, fix in found
        ]

    return run


def _policy_diff(tmp_path: Path, base: Any, head: Any) -> PlanDiff:
    """One stack planned twice, with BASE's and HEAD's policy verdicts."""
    stack = write_stack(tmp_path, "s", GCP_FLEET)
    return PlanDiff(
        load_side(str(stack), policies=base, program=FIXTURE), load_side(str(stack), policies=head, program=FIXTURE)
    )


@pytest.fixture(scope="module")
def raised(tmp_path_factory: pytest.TempPathFactory) -> PlanDiff:
    """The real program and pack: a dev stack whose `pool-max-nodes` was advisory in BASE (its
    policy config said so) and is mandatory in HEAD (the default), with maxNodes 16 → 12."""
    import yaml

    from tests.components.plan.helpers import REPO

    doc = yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())
    pools = doc["config"]["aiinfra:fleet"]["clusters"][0]["gpuPools"]
    sides = []
    for side, max_nodes, config in (("base", 16, {"pool-max-nodes": "advisory"}), ("head", 12, None)):
        pools[0]["maxNodes"], pools[1]["minNodes"] = max_nodes, 1
        f = tmp_path_factory.mktemp(side) / "Pulumi.dev.yaml"
        f.write_text(yaml.safe_dump(doc, sort_keys=False))
        sides.append(load_side(str(f), config, program=REPO / "__main__.py"))
    base, head = sides
    assert base.plan is not None and head.plan is not None and base.plan.policies_evaluated
    return PlanDiff(base, head)


def test_a_violation_whose_level_changed_is_still_there_and_says_what_it_was(raised: PlanDiff) -> None:
    """It showed as a new mandatory violation and a resolved advisory one: the same violation on
    the same pool, reported twice as if one had been fixed and another made."""
    from components.plan.report_markdown import COMMENT_CHARS
    from tests.components.plan.test_rendering import table_min_widths
    from tests.support.terminal import words

    d = raised
    assert d.policy_changes() == ([], []) and d.exit_code == 1
    doc = d.to_json()
    assert doc["policies"]["new"] == [] and doc["policies"]["resolved"] == []
    by = {(r["policy"], r["item"]): r for r in doc["policies"]["remaining"]}
    m = by["pool-max-nodes", "dev/l4"]
    assert m["enforcementLevel"] == "mandatory" and m["baseEnforcementLevel"] == "advisory"
    assert m["changed"] == ["enforcementLevel", "message", "fix"]
    assert all("baseEnforcementLevel" not in r for k, r in by.items() if k[0] != "pool-max-nodes")
    n = sum(1 for r in by.values() if r["enforcementLevel"] == "mandatory")

    # the verdict: blocked, and not "all already in BASE": one of them did not block BASE
    verdict = f"blocked: mandatory policy violation (1 of {n} was advisory in BASE)"
    text = words(render_text(d, width=100))
    assert verdict in text and "already in BASE" not in text
    assert "still [mandatory] pool-max-nodes clusters[0].gpuPools[0] (dev/l4)" in text
    assert (
        "(gcp:container/nodePool:NodePool fleet-dev-l4-pool) level was: advisory node pool 'fleet-dev-l4-pool'" in text
    )
    assert text.count("level was:") == 1

    md = render_markdown(d)
    assert md.splitlines()[1].endswith(f"· {verdict}")
    assert f"{n} blocking (1 advisory in `{d.base.label}`), 3 changed since `{d.base.label}`:" in md
    (row,) = [r for r in _sections(md, "#### Violations still in") if "`pool-max-nodes`" in r]
    assert row.startswith("| ❌<br>was ⚠️ | `pool-max-nodes` |")
    assert sum("<br>was ⚠️" in r for r in _sections(md, "#### Violations still in")) == 1
    assert "<br>level was: advisory<br>was: node pool 'fleet-dev-l4-pool' can scale to 16 nodes" in md
    assert all(w <= COMMENT_CHARS for w, _ in table_min_widths(md))


def test_a_violation_lowered_to_advisory_is_listed_and_does_not_block(raised: PlanDiff) -> None:
    """The other way (HEAD's config makes it advisory): listed with its BASE level, and the
    verdict counts only what blocks HEAD, all already in BASE."""
    back = PlanDiff(raised.head, raised.base)
    assert back.policy_changes() == ([], [])
    (m,) = [r for r in back.policy_remaining() if r.verdict.policy == "pool-max-nodes"]
    assert m.listed and not m.raised and m.changed == ["enforcementLevel", "message", "fix"]
    n = sum(1 for r in back.policy_remaining() if r.verdict.blocking)
    md = render_markdown(back)
    assert f"· blocked: mandatory policy violation (all {n} already in BASE)" in md.splitlines()[1]
    assert f"{n} blocking, 3 changed since" in md
    (row,) = [r for r in _sections(md, "#### Violations still in") if "`pool-max-nodes`" in r]
    assert row.startswith("| ⚠️<br>was ❌ | `pool-max-nodes` |")
    (j,) = [r for r in back.to_json()["policies"]["remaining"] if r["policy"] == "pool-max-nodes"]
    assert (j["enforcementLevel"], j["baseEnforcementLevel"]) == ("advisory", "mandatory")


def test_the_only_blocking_violation_raised_from_advisory(tmp_path: Path) -> None:
    """One violation, advisory in BASE and mandatory in HEAD: the change is blocked by it."""
    from tests.support.terminal import words

    d = _policy_diff(
        tmp_path,
        on_first_pool(("advisory", "pool can scale to 8 nodes", "lower maxNodes")),
        on_first_pool(("mandatory", "pool can scale to 8 nodes", "lower maxNodes")),
    )
    assert d.policy_changes() == ([], []) and d.exit_code == 1 and d.verdict == "fail"
    (r,) = d.to_json()["policies"]["remaining"]
    assert r["changed"] == ["enforcementLevel"] and r["baseEnforcementLevel"] == "advisory"
    assert "baseMessage" not in r and "baseFix" not in r
    text = words(render_text(d, width=100))
    assert "blocked: mandatory policy violation (was advisory in BASE)" in text
    assert "level was: advisory pool can scale to 8 nodes fix: lower maxNodes" in text
    assert " was: pool" not in text and "fix was:" not in text
    md = render_markdown(d)
    assert "1 blocking (1 advisory in" in md and "· blocked: mandatory policy violation (was advisory in BASE)" in md


def test_several_violations_of_one_policy_on_one_resource_are_paired_by_their_text(tmp_path: Path) -> None:
    """Two violations of one policy and level on one pool, only the second changed: both were
    paired with BASE's first, so the second said it "was" the first's message."""
    warm = ("mandatory", "pool keeps 1 node running when idle", "minNodes: 1 → 0")
    d = _policy_diff(
        tmp_path,
        on_first_pool(warm, ("mandatory", "pool can scale to 4 nodes over 3 zones", "maxNodes: 4 → at most 2")),
        on_first_pool(warm, ("mandatory", "pool can scale to 8 nodes over 3 zones", "maxNodes: 8 → at most 2")),
    )
    assert d.policy_changes() == ([], [])
    remaining = d.to_json()["policies"]["remaining"]
    assert [(r["message"], r["changed"], r.get("baseMessage"), r.get("baseFix")) for r in remaining] == [
        ("pool keeps 1 node running when idle", [], None, None),
        (
            "pool can scale to 8 nodes over 3 zones",
            ["message", "fix"],
            "pool can scale to 4 nodes over 3 zones",
            "maxNodes: 4 → at most 2",
        ),
    ]
    text = render_text(d, width=100)
    assert "was: pool can scale to 4 nodes" in text and "was: pool keeps" not in text
    md = render_markdown(d)
    assert "<br>was: pool can scale to 4 nodes" in md and "was: pool keeps" not in md


def test_changed_violations_in_another_order_pair_with_the_closest_text(tmp_path: Path) -> None:
    """Both changed and HEAD lists them the other way round: each pairs with the BASE text
    closest to its own, not with the one in its place; one more in HEAD is new."""
    d = _policy_diff(
        tmp_path,
        on_first_pool(
            ("mandatory", "pool can scale to 4 nodes over 3 zones", "maxNodes: 4 → at most 2"),
            ("mandatory", "pool keeps 1 node running when idle", "minNodes: 1 → 0"),
        ),
        on_first_pool(
            ("mandatory", "pool keeps 2 nodes running when idle", "minNodes: 2 → 0"),
            ("mandatory", "pool has no taint for its GPUs", "add a taint"),
            ("mandatory", "pool can scale to 8 nodes over 3 zones", "maxNodes: 8 → at most 2"),
        ),
    )
    new, resolved = d.policy_changes()
    assert [v.message for v in new] == ["pool has no taint for its GPUs"] and resolved == []
    assert [(r.verdict.message, r.base.message) for r in d.policy_remaining()] == [
        ("pool keeps 2 nodes running when idle", "pool keeps 1 node running when idle"),
        ("pool can scale to 8 nodes over 3 zones", "pool can scale to 4 nodes over 3 zones"),
    ]
    # fewer in HEAD: the one whose text is gone is the resolved one
    back = PlanDiff(d.head, d.base)
    assert [v.message for v in back.policy_changes()[1]] == ["pool has no taint for its GPUs"]


def test_a_long_old_message_cut_in_its_cell_points_at_its_full_text(tmp_path: Path) -> None:
    """The "was:" cell is cut to fit the comment column; it gave no pointer to the full text
    (the [n] was on the message above it, when that was cut, or nowhere)."""
    from components.plan.report_markdown import COMMENT_CHARS, WHAT_CHARS
    from tests.components.plan.test_rendering import table_min_widths

    old = (
        "pool can scale to 16 nodes (16 x a3-highgpu-8g = 128 H100-80GB at $1,411.84/h on-demand) in total "
        "over 3 zones, which is more than this environment allows for one pool of this kind"
    )
    assert len(old) > WHAT_CHARS
    d = _policy_diff(
        tmp_path,
        on_first_pool(("mandatory", old, "maxNodes: 16 → at most 2")),
        on_first_pool(("mandatory", "pool can scale to 12 nodes", "maxNodes: 12 → at most 2")),
    )
    md = render_markdown(d)
    (row,) = _sections(md, "#### Violations still in")
    what = row.split(" | ")[3]
    assert what.startswith("pool can scale to 12 nodes<br>was: pool can scale to 16 nodes"), what
    assert what.endswith(" … [1]"), what
    details = md.split("<details><summary>Full messages (1)</summary>", 1)[1].split("</details>", 1)[0]
    assert f"<br>was: {old}\n" in details
    assert all(w <= COMMENT_CHARS for w, _ in table_min_widths(md))


def _repo_with_base_config(tmp_path: Path, config: str) -> tuple[Path, list[str]]:
    """A git repository whose commit (BASE) holds ``config`` as policies/config.json and a stack
    over `stack-ceilings`; and the argv of a JSON diff of that stack against itself."""
    repo = tmp_path / "repo"
    (repo / "policies").mkdir(parents=True)
    (repo / "policies" / "config.json").write_text(config)
    stack = write_stack(repo, "s", _edit(GCP_FLEET, "gpuPools", 0, maxNodes=40))
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    return repo, ["diff", stack.name, stack.name, "--program", str(FIXTURE), "--format", "json"]


def test_base_policy_config_plans_base_with_its_own_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real pack: `stack-ceilings` advisory in BASE's config (at a git ref), mandatory by
    default in HEAD's: one violation still there whose level was advisory, and it blocks."""
    from components.plan.diff_command import base_policy_config

    repo, argv = _repo_with_base_config(tmp_path, '{"stack-ceilings": "advisory"}')
    (repo / "policies" / "config.json").write_text("{}")
    monkeypatch.chdir(repo)
    assert cli.main([*argv, "--base-policy-config", "HEAD:policies/config.json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["policies"]["new"] == [] and doc["policies"]["resolved"] == []
    rows = [r for r in doc["policies"]["remaining"] if r["policy"] == "stack-ceilings"]
    assert rows and all(
        (r["enforcementLevel"], r["baseEnforcementLevel"], r["changed"])
        == ("mandatory", "advisory", ["enforcementLevel"])
        for r in rows
    )
    # the same config on both sides (the default): nothing changed
    assert cli.main([*argv, "--policy-config", "policies/config.json"]) == 1
    assert all(r["changed"] == [] for r in json.loads(capsys.readouterr().out)["policies"]["remaining"])
    # inline, a file, none at the ref (the defaults), and what cannot be read: exit 2, named
    assert base_policy_config('{"stack-ceilings": "advisory"}') == {"stack-ceilings": "advisory"}
    assert base_policy_config("policies/config.json") == {}
    assert base_policy_config("HEAD:policies/missing.json") == {}
    (repo / "s.yaml").write_text("a: [")
    _git(repo, "add", "s.yaml")
    _git(repo, "commit", "-qm", "not JSON")
    for bad, says in (
        ("HEAD:s.yaml", "--base-policy-config HEAD:s.yaml: not valid JSON"),
        ("no-such-ref:policies/config.json", "no-such-ref"),
        ('{"stack-ceiling": "advisory"}', "--base-policy-config: unknown policy 'stack-ceiling'"),
        ("missing.json", "--base-policy-config: cannot read missing.json"),
    ):
        assert cli.main([*argv, "--base-policy-config", bad]) == 2, bad
        assert says in " ".join(capsys.readouterr().err.split()), bad


def test_base_policy_config_at_a_ref_leaves_out_policies_the_packs_no_longer_have(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """BASE's config names a policy since renamed or removed (an ai-infra upgrade): the diff
    says so and plans BASE without it, rather than exit 2 and a pull request with no diff.
    The same name inline is still a typo, and still an error."""
    repo, argv = _repo_with_base_config(tmp_path, '{"stack-ceilings": "advisory", "gpu-budget": "advisory"}')
    monkeypatch.chdir(repo)
    assert cli.main([*argv, "--base-policy-config", "HEAD:policies/config.json"]) == 1
    out = capsys.readouterr()
    err = " ".join(out.err.split())
    assert "--base-policy-config HEAD:policies/config.json: 1 policy not in the packs now ('gpu-budget'" in err
    rows = [r for r in json.loads(out.out)["policies"]["remaining"] if r["policy"] == "stack-ceilings"]
    assert rows and all(r["baseEnforcementLevel"] == "advisory" for r in rows)  # the rest still applies
    assert cli.main([*argv, "--base-policy-config", '{"gpu-budget": "advisory"}']) == 2
    assert "unknown policy 'gpu-budget'" in capsys.readouterr().err
