"""Plans priced from price overlays, and the plan and the policy pack deciding a ceiling from
the same overlay price (the real program on the mock engine, the real pack over gRPC)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.cli import main
from components.plan.engine import plan_file
from components.policy.analyzer_client import analyze
from components.prices.overlay import load_overlay
from tests.components.plan.helpers import AWS_FLEET, FIXTURE, REPO, fleet, no_violations, write_stack

PROGRAM = REPO / "__main__.py"
CEILING = {"stack-ceilings": {"maxHourlyUsd": {"prod": 250}}}


def overlay_doc(
    p5: float = 70.0, spot: float | None = None, discounts: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    rows = [
        {
            "cloud": "aws",
            "kind": "machine",
            "offer": "p5.48xlarge",
            "region": "us-east-1",
            "capacity": "on-demand",
            "priceUsd": p5,
            "unit": "node-hour",
            "source": "https://api.pricing.us-east-1.amazonaws.com (GetProducts)",
            "fetchedAt": "2026-11-30T12:00:00Z",
        },
    ]
    if spot is not None:
        rows.append({**rows[0], "capacity": "spot", "priceUsd": spot})
    doc: dict[str, Any] = {"schema": "aiinfra-price-overlay/v1", "createdAt": "2026-11-30T12:00:00Z", "prices": rows}
    if discounts:
        doc["discounts"] = discounts
    return doc


def write_overlay(tmp_path: Path, doc: dict[str, Any], name: str = "aws-prices.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def p5_line(plan: Any) -> Any:
    return next(line for line in plan.cost.lines if line.name == "p5")


def test_a_plan_is_priced_from_an_overlay(tmp_path: Path) -> None:
    stack = write_stack(tmp_path, "aws-train", AWS_FLEET)
    catalog_plan = plan_file(stack, policies=no_violations, program=FIXTURE)
    assert p5_line(catalog_plan).unit_price_usd == 55.04
    overlay = load_overlay(write_overlay(tmp_path, overlay_doc(70.0)))
    plan = plan_file(stack, policies=no_violations, program=FIXTURE, prices=[overlay])
    line = p5_line(plan)
    assert (line.unit_price_usd, line.hourly_usd_at_max, line.on_demand_hourly_usd_at_max) == (70.0, 280.0, 280.0)
    assert line.source == "https://api.pricing.us-east-1.amazonaws.com (GetProducts)" and line.as_of == "2026-11-30"
    assert (
        "p5.48xlarge: on-demand $70/node-hour from price overlay aws-prices.json "
        "(https://api.pricing.us-east-1.amazonaws.com (GetProducts), us-east-1, fetched 2026-11-30)."
    ) in line.assumptions
    assert plan.prices == "price overlay aws-prices.json over catalog list prices (from --prices)"
    # lines the overlay does not price keep the catalog figure and say so
    storage = next(x for x in plan.cost.lines if x.kind == "storage")
    assert any("catalog list price" in a for a in storage.assumptions)


def test_plan_cli_prices_flag_and_bad_overlays(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = write_stack(tmp_path, "aws-train", AWS_FLEET)
    good = write_overlay(tmp_path, overlay_doc(70.0))
    code = main(
        ["plan", str(stack), "--program", str(FIXTURE), "--skip-policies", "--prices", str(good), "--format", "json"]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    (line,) = [x for x in doc["cost"]["lines"] if x["name"] == "p5"]
    assert line["unitPriceUsd"] == 70.0 and line["asOf"] == "2026-11-30"
    assert doc["stacks"][0]["prices"].startswith("price overlay aws-prices.json")
    bad = write_overlay(
        tmp_path, {**overlay_doc(), "prices": [{**overlay_doc()["prices"][0], "priceUsd": -1}]}, "bad.json"
    )
    assert main(["plan", str(stack), "--program", str(FIXTURE), "--prices", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.json: prices[0].priceUsd: -1 is less than or equal to the minimum of 0" in err
    assert "Traceback" not in err


def test_discounts_per_cloud_and_family_most_specific_wins(tmp_path: Path) -> None:
    discounts = [
        {"cloud": "aws", "percent": 10, "note": "enterprise agreement"},
        {"cloud": "aws", "family": "p5", "percent": 30, "note": "3-year savings plan"},
        {"cloud": "gcp", "percent": 50},
    ]
    stack = write_stack(tmp_path, "aws-train", AWS_FLEET)
    overlay = load_overlay(write_overlay(tmp_path, overlay_doc(70.0, discounts=discounts)))
    line = p5_line(plan_file(stack, policies=no_violations, program=FIXTURE, prices=[overlay]))
    assert line.unit_price_usd == pytest.approx(49.0)
    assert any("less 30% aws p5 discount (3-year savings plan) = $49/node-hour" in a for a in line.assumptions)
    # spot prices are not discounted unless the rule says so
    spot_fleet = fleet(AWS_FLEET, gpuPools=[{**AWS_FLEET["clusters"][0]["gpuPools"][0], "capacity": "spot"}])
    stack = write_stack(tmp_path, "aws-spot", spot_fleet)
    overlay = load_overlay(write_overlay(tmp_path, overlay_doc(70.0, spot=30.0, discounts=discounts), "s.json"))
    assert p5_line(plan_file(stack, policies=no_violations, program=FIXTURE, prices=[overlay])).unit_price_usd == 30.0


def test_the_stack_setting_prices_the_plan(tmp_path: Path) -> None:
    path = write_overlay(tmp_path, overlay_doc(70.0))
    (tmp_path / "Pulumi.yaml").write_text("name: ai-infra\nruntime: python\n")
    stack = write_stack(tmp_path, "aws-train", AWS_FLEET, {"aiinfra:prices": path.name})  # relative to the project
    plan = plan_file(stack, policies=no_violations, program=FIXTURE)
    assert p5_line(plan).unit_price_usd == 70.0
    assert plan.prices.endswith("(from stack setting aiinfra:prices)")
    missing = write_stack(tmp_path, "aws-missing", AWS_FLEET, {"aiinfra:prices": "nope.json"})
    broken = plan_file(missing, policies=no_violations, program=FIXTURE)
    assert broken.status == "invalid" and "nope.json: cannot read the price overlay" in (broken.error or "")


@pytest.mark.slow
def test_plan_and_pack_agree_on_a_ceiling_decided_by_an_overlay_price(tmp_path: Path) -> None:
    """4 x p5.48xlarge: $220.16/h at the catalog price passes a $250/h ceiling; at the overlay's
    $70/h it is $280/h and both the plan (through the pack) and the pack alone block it."""
    path = write_overlay(tmp_path, overlay_doc(70.0))
    stack = write_stack(tmp_path, "aws-train", AWS_FLEET)

    base = plan_file(stack, CEILING, program=PROGRAM)
    assert base.policies_evaluated and p5_line(base).hourly_usd_at_max == pytest.approx(220.16)
    assert not [v for v in base.violations if v.policy == "stack-ceilings"]

    plan = plan_file(stack, CEILING, program=PROGRAM, prices=[load_overlay(path)])
    assert plan.policies_evaluated and p5_line(plan).hourly_usd_at_max == 280.0
    (via_plan,) = [v for v in plan.violations if v.policy == "stack-ceilings"]
    assert via_plan.blocking and "at $280/h" in via_plan.message and "the prod ceiling is $250/h" in via_plan.message

    # the pack alone, configured the `pulumi preview --policy-pack-config` way
    config = {"stack-ceilings": {**CEILING["stack-ceilings"], "prices": str(path)}}
    stack_config = {"aiinfra:fleet": AWS_FLEET}
    alone = [
        v
        for v in analyze(plan.resources, config, stack="aws-train", stack_config=stack_config)
        if v.policy == "stack-ceilings"
    ]
    assert [v.message for v in alone] == [via_plan.message]

    # and through the stack setting, read by both
    (tmp_path / "Pulumi.yaml").write_text("name: ai-infra\nruntime: python\n")
    set_stack = write_stack(tmp_path, "aws-set", AWS_FLEET, {"aiinfra:prices": str(path)})
    by_setting = plan_file(set_stack, CEILING, program=PROGRAM)
    assert [v.message for v in by_setting.violations if v.policy == "stack-ceilings"] == [via_plan.message]
    pack_setting = analyze(
        by_setting.resources,
        CEILING,
        stack="aws-set",
        stack_config={"aiinfra:fleet": AWS_FLEET, "aiinfra:prices": str(path)},
    )
    assert [v.message for v in pack_setting if v.policy == "stack-ceilings"] == [via_plan.message]


def test_diff_prices_both_sides_from_a_relative_stack_setting_even_at_a_git_ref(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import subprocess

    from components.plan import policies

    repo = tmp_path / "repo"
    (repo / "stacks").mkdir(parents=True)
    (repo / "prices").mkdir()
    (repo / "Pulumi.yaml").write_text("name: ai-infra\nruntime: python\nstackConfigDir: stacks\n")
    write_overlay(repo / "prices", overlay_doc(70.0))
    write_stack(repo / "stacks", "aws-train", AWS_FLEET, {"aiinfra:prices": "prices/aws-prices.json"})
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    head = fleet(AWS_FLEET, gpuPools=[{**AWS_FLEET["clusters"][0]["gpuPools"][0], "maxNodes": 6}])
    write_stack(repo / "stacks", "aws-train", head, {"aiinfra:prices": "prices/aws-prices.json"})
    monkeypatch.chdir(repo)
    monkeypatch.setattr(policies, "run_policies", no_violations)
    argv = ["diff", "HEAD:stacks/Pulumi.aws-train.yaml", "stacks/Pulumi.aws-train.yaml", "--program", str(FIXTURE)]
    assert main([*argv, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (line,) = [x for x in doc["cost"]["lines"] if x["name"] == "p5"]
    # both sides priced at the overlay's $70/h, the base read at the git ref: 4 -> 6 nodes
    assert (line["hourlyUsdAtMaxBefore"], line["hourlyUsdAtMaxAfter"]) == (280.0, 420.0)


def test_a_prices_entry_in_the_policy_config_prices_the_plan_too(tmp_path: Path) -> None:
    path = write_overlay(tmp_path, overlay_doc(70.0))
    stack = write_stack(tmp_path, "aws-train", AWS_FLEET)
    seen: dict[str, Any] = {}

    def capture(resources: Any, config: Any, **context: Any) -> list[Any]:
        seen.update(config)
        return []

    config = {"stack-ceilings": {"prices": str(path)}, "pool-max-nodes": "advisory"}
    plan = plan_file(stack, config, policies=capture, program=FIXTURE)
    assert p5_line(plan).unit_price_usd == 70.0
    assert plan.prices.endswith("(from policy config stack-ceilings.prices)")
    # the pack is handed the same rows inline, on every policy (levels given as strings are kept)
    assert seen["pool-max-nodes"]["enforcementLevel"] == "advisory"
    assert seen["under-networked"]["prices"][0]["prices"][0]["priceUsd"] == 70.0
