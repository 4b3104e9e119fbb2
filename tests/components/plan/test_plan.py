"""``aiinfra plan``: the engine on a fixture program, exit codes, JSON contract, SARIF, policies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components import cli
from components.plan import policies
from components.plan.engine import plan_file, plan_files
from components.plan.policies import PoliciesUnavailable
from tests.components.plan.helpers import (
    AWS_FLEET,
    FIXTURE,
    GCP_FLEET,
    fleet,
    mandatory_on_first_pool,
    no_violations,
    node_price,
    write_stack,
)
from tests.support.sdk_inputs import assert_inputs_match_sdk


def test_fixture_plan_captures_resources_with_parents(tmp_path: Path) -> None:
    stack = write_stack(tmp_path, "gcp-train", GCP_FLEET)
    plan = plan_file(stack, policies=no_violations, program=FIXTURE)
    assert plan.status == "ok", plan.error
    assert plan.stack == "gcp-train"
    assert_inputs_match_sdk(plan.resources)
    types = {r.type for r in plan.resources}
    assert {"gcp:container/nodePool:NodePool", "gcp:lustre/instance:Instance"} <= types
    pool = next(r for r in plan.resources if r.name == "fleet-train-h100")
    assert pool.parent_name == "fleet-train"
    assert plan.verdict == "pass" and plan.exit_code == 0


def test_json_contract(tmp_path: Path) -> None:
    stack = write_stack(tmp_path, "gcp-train", GCP_FLEET)
    doc = plan_files([stack], policies=mandatory_on_first_pool, program=FIXTURE).to_json()
    # resources: type, name, inputs, parent where there is one
    pool = next(r for r in doc["resources"] if r["name"] == "fleet-train-h100")
    assert pool["type"] == "gcp:container/nodePool:NodePool"
    assert pool["inputs"]["nodeConfig"]["machineType"] == "a3-highgpu-8g"
    assert pool["parent"].endswith("aiinfra:fixture:Cluster::fleet-train")
    component = next(r for r in doc["resources"] if r["name"] == "fleet-train")
    assert "parent" not in component  # its parent is the stack
    lustre = next(r for r in doc["resources"] if r["type"] == "gcp:lustre/instance:Instance")
    assert lustre["protect"] is True
    # violations: policy, enforcementLevel, message, type/name/urn where it concerns one
    mandatory = next(v for v in doc["violations"] if v["enforcementLevel"] == "mandatory")
    assert mandatory["policy"] == "gpu-pool-max-nodes"
    assert mandatory["type"] == "gcp:container/nodePool:NodePool" and mandatory["name"] == "fleet-train-h100"
    assert mandatory["urn"] == pool["urn"]
    assert mandatory["specPath"] == "clusters[0].gpuPools[0]"
    stackwide = next(v for v in doc["violations"] if v["enforcementLevel"] == "advisory")
    assert "urn" not in stackwide and "name" not in stackwide
    # cost: hourlyUsd, monthlyUsd, lines with hourly at max and at min
    cost = doc["cost"]
    h100 = next(line for line in cost["lines"] if line["name"] == "h100")
    assert h100["hourlyUsdAtMax"] == pytest.approx(4 * node_price("gcp", "a3-highgpu-8g"))
    assert h100["hourlyUsdAtMin"] == 0
    assert cost["hourlyUsd"] == pytest.approx(sum(line["hourlyUsdAtMax"] for line in cost["lines"]), abs=1e-3)
    assert cost["monthlyUsd"] == pytest.approx(cost["hourlyUsd"] * 730, abs=0.05)
    # accelerators: total at max scale, by name
    assert doc["accelerators"]["byName"] == {"H100-80GB": 32, "TPU-v5p": 16}
    assert doc["accelerators"]["total"] == 48
    assert doc["verdict"] == "fail" and doc["exitCode"] == 1


def _cli(monkeypatch: pytest.MonkeyPatch, runner: Any, *argv: str) -> int:
    monkeypatch.setattr(policies, "run_policies", runner)
    return cli.main(["plan", *argv])


def test_mandatory_violation_exits_1_and_shows_in_markdown_and_sarif(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = write_stack(tmp_path, "gcp-train", GCP_FLEET)
    md, sarif = tmp_path / "plan.md", tmp_path / "plan.sarif"
    code = _cli(
        monkeypatch,
        mandatory_on_first_pool,
        str(stack),
        "--program",
        str(FIXTURE),
        "--format",
        "markdown",
        "--out",
        str(md),
        "--sarif-out",
        str(sarif),
    )
    assert code == 1
    text = md.read_text()
    assert text.startswith("<!-- aiinfra-plan -->\n### ❌ aiinfra plan: blocked: mandatory policy violation")
    assert "`gpu-pool-max-nodes`" in text and "lower maxNodes" in text and "| ❌ |" in text

    log = json.loads(sarif.read_text())
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {"gpu-pool-max-nodes", "fleet-budget"}
    result = next(r for r in run["results"] if r["ruleId"] == "gpu-pool-max-nodes")
    assert result["level"] == "error"
    loc = result["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("Pulumi.gcp-train.yaml")
    # the line of the pool item in the stack file ("- name: h100")
    lines = stack.read_text().splitlines()
    assert "name: h100" in lines[loc["region"]["startLine"] - 1], (loc, result)
    advisory = next(r for r in run["results"] if r["ruleId"] == "fleet-budget")
    assert advisory["level"] == "warning"


def test_advisory_only_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = write_stack(tmp_path, "gcp-train", GCP_FLEET)

    def advisory(resources: Any, config: Any, **context: Any) -> list[policies.PolicyVerdict]:
        return [v for v in mandatory_on_first_pool(resources, config, **context) if not v.blocking]

    assert _cli(monkeypatch, advisory, str(stack), "--program", str(FIXTURE), "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "advisory"


def test_policy_config_reaches_the_adapter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stack = write_stack(tmp_path, "gcp-train", GCP_FLEET)
    seen: list[Any] = []

    def spy(resources: Any, config: Any, **context: Any) -> list[policies.PolicyVerdict]:
        seen.append(config)
        assert context["stack"] == "gcp-train" and context["project"] == "ai-infra"
        assert context["stack_config"]["aiinfra:fleet"]["environment"] == "prod"
        return []

    config_file = tmp_path / "policy.json"
    config_file.write_text('{"pool-max-nodes": {"maxNodesPerPool": 2}}')
    out = tmp_path / "o.json"
    assert (
        _cli(
            monkeypatch,
            spy,
            str(stack),
            "--program",
            str(FIXTURE),
            "--policy-config",
            str(config_file),
            "--format",
            "json",
            "--out",
            str(out),
        )
        == 0
    )
    assert (
        _cli(
            monkeypatch,
            spy,
            str(stack),
            "--program",
            str(FIXTURE),
            "--policy-config",
            '{"all": "advisory"}',
            "--format",
            "json",
            "--out",
            str(out),
        )
        == 0
    )
    assert seen == [{"pool-max-nodes": {"maxNodesPerPool": 2}}, {"all": "advisory"}]


@pytest.mark.parametrize("value", ["{not json", "[1, 2]", "/nonexistent/policy.json"])
def test_bad_policy_config_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    stack = write_stack(tmp_path, "gcp-train", GCP_FLEET)
    assert _cli(monkeypatch, no_violations, str(stack), "--policy-config", value) == 2
    assert "--policy-config" in capsys.readouterr().err


def test_policies_unavailable_fails_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = write_stack(tmp_path, "gcp-train", GCP_FLEET)

    def unavailable(resources: Any, config: Any, **context: Any) -> list[policies.PolicyVerdict]:
        raise PoliciesUnavailable("the policy pack's Analyzer client is not installed")

    assert _cli(monkeypatch, unavailable, str(stack), "--program", str(FIXTURE), "--format", "markdown") == 1
    out = capsys.readouterr().out
    assert "❓ aiinfra plan: policies not evaluated" in out
    assert "not installed" in out
    # an explicit opt-out plans cost only and passes
    assert (
        _cli(monkeypatch, unavailable, str(stack), "--program", str(FIXTURE), "--skip-policies", "--format", "json")
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["stacks"][0]["policies"] == {"evaluated": False, "note": "skipped (--skip-policies)"}


def test_real_adapter_without_client_is_not_silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the policy pack's client module, the real adapter says so (never passes silently)."""
    monkeypatch.setattr(policies, "CLIENT_MODULE", "components.policy.no_such_client_module")
    with pytest.raises(PoliciesUnavailable, match="not installed"):
        policies.run_policies([], {})


