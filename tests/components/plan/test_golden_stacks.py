"""Golden plans of every example stack (stacks/Pulumi.*.yaml), as normalized JSON.

Two goldens per stack:

- ``golden/<stack>.cost.json``: cost lines, totals, assumptions, accelerators and budget.
  These come from the spec and the catalog alone, so they hold for every stack today.
- ``golden/<stack>.plan.json``: the whole ``aiinfra plan --format json`` document, from the
  real ``__main__.py`` on the mock engine, with the verdicts of the real policy pack over
  its Analyzer protocol. Nothing is skipped: a stack that does not build, or a pack that
  cannot be reached, fails the test.

Regenerate with ``AIINFRA_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from components.plan.engine import PlanReport, plan_file
from tests.components.plan.helpers import REPO, STACKS
from tests.support.golden import assert_golden

GOLDEN = Path(__file__).with_name("golden")


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # file names in the plan are relative, as CI runs it


def test_every_example_stack_has_a_golden_test() -> None:
    assert {p.name for p in STACKS} >= {
        f"Pulumi.{s}.yaml" for s in ("gcp-train", "azure-train", "aws-train", "dev", "multi")
    }


@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.stem.removeprefix("Pulumi."))
def test_cost_golden(path: Path) -> None:
    stack = path.stem.removeprefix("Pulumi.")
    plan = plan_file(path.relative_to(REPO), skip_policies=True)
    assert plan.fleet is not None, [i.format() for i in plan.issues]
    assert_golden(
        GOLDEN / f"{stack}.cost.json",
        {"cost": plan.cost.to_json(), "accelerators": plan.accelerators.to_json(), "budget": plan.budget()},
    )


@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.stem.removeprefix("Pulumi."))
def test_plan_golden(path: Path) -> None:
    stack = path.stem.removeprefix("Pulumi.")
    plan = plan_file(path.relative_to(REPO))
    assert plan.status == "ok", plan.error or [i.format() for i in plan.issues]
    assert plan.resources, "the program registered no resources"
    assert_golden(GOLDEN / f"{stack}.plan.json", PlanReport([plan]).to_json())


def test_fixture_plan_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole JSON document for a fixture program (a stand-in until the cloud builders land)."""
    from tests.components.plan.helpers import FIXTURE, GCP_FLEET, mandatory_on_first_pool, write_stack

    (tmp_path / "stacks").mkdir()
    write_stack(tmp_path / "stacks", "gcp-train", GCP_FLEET)
    monkeypatch.chdir(tmp_path)
    plan = plan_file(Path("stacks/Pulumi.gcp-train.yaml"), policies=mandatory_on_first_pool, program=FIXTURE)
    assert_golden(GOLDEN / "fixture-gcp-train.plan.json", PlanReport([plan]).to_json())
