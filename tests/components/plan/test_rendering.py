"""What a reviewer reads: a blocked plan's Markdown (golden), table widths, terminal widths.

- ``golden/blocked-dev.plan.md``: the PR comment of a dev stack the policy pack blocks, from
  the real program and the real pack over gRPC; its fixes name fleet-spec fields. Regenerate
  with ``AIINFRA_UPDATE_GOLDEN=1`` and read the diff.
- Every Markdown table fits GitHub's comment column: the narrowest a browser can lay out a
  row (each column as wide as its longest unbreakable run, plus cell padding) is at most
  ``COMMENT_CHARS``.
- The text report fits ``$COLUMNS`` (80 and up) and never breaks a name or a spec path.
"""

from __future__ import annotations

import copy
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.plan.diff import PlanDiff, load_side
from components.plan.engine import PlanReport, plan_files
from components.plan.report_diff import render_markdown as render_diff
from components.plan.report_markdown import COMMENT_CHARS, render, usd
from components.plan.report_text import render as render_text
from tests.components.plan.helpers import REPO, STACKS
from tests.support.golden import UPDATE_ENV
from tests.support.specs import GCP_TRAIN
from tests.support.terminal import parted, too_wide

GOLDEN = Path(__file__).with_name("golden") / "blocked-dev.plan.md"
CELL_PADDING = 4  # GitHub's td padding (6px 13px) in characters


def blocked_spec() -> dict[str, Any]:
    """A dev stack a reviewer must not merge: an L4 pool of 64 nodes, on-demand, kept warm."""
    spec = copy.deepcopy(GCP_TRAIN)
    spec["environment"] = "dev"
    spec["budget"] = {"maxHourlyUsd": 1000, "maxAccelerators": 32}
    cl = spec["clusters"][0]
    cl["name"] = "dev"
    cl["network"]["fabric"] = "none"
    # 64 nodes of 8 L4: 512 accelerators against the dev ceiling of 16 (2 nodes)
    cl["gpuPools"][0].update(accelerator="L4", maxNodes=64, minNodes=1, localSsd="none")
    cl["tpuSlices"] = []
    cl["storage"] = []
    return spec


@pytest.fixture(scope="module")
def blocked(tmp_path_factory: pytest.TempPathFactory) -> PlanReport:
    d = tmp_path_factory.mktemp("blocked")
    stack = d / "Pulumi.blocked-dev.yaml"
    stack.write_text(yaml.safe_dump({"config": {"aiinfra:fleet": blocked_spec()}}, sort_keys=False), "utf-8")
    cwd = os.getcwd()
    os.chdir(d)  # the file name in the comment is relative, as CI runs it
    try:
        report = plan_files([stack.name], program=REPO / "__main__.py")
    finally:
        os.chdir(cwd)
    assert report.stacks[0].policies_evaluated, report.stacks[0].policies_note
    return report


def test_blocked_plan_markdown_golden(blocked: PlanReport) -> None:
    text = render(blocked)
    assert blocked.verdict == "fail"
    if os.environ.get(UPDATE_ENV):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8"), f"rerun with {UPDATE_ENV}=1 and review the diff"
    # the fixes speak the spec's language
    assert "maxNodes: 64 → at most 2 (dev ceiling: 16 accelerators" in text.replace("<wbr>", "")
    assert "minNodes: 1 → 0" in text.replace("<wbr>", "")


def test_message_and_fix_are_separate_in_every_format(blocked: PlanReport) -> None:
    import json

    from components.plan.command import render as render_any

    doc = json.loads(render_any(blocked, "json"))
    sarif = json.loads(render_any(blocked, "sarif"))
    assert doc["violations"]
    for v in doc["violations"]:
        assert v["fix"] and v["fix"] not in v["message"] and v["message"] not in v["fix"]
    for r in sarif["runs"][0]["results"]:
        fix = r["properties"]["fix"]
        assert fix and fix not in r["message"]["text"] and "Fix:" not in r["message"]["text"]
    text = io.StringIO()
    render_text(blocked, text, color=False, width=120)
    out = text.getvalue()
    assert out.count("fix: ") == len(doc["violations"])


# ----- widths -----------------------------------------------------------------------------------
def _unbreakable(cell: str) -> int:
    """The longest run a browser cannot break: split at spaces, <br>, <wbr> and after hyphens."""
    text = re.sub(r"\*\*|`", "", cell.replace("\\|", "|"))
    text = text.replace("&lt;", "<").replace("&amp;", "&")
    parts = re.split(r"\s+|<br>|<wbr>|(?<=-)", text)
    return max((len(p) for p in parts), default=0)