def test_real_adapter_converts_client_answers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The adapter maps the client's violations (objects or dicts) to PolicyVerdicts, filling type/name from the URN."""
    import sys
    import types

    stack = write_stack(tmp_path, "gcp-train", GCP_FLEET)
    plan = plan_file(stack, skip_policies=True, program=FIXTURE)
    pool = next(r for r in plan.resources if r.name == "fleet-train-h100")
    fake = types.ModuleType("fake_client")

    class Violation:
        policy_name = "accelerator-overprovisioned"
        enforcement_level = "mandatory"
        message = "pool can reach 32 GPUs; the limit is 16"
        fix = "lower maxNodes"
        urn = pool.urn

    fake.analyze = lambda resources, config, **kw: [
        Violation(),
        {"policyName": "budget", "enforcementLevel": "advisory", "message": "m"},
    ]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_client", fake)
    monkeypatch.setattr(policies, "CLIENT_MODULE", "fake_client")
    verdicts = policies.run_policies(plan.resources, {})
    assert verdicts[0].policy == "accelerator-overprovisioned" and verdicts[0].blocking
    assert (verdicts[0].type, verdicts[0].name) == (pool.type, pool.name)
    assert verdicts[0].fix == "lower maxNodes" and "lower" not in verdicts[0].message
    assert verdicts[1].policy == "budget" and verdicts[1].urn is None


