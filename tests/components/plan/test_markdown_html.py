"""The PR comment renders: Markdown -> HTML (python-markdown, tables extension); check tables and diagram."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown

from components.plan.diff import PlanDiff, load_side
from components.plan.engine import plan_files
from components.plan.report_diff import render_markdown as render_diff
from components.plan.report_markdown import MARKER, render, usd
from tests.components.plan.helpers import (
    AWS_FLEET,
    FIXTURE,
    GCP_FLEET,
    mandatory_on_first_pool,
    node_price,
    write_stack,
)


class Tables(HTMLParser):
    """Collect every <table> as a list of rows of cell texts, and every <code class=...> block."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.code: list[tuple[str, str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._code: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "code":
            self._code = (dict(attrs).get("class") or "", [])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None
        elif tag == "code" and self._code is not None:
            self.code.append((self._code[0], "".join(self._code[1])))
            self._code = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._code is not None:
            self._code[1].append(data)


def _html(text: str) -> Tables:
    parser = Tables()
    parser.feed(markdown.markdown(text, extensions=["tables", "fenced_code"]))
    return parser


def _table(parsed: Tables, first_header: str) -> list[list[str]]:
    return next(t for t in parsed.tables if t and t[0][0] == first_header)


def test_plan_markdown_renders_tables_and_mermaid(tmp_path: Path) -> None:
    a = write_stack(tmp_path, "gcp-train", GCP_FLEET)
    b = write_stack(tmp_path, "aws-train", AWS_FLEET)
    report = plan_files([a, b], policies=mandatory_on_first_pool, program=FIXTURE)
    text = render(report)
    assert text.splitlines()[0] == MARKER
    assert text.splitlines()[1].startswith("### ❌ aiinfra plan: blocked")
    parsed = _html(text)

    stacks = _table(parsed, "Stack")
    assert stacks[0][:4] == ["Stack", "Verdict", "$/h at min", "$/h at max"]
    assert [row[0] for row in stacks[1:]] == ["gcp-train", "aws-train"]

    policies = next(t for t in parsed.tables if t[0][1:3] == ["Policy", "Spec path"])
    assert policies[0] == ["", "Policy", "Spec path", "What", "Fix"]
    mandatory = [r for r in policies[1:] if r[0] == "❌"]
    assert len(mandatory) == 2 and all(r[4] == "lower maxNodes" for r in mandatory)
    assert any(r[2].startswith("gcp-train: clusters[0].gpuPools[0] (line ") for r in mandatory)

    cost = next(t for t in parsed.tables if t[0][:2] == ["Stack", "Item"])
    items = {row[1]: row for row in cost[1:]}
    assert items["train/h100"][2].startswith("a3-highgpu-8g × 0-4 nodes, on-demand")
    assert items["train/h100"][-2] == usd(4 * node_price("gcp", "a3-highgpu-8g"))
    assert items["train-aws/p5"][2].startswith("p5.48xlarge")
    assert cost[-1][1] == "Total"

    accel = _table(parsed, "Accelerator")
    assert {row[0]: row[3] for row in accel[1:]} == {"H100-80GB": "64", "TPU-v5p": "16", "Total": "80"}

    (diagram,) = [body for cls, body in parsed.code if "mermaid" in cls]
    assert diagram.startswith("flowchart LR")
    assert re.search(r'--> \S+\{\{"gpudirect-tcpx"\}\}', diagram)
    assert re.search(r'--> \S+\{\{"efa"\}\}', diagram)
    assert 'subgraph s_gcp_train["stack gcp-train"]' in diagram
    assert "datasets: lustre 36000 GiB" in diagram
    # the resource list is collapsed
    assert "<details><summary>Resources (" in text


def test_diff_markdown_renders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    head = copy.deepcopy(AWS_FLEET)
    head["clusters"][0]["gpuPools"][0]["maxNodes"] = 8
    head["clusters"][0]["storage"] = []
    base_side = load_side(str(write_stack(tmp_path / "a", "s", AWS_FLEET)), skip_policies=True, program=FIXTURE)
    head_side = load_side(str(write_stack(tmp_path / "b", "s", head)), skip_policies=True, program=FIXTURE)
    parsed = _html(render_diff(PlanDiff(base_side, head_side)))
    totals = _table(parsed, "")
    assert totals[0] == ["", "Base", "Head", "Delta", "%"]
    assert totals[1][0] == "$/h at max scale" and totals[1][3].startswith("+$")
    items = _table(parsed, "Item")
    assert {r[0] for r in items[1:]} == {"train-aws/p5", "train-aws/datasets"}
    assert _table(parsed, "Accelerator")[1] == ["H100-80GB", "32", "64", "+32"]