def table_min_widths(markdown: str) -> list[tuple[int, str]]:
    """(narrowest layout in characters, first row) of every table in ``markdown``."""
    out: list[tuple[int, str]] = []
    rows: list[list[str]] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|") and line.endswith("|"):
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line[1:-1])])
            continue
        if rows:
            body = [r for r in rows if not all(re.fullmatch(r":?-+:?", c) for c in r)]
            widths = [max(_unbreakable(r[i]) for r in body if i < len(r)) for i in range(len(body[0]))]
            out.append((sum(widths) + CELL_PADDING * len(widths), " | ".join(body[0])))
            rows = []
    return out


def _check_tables(markdown: str) -> None:
    tables = table_min_widths(markdown)
    assert tables
    too_wide = [(w, head) for w, head in tables if w > COMMENT_CHARS]
    assert not too_wide, too_wide


def test_plan_tables_fit_githubs_comment_column(blocked: PlanReport, monkeypatch: pytest.MonkeyPatch) -> None:
    _check_tables(render(blocked))
    monkeypatch.chdir(REPO)
    every = plan_files([p.relative_to(REPO) for p in STACKS], skip_policies=True)
    _check_tables(render(every))


def test_diff_tables_fit_githubs_comment_column(tmp_path: Path) -> None:
    base = tmp_path / "Pulumi.base.yaml"
    head = tmp_path / "Pulumi.head.yaml"
    spec = copy.deepcopy(GCP_TRAIN)
    base.write_text(yaml.safe_dump({"config": {"aiinfra:fleet": spec}}), "utf-8")
    spec["clusters"][0]["gpuPools"][0]["maxNodes"] = 12
    spec["clusters"][0]["gpuPools"][0]["accelerator"] = "H200"
    spec["clusters"][0]["storage"] = []
    head.write_text(yaml.safe_dump({"config": {"aiinfra:fleet": spec}}), "utf-8")
    diff = PlanDiff(load_side(str(base), skip_policies=True), load_side(str(head), skip_policies=True))
    _check_tables(render_diff(diff))


def test_a_too_wide_table_is_caught() -> None:
    row = "| " + " | ".join(["x" * 30] * 4) + " |"
    assert table_min_widths(f"| a | b | c | d |\n|---|---|---|---|\n{row}\n")[0][0] > COMMENT_CHARS


@pytest.mark.parametrize("columns", [80, 100, 132])
def test_text_report_fits_columns_and_keeps_names_whole(
    blocked: PlanReport, columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.chdir(REPO)
    every = plan_files([p.relative_to(REPO) for p in STACKS], skip_policies=True)
    for report in (blocked, every):
        buf = io.StringIO()
        render_text(report, buf, color=False)
        out = buf.getvalue()
        assert too_wide(out, columns) == [], out
        assert parted(out) == [], out  # a number goes with its unit: "18" / "accelerators" never
        # a note under a table hangs its wrapped lines under its text, not under the bullet
        lines = out.splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("    - Not priced:"))
        if columns < 132:  # the note wraps
            assert lines[at + 1].startswith("      ") and lines[at + 1][6] != " ", lines[at : at + 2]
        words = set(re.findall(r"[^\s│┃|]+", out))
        for s in report.stacks:
            for line in s.cost.lines:
                assert line.sku.split(" ")[0] in words, line.sku
                assert f"{line.cluster}/{line.name}" in words
                assert usd(line.monthly_usd_at_max) in words  # no column cropped
                # the other clouds' machine types (Standard_ND96isr_H100_v5) whole, not folded
                for e in line.equivalents:
                    if e.offered:
                        assert re.search(rf"(?<![\w.-]){re.escape(str(e.machine_type))}(?![\w.-])", out), e
            for v in s.violations:
                assert s.locate(v) in words, s.locate(v)


def test_plan_file_of_blocked_stack_names_spec_paths(blocked: PlanReport) -> None:
    s = blocked.stacks[0]
    assert {s.locate(v) for v in s.violations if v.urn} == {"clusters[0].gpuPools[0]"}


# ----- stacks that could not be planned -------------------------------------------------------------
def _plan_invalid_beside(tmp_path: Path, valid: bool) -> PlanReport:
    """A stack with a spec error (a negative maxNodes), alone or beside a valid one."""
    spec = copy.deepcopy(GCP_TRAIN)
    spec["clusters"][0]["gpuPools"][0]["maxNodes"] = -1
    bad = tmp_path / "Pulumi.bad.yaml"
    bad.write_text(yaml.safe_dump({"config": {"aiinfra:fleet": spec}}), "utf-8")
    files = [bad]
    if valid:
        good = tmp_path / "Pulumi.good.yaml"
        good.write_text(yaml.safe_dump({"config": {"aiinfra:fleet": GCP_TRAIN}}), "utf-8")
        files.append(good)
    report = plan_files(files, skip_policies=True)
    assert [s.status for s in report.stacks] == ["invalid", *(["ok"] if valid else [])]
    return report