def test_invalid_spec_exits_2_with_issues(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = fleet(GCP_FLEET)
    bad["clusters"][0]["gpuPools"][0]["maxNode"] = 3
    stack = write_stack(tmp_path, "bad", bad)
    assert _cli(monkeypatch, no_violations, str(stack)) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert "did you mean 'maxNodes'" in text
    assert "Traceback" not in text


def test_build_error_exits_2_with_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    azure = {
        "clusters": [
            {
                "name": "az",
                "cloud": "azure",
                "region": "eastus",
                "gpuPools": [{"name": "nca100", "accelerator": "A100-80GB", "acceleratorsPerNode": 1, "maxNodes": 2}],
            }
        ]
    }
    stack = write_stack(tmp_path, "az", azure)
    assert _cli(monkeypatch, no_violations, str(stack), "--program", str(FIXTURE), "--format", "json") == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["stacks"][0]["status"] == "build-error"
    assert "does not model azure" in doc["stacks"][0]["error"]
    # cost and accelerators are still known from the spec
    assert doc["accelerators"]["total"] == 2


def test_program_bug_is_reported_not_raised(tmp_path: Path) -> None:
    prog = tmp_path / "prog.py"
    prog.write_text("raise KeyError('oops')\n")
    plan = plan_file(write_stack(tmp_path, "gcp-train", GCP_FLEET), program=prog)
    assert plan.status == "error" and "KeyError" in (plan.error or "") and plan.exit_code == 3


def test_bare_spec_file_and_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    bare = tmp_path / "fleet.yaml"
    bare.write_text(yaml.safe_dump(AWS_FLEET))
    plan = plan_file(bare, policies=no_violations, program=FIXTURE)
    assert plan.status == "ok", plan.error
    assert plan.stack == "fleet"
    assert any(r.type == "aws:eks/nodeGroup:NodeGroup" for r in plan.resources)

    stacks = tmp_path / "stacks"
    stacks.mkdir()
    write_stack(stacks, "a", GCP_FLEET)
    write_stack(stacks, "b", AWS_FLEET)
    assert _cli(monkeypatch, no_violations, str(stacks), "--program", str(FIXTURE), "--format", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert [s["stack"] for s in doc["stacks"]] == ["a", "b"]
    assert doc["accelerators"]["byName"]["H100-80GB"] == 64
    assert {r["stack"] for r in doc["resources"]} == {"a", "b"}


def test_empty_directory_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _cli(monkeypatch, no_violations, str(tmp_path)) == 2


def test_text_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stack = write_stack(tmp_path, "gcp-train", GCP_FLEET)
    assert _cli(monkeypatch, mandatory_on_first_pool, str(stack), "--program", str(FIXTURE)) == 1
    out = capsys.readouterr().out
    for needle in (
        "Stacks",
        "Policy verdicts",
        "gpu-pool-max-nodes",
        "Cost (USD)",
        "a3-highgpu-8g",
        "Accelerators",
        "H100-80GB",
    ):
        assert needle in out


def test_real_program_with_stub_builder_is_a_build_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The project's own __main__.py: a cloud builder that raises FleetBuildError is exit 2, not a traceback."""
    import components.gcp
    from components.clouds import FleetBuildError

    def stub(name: str, cluster: Any, opts: Any) -> Any:
        raise FleetBuildError(f"{cluster.spec.path}.cloud", "not built in this test")

    monkeypatch.setattr(components.gcp, "build_cluster", stub)
    stack = write_stack(tmp_path, "gcp-train", GCP_FLEET)
    (tmp_path / "Pulumi.yaml").write_text("name: ai-infra\nruntime: python\n")
    code = _cli(monkeypatch, no_violations, str(stack), "--program", str(Path(cli.__file__).parents[1] / "__main__.py"))
    assert code == 2
    out = capsys.readouterr()
    assert "clusters[0].cloud: not built in this test" in " ".join(out.out.split())  # wrapped to the terminal
    assert "Traceback" not in out.out + out.err


def test_policy_config_rejected_by_the_pack_is_invalid_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    fake = types.ModuleType("fake_client_cfg")

    class PolicyConfigError(Exception):
        pass

    def analyze(resources: Any, config: Any, **kw: Any) -> list[Any]:
        raise PolicyConfigError("unknown policy 'gpu-pool-max-node' (did you mean 'gpu-pool-max-nodes'?)")

    fake.PolicyConfigError = PolicyConfigError  # type: ignore[attr-defined]
    fake.analyze = analyze  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_client_cfg", fake)
    monkeypatch.setattr(policies, "CLIENT_MODULE", "fake_client_cfg")
    plan = plan_file(write_stack(tmp_path, "gcp-train", GCP_FLEET), {"gpu-pool-max-node": {}}, program=FIXTURE)
    assert plan.status == "invalid" and plan.exit_code == 2
    assert "did you mean 'gpu-pool-max-nodes'" in (plan.error or "")


def test_pack_failure_is_not_evaluated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    fake = types.ModuleType("fake_client_broken")

    def analyze(resources: Any, config: Any, **kw: Any) -> list[Any]:
        raise RuntimeError("the policy pack printed no port within 60s")

    fake.analyze = analyze  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_client_broken", fake)
    monkeypatch.setattr(policies, "CLIENT_MODULE", "fake_client_broken")
    plan = plan_file(write_stack(tmp_path, "gcp-train", GCP_FLEET), program=FIXTURE)
    assert plan.verdict == "not-evaluated" and plan.exit_code == 1
    assert "printed no port" in (plan.policies_note or "")


def test_spec_warnings_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = fleet(AWS_FLEET)
    spec["clusters"][0]["gpuPools"][0].update(
        capacity="reserved", reservation="cr-0123456789abcdef0", reservationKind="capacity-block"
    )
    stack = write_stack(tmp_path, "aws-train", spec)
    sarif = tmp_path / "p.sarif"
    code = _cli(
        monkeypatch,
        no_violations,
        str(stack),
        "--program",
        str(FIXTURE),
        "--format",
        "markdown",
        "--sarif-out",
        str(sarif),
    )
    assert code == 0
    md = capsys.readouterr().out
    assert "Spec warnings:" in md and "Capacity Block already places its instances" in md
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    (warning,) = [
        r for r in results if r["ruleId"] == "aiinfra/spec-warning" and "Capacity Block" in r["message"]["text"]
    ]
    assert warning["level"] == "warning" and "placement" in warning["message"]["text"]
    assert _cli(monkeypatch, no_violations, str(stack), "--program", str(FIXTURE)) == 0
    assert "Capacity Block" in capsys.readouterr().out


def test_each_spec_warning_once_and_the_programs_own_messages_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # __main__.py logs each spec warning (for `pulumi up`); the plan printed them twice, the
    # program's copy on stderr under the stack's conventional file name, without a line
    spec = fleet(AWS_FLEET)
    spec["clusters"][0]["gpuPools"][0].update(
        capacity="reserved", reservation="cr-0123456789abcdef0", reservationKind="capacity-block"
    )
    stack = write_stack(tmp_path, "aws-train", spec)
    plan = plan_file(stack, skip_policies=True, program=Path(__file__).parents[3] / "__main__.py")
    assert plan.status == "ok"
    warnings = [i for i in plan.issues if i.severity == "warning" and "Capacity Block" in i.message]
    assert len(warnings) == 1 and warnings[0].line is not None
    assert "the program logged" not in " ".join(i.message for i in plan.issues)
    assert capsys.readouterr().err == ""

    import pulumi

    def program() -> None:
        pulumi.log.warn("quota not checked")
        pulumi.log.info("fine")

    plan = plan_file(stack, skip_policies=True, program=program)
    assert [i.message for i in plan.issues if "program" in i.message] == [
        "the program logged a warning: quota not checked"
    ]


def test_real_pack_mandatory_violation_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The real program and the real policy pack over gRPC: a dev pool of 40 L4s is blocked."""
    import yaml

    from tests.components.plan.helpers import REPO

    doc = yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text())
    doc["config"]["aiinfra:fleet"]["clusters"][0]["gpuPools"][0]["maxNodes"] = 40
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text(yaml.safe_dump(doc, sort_keys=False))
    sarif = tmp_path / "p.sarif"
    argv = [
        "plan",
        str(stack),
        "--program",
        str(REPO / "__main__.py"),
        "--format",
        "markdown",
        "--sarif-out",
        str(sarif),
    ]
    assert cli.main(argv) == 1
    md = capsys.readouterr().out
    assert "### ❌ aiinfra plan: blocked: mandatory policy violation" in md
    assert "| ❌ | `pool-max-nodes` |" in md
    assert "| maxNodes: 40 → at most 4 (dev limit: 4 per pool)" in md  # the fix column, in spec fields
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    blocking = [r for r in results if r["level"] == "error"]
    assert {r["ruleId"] for r in blocking} >= {"pool-max-nodes"}
    (max_nodes,) = [r for r in blocking if r["ruleId"] == "pool-max-nodes"]
    line = stack.read_text().splitlines()[max_nodes["locations"][0]["physicalLocation"]["region"]["startLine"] - 1]
    assert "name: l4" in line


def test_dates_in_stack_config_stay_strings(tmp_path: Path) -> None:
    """Pulumi reads `2026-01-01` as a string; so must the plan (a date object would not serialize)."""
    import yaml

    spec = fleet(GCP_FLEET)
    spec["labels"]["created"] = "2026-01-01"
    fleet_yaml = yaml.safe_dump(spec).replace("'2026-01-01'", "2026-01-01")  # unquoted, as people write it
    body = "\n".join("    " + line for line in fleet_yaml.splitlines())
    stack = tmp_path / "Pulumi.gcp-train.yaml"
    stack.write_text(f"config:\n  gcp:project: p\n  release: 2026-01-01\n  aiinfra:fleet:\n{body}\n")
    plan = plan_file(stack, policies=no_violations, program=FIXTURE)
    assert plan.status == "ok", plan.error or [i.format() for i in plan.issues]
    cluster = next(r for r in plan.resources if r.type == "gcp:container/cluster:Cluster")
    assert cluster.inputs["resourceLabels"]["created"] == "2026-01-01"


def test_policy_config_typo_gets_did_you_mean_and_does_not_call_the_stack_invalid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = write_stack(tmp_path, "gcp-train", GCP_FLEET)
    typo = '{"pool-max-node": {"maxNodesPerPool": 2}}'
    assert _cli(monkeypatch, no_violations, str(stack), "--program", str(FIXTURE), "--policy-config", typo) == 2
    out = capsys.readouterr()
    assert "unknown policy 'pool-max-node' (did you mean 'pool-max-nodes'?)" in out.err
    assert "invalid" not in (out.out + out.err).replace("--policy-config", "")


def test_sending_only_the_resources_policies_read_gives_the_same_verdicts(tmp_path: Path) -> None:
    """The planner sends each pack only the types its rules read; the engine sends all."""
    import yaml

    from components.policy.security.rules import READ_TYPES
    from tests.components.plan.helpers import REPO

    doc = yaml.safe_load((REPO / "stacks" / "Pulumi.multi.yaml").read_text())
    fleet_doc = doc["config"]["aiinfra:fleet"]
    fleet_doc["environment"] = "dev"  # every cloud's pools now break dev's limits
    for cluster in fleet_doc["clusters"]:
        for p in cluster.get("gpuPools", []):
            p.update(maxNodes=12, minNodes=1, capacity="on-demand")
    stack = tmp_path / "Pulumi.multi.yaml"
    stack.write_text(yaml.safe_dump(doc, sort_keys=False))
    # the real program, then raw resources the security pack flags (joined to a role)
    program = tmp_path / "program.py"
    program.write_text(
        "import runpy\n"
        f"runpy.run_path({str(REPO / '__main__.py')!r}, run_name='__main__')\n"
        "import json\nimport pulumi_aws as aws\n"
        "trust = {'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'ec2.amazonaws.com'},"
        " 'Action': 'sts:AssumeRole'}]}\n"
        "role = aws.iam.Role('nodes', assume_role_policy=json.dumps(trust))\n"
        "aws.iam.RolePolicyAttachment('admin', role=role.name,"
        " policy_arn='arn:aws:iam::aws:policy/AdministratorAccess')\n"
        "aws.ec2.LaunchTemplate('gpu', instance_type='p5.48xlarge', metadata_options={'http_tokens': 'optional'})\n"
    )
    plan = plan_file(stack, skip_policies=True, program=program)
    assert plan.status == "ok", plan.error
    config = {k if ":" in k else f"ai-infra:{k}": v for k, v in doc["config"].items()}
    assert len(policies.relevant(plan.resources)) < len(plan.resources) / 2
    assert len([r for r in plan.resources if r.type in READ_TYPES]) < len(plan.resources) / 2

    def key(v: policies.PolicyVerdict) -> tuple[str, ...]:
        return (v.policy, v.enforcement_level, v.urn or "", v.message, v.fix or "")

    some = policies.run_policies(plan.resources, {}, stack="multi", stack_config=config)
    every = policies.run_policies(plan.resources, {}, stack="multi", stack_config=config, every_resource=True)
    assert sorted(map(key, some)) == sorted(map(key, every))
    found = {v.policy for v in some}
    assert {"pool-max-nodes", "imds-v2-hop-limit", "node-identity"} <= found, found


def test_plan_runs_the_security_pack_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A raw program with a public prod EKS endpoint and a GPU launch template allowing IMDSv1:
    the plan's violations include the security pack's, and its policy config reaches that pack."""
    program = tmp_path / "insecure.py"
    program.write_text(
        "import pulumi_aws as aws\n"
        "aws.eks.Cluster('eks', role_arn='arn:aws:iam::123456789012:role/eks', vpc_config={'subnet_ids': ['s']})\n"
        "aws.ec2.LaunchTemplate('gpu', instance_type='p5.48xlarge', metadata_options={'http_tokens': 'optional'})\n"
    )
    stack = tmp_path / "Pulumi.prod.yaml"
    stack.write_text(
        "config:\n  aiinfra:fleet:\n    environment: prod\n    clusters:\n"
        "      - {name: ml, cloud: aws, region: us-east-1, gpuPools: [{name: l4, accelerator: L4}]}\n"
    )
    out = tmp_path / "plan.json"
    argv = ["plan", str(stack), "--program", str(program), "--format", "json", "--out", str(out)]
    assert cli.main(argv) == 1
    found = {(v["policy"], v["name"], v["enforcementLevel"]) for v in json.loads(out.read_text())["violations"]}
    assert ("private-api-endpoint", "eks", "mandatory") in found
    assert ("imds-v2-hop-limit", "gpu", "mandatory") in found
    # One --policy-config for both packs: each pack gets its own policies (and `all`).
    relaxed = '{"private-api-endpoint": "advisory", "imds-v2-hop-limit": "advisory", "stack-ceilings": "advisory"}'
    assert cli.main([*argv, "--policy-config", relaxed]) == 0
    levels = {v["policy"]: v["enforcementLevel"] for v in json.loads(out.read_text())["violations"]}
    assert levels["private-api-endpoint"] == "advisory" and levels["imds-v2-hop-limit"] == "advisory"
    assert cli.main([*argv, "--policy-config", '{"no-such-policy": "advisory"}']) == 2
    assert "no-such-policy" in capsys.readouterr().err + out.read_text()
