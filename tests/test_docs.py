"""The docs stand alone and say what the code does.

- No drafting notes addressed to anyone ("README snippet", "for the lead") and no links to
  files outside the repository; every relative link resolves to a file in it.
- The policy messages docs/policies.md shows are the ones the rules produce today (checked
  against the golden files, which the catalog's figures feed), message and fix alike.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from components.plan.report_markdown import relative_fix

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DRAFTING = re.compile(r"README snippet|for the lead|fold into README|\.\./shared|/work/|TODO|FIXME|XXX")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_drafting_notes_or_links_outside_the_repo(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    assert not DRAFTING.findall(text), DRAFTING.findall(text)
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"^[a-z]+://", target):
            continue  # a public web page, not a file
        resolved = (doc.parent / target).resolve()
        assert resolved.is_relative_to(ROOT), f"{doc.name} links outside the repository: {target}"
        assert resolved.exists(), f"{doc.name} links to a missing file: {target}"


def test_policy_examples_match_what_the_rules_say() -> None:
    text = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")
    examples = re.findall(r"^- `([^`]+)`\n  fix: `([^`]+)`$", text, re.M)
    assert len(examples) >= 4
    golden = json.loads((ROOT / "tests" / "policies" / "golden" / "mixed_stack_messages.json").read_text())
    pairs = {(r["message"], r["fix"]) for rows in golden.values() for r in rows}
    blocked = (ROOT / "tests" / "components" / "plan" / "golden" / "blocked-dev.plan.md").read_text()
    blocked = blocked.replace("<wbr>", "")
    for message, fix in examples:
        if (message, fix) in pairs:
            continue
        # a spec-level example: the blocked plan's full message, and its fix as the table shows it
        assert message in blocked, message
        assert relative_fix(fix, "clusters[0].gpuPools[0]") in blocked, fix