def _text(report: PlanReport) -> str:
    buf = io.StringIO()
    render_text(report, buf, color=False, width=100)
    return buf.getvalue()


def test_an_invalid_stack_shows_no_cost_rather_than_zero(tmp_path: Path) -> None:
    # $0.00 and "No policy violations." would read as a free, clean change
    report = _plan_invalid_beside(tmp_path, valid=False)
    markdown, text = render(report), _text(report)
    for out in (markdown, text):
        assert "$0.00" not in out and "0 accelerators" not in out
    assert "**1 stack** · not planned: fix the errors below" in markdown
    assert "| bad | 🚫 invalid | — | — | — | — |" in markdown
    assert "No verdicts: no stack could be planned" in markdown and "No policy violations" not in markdown
    assert "Not priced: no stack could be planned." in markdown
    assert text.rstrip().endswith("🚫 invalid input: not planned; fix the errors above")


def test_totals_beside_an_invalid_stack_say_they_leave_it_out(tmp_path: Path) -> None:
    report = _plan_invalid_beside(tmp_path, valid=True)
    good = report.stacks[1]
    markdown, text = render(report), _text(report)
    assert f"**{usd(good.cost.hourly_usd)}/h** at max scale" in markdown.splitlines()[3]
    assert markdown.splitlines()[3].endswith("· **1 of 2 stacks not planned (not in these figures)**")
    assert "| bad | 🚫 invalid | — | — | — | — |" in markdown
    assert " ".join(text.split()).endswith("; 1 of 2 stacks not planned (not in these figures)")


# ----- inline code ---------------------------------------------------------------------------------
def test_a_warning_with_backticks_stays_one_code_span(tmp_path: Path) -> None:
    # the prod private-endpoint warning says "run `pulumi up` from ...": inside single backticks
    # GitHub (CommonMark) ended the code span there and showed the rest as garbled prose
    from markdown_it import MarkdownIt

    from components.plan.report_markdown import code_span

    for text in ("plain", "run `pulumi up` from a runner", "a ``double`` run", "`edge`"):
        tokens = MarkdownIt("commonmark").parseInline(code_span(text))[0].children or []
        assert [(t.type, t.content) for t in tokens] == [("code_inline", text)], code_span(text)
    stack = REPO / "stacks" / "Pulumi.azure-train.yaml"
    doc = yaml.safe_load(stack.read_text("utf-8"))
    doc["config"]["aiinfra:fleet"]["clusters"][0].pop("access", None)  # prod, private, add-ons through it
    copy_ = tmp_path / "Pulumi.azure-train.yaml"
    copy_.write_text(yaml.safe_dump(doc), "utf-8")
    report = plan_files([copy_], skip_policies=True)
    (line,) = [x for x in render(report).splitlines() if x.startswith("- ⚠️ ") and "`pulumi up`" in x]
    tokens = MarkdownIt("commonmark").parseInline(line.removeprefix("- ⚠️ "))[0].children or []
    assert [t.type for t in tokens] == ["code_inline"], line


@pytest.mark.parametrize("columns", [80, 132])
def test_spec_problems_wrap_as_validate_prints_them(
    columns: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # they printed on one line each, whatever the terminal (an unknown key's hint: 200 wide)
    from components.cli import main

    spec = copy.deepcopy(GCP_TRAIN)
    spec["clusters"][0]["gpuPools"][0]["maxNode"] = 3
    (tmp_path / "Pulumi.bad.yaml").write_text(yaml.safe_dump({"config": {"aiinfra:fleet": spec}}), "utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", str(columns))
    buf = io.StringIO()
    render_text(plan_files(["Pulumi.bad.yaml"], skip_policies=True), buf, color=False)
    assert main(["validate", "Pulumi.bad.yaml"]) == 2
    validate = " ".join(capsys.readouterr().err.split()).split(" Pulumi.bad.yaml: invalid")[0]
    assert main(["plan", "Pulumi.bad.yaml", "--format", "json", "--skip-policies"]) == 2
    stderr = capsys.readouterr().err
    for out in (buf.getvalue(), stderr):
        assert too_wide(out, columns) == [], out
        assert validate in " ".join(out.split())  # what validate says, wrapped to the terminal
    assert re.search(r"^  Pulumi\.bad\.yaml:\d+: error: clusters\[0\]\.gpuPools\[0\]\.maxNode: ", buf.getvalue(), re.M)
