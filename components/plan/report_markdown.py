"""Markdown for a pull-request comment: verdict first, then cost, policies, accelerators,
a Mermaid diagram and the resource list (collapsed).

The first line is a hidden marker (:data:`MARKER`) so CI can find and edit its one comment
instead of adding a new one on every push.

Tables fit GitHub's comment column (:data:`COMMENT_CHARS`): one row per violation with short
cells, the full messages collapsed in ``<details>``, and long identifiers given break
opportunities (``<wbr>``) at their separators, so a browser wraps them instead of scrolling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from components.catalog import CLOUDS
from components.plan.cost import CostLine
from components.plan.diagram import mermaid
from components.plan.engine import SKIPPED, PlanReport, StackPlan, parent_urn, place
from components.plan.equivalents import Equivalent
from components.plan.policies import PolicyVerdict
from components.terminal import counted

MARKER = "<!-- aiinfra-plan -->"

VERDICT_ICON = {
    "pass": "✅",
    "advisory": "⚠️",
    "fail": "❌",
    "not-evaluated": "❓",
    "invalid": "🚫",
    "error": "💥",
}
VERDICT_TEXT = {
    "pass": "pass: no policy violations",
    "advisory": "pass with advisories",
    "fail": "blocked: mandatory policy violation",
    "not-evaluated": "policies not evaluated",
    "invalid": "invalid input",
    "error": "internal error in ai-infra",
}
LEVEL_ICON = {"mandatory": "❌ mandatory", "advisory": "⚠️ advisory", "remediate": "🔧 remediate"}
LEVEL_MARK = {"mandatory": "❌", "advisory": "⚠️", "remediate": "🔧"}

#: Characters of a pull-request comment's column on github.com (about 700 px of body text at
#: 14 px); each table column also takes about 4 characters of cell padding.
COMMENT_CHARS = 100
#: Longest "What" text in a policy row; longer messages are cut there and given in full below.
WHAT_CHARS = 110


def usd(value: float) -> str:
    """``$1,234.56`` (cents below $100, whole dollars above)."""
    return f"${value:,.2f}" if abs(value) < 100 else f"${value:,.0f}"


def code_span(text: str) -> str:
    """``text`` as inline code, even when it holds backticks (``run `pulumi up` from``): the fence
    is one backtick longer than the longest run inside, padded with spaces (CommonMark)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    if not longest:
        return f"`{text}`"
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


def cell(text: object) -> str:
    """A table cell: pipes escaped, newlines folded."""
    return str(text).replace("|", "\\|").replace("\n", "<br>")


_SEPARATORS = "./_:,"


def breakable(text: str, longest: int = 14) -> str:
    """Plain text whose identifiers longer than ``longest`` may wrap after ``.``, ``/``, ``_``, ``:``.

    ``clusters[0].gpuPools[0].maxNodes`` becomes ``clusters[0].<wbr>gpuPools[0].<wbr>maxNodes``: a
    browser breaks it at a separator, never inside a name, and shows no mark where it does not.
    """
    out = []
    for word in text.split(" "):
        if len(word) > longest:
            buf = ""
            for ch in word:
                buf += ch
                if ch in _SEPARATORS:
                    buf += "<wbr>"
            word = buf.removesuffix("<wbr>")
        out.append(word)
    return " ".join(out).replace("<", "&lt;").replace("&lt;wbr>", "<wbr>")


def short(text: str, limit: int = WHAT_CHARS) -> tuple[str, bool]:
    """``text`` up to ``limit`` characters, cut at a clause (``; ``) or a word; True when cut."""
    if len(text) <= limit:
        return text, False
    head = text[:limit]
    cut = head.rfind("; ")
    if cut < limit // 2:
        cut = head.rfind(" ")
    return text[:cut].rstrip(" ;,") + " …", True


def table(header: Sequence[str], rows: Iterable[Sequence[object]], align: str | None = None) -> list[str]:
    """A GitHub-flavoured Markdown table; ``align`` is one of ``l``/``r`` per column."""
    aligns = align or "l" * len(header)
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if a == "r" else "---" for a in aligns) + "|"]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return out


def verdict_text(report: PlanReport) -> str:
    """The verdict in words; says so when the policies were skipped on purpose."""
    text = VERDICT_TEXT[report.verdict]
    if any(s.policies_note == SKIPPED for s in report.stacks):
        text = text.split(":")[0] + " (policies skipped by --skip-policies)"
    return text


def unplanned(report: PlanReport) -> list[StackPlan]:
    """Stacks that could not be planned (invalid, unbuildable): in no cost or accelerator figure."""
    return [s for s in report.stacks if s.status != "ok"]


def none_planned(report: PlanReport) -> bool:
    """No stack could be planned: there are no figures to show at all."""
    return len(unplanned(report)) == len(report.stacks)


def unplanned_note(report: PlanReport) -> str:
    """``1 of 2 stacks not planned (not in these figures)``, ``no stack planned`` or ``""``.

    A stack with spec errors has no cost: its $0.00 would read as free, and a total without it
    as the whole change.
    """
    n, missing = len(report.stacks), len(unplanned(report))
    if not missing:
        return ""
    if none_planned(report):
        return "no stack planned" if n != 1 else "not planned"
    return f"{missing} of {n} stacks not planned (not in these figures)"


#: What a stack that could not be planned shows for its cost and accelerators.
NOT_PLANNED = "—"


def stack_figures(s: StackPlan) -> list[str]:
    """$/h at min, $/h at max, $/month and accelerators at max of one stack (dashes if not planned)."""
    if s.status != "ok":
        return [NOT_PLANNED] * 4
    return [usd(s.cost.hourly_usd_at_min), usd(s.cost.hourly_usd), usd(s.cost.monthly_usd), str(s.accelerators.total)]


def verdict_line(report: PlanReport) -> str:
    v = report.verdict
    cost = report.cost
    acc = report.accelerators
    mandatory = sum(1 for _, x in report.violations if x.blocking)
    advisory = len(report.violations) - mandatory
    n = len(report.stacks)
    head = f"### {VERDICT_ICON[v]} aiinfra plan: {verdict_text(report)}\n\n**{n} stack{'s' if n != 1 else ''}**"
    note = unplanned_note(report)
    if none_planned(report):
        return f"{head} · {note}: fix the errors below"
    return (
        f"{head} · **{usd(cost.hourly_usd)}/h** at max scale "
        f"({usd(cost.hourly_usd_at_min)}/h at min) · **{usd(cost.monthly_usd)}/month** at max · "
        f"**{acc.total} accelerators** at max · {counted(mandatory, 'mandatory violation')}, {advisory} advisory"
        + (f" · **{note}**" if note else "")
    )


def _problems(stacks: Sequence[StackPlan]) -> list[str]:
    out: list[str] = []
    for s in stacks:
        if s.status == "ok" and s.policies_evaluated:
            continue
        if s.status != "ok":
            what = {"invalid": "is invalid", "build-error": "cannot be built"}.get(s.status, "hit an internal error")
            lines = [i.format() for i in s.issues] + ([s.error] if s.error else [])
            out += [f"**{s.file}** {what}:", "", "```text", *lines, "```", ""]
        elif s.policies_note:
            out += [f"**{s.file}**: policies {s.policies_note}", ""]
    warnings = [(s, i) for s in stacks if s.status == "ok" for i in s.issues if i.severity == "warning"]
    if warnings:
        out += ["Spec warnings:", ""] + [f"- ⚠️ {code_span(i.format())}" for _, i in warnings] + [""]
    return out


def _stack_table(stacks: Sequence[StackPlan]) -> list[str]:
    rows = []
    for s in stacks:
        budget = s.budget() or {}
        notes = []
        if budget.get("withinHourly") is False:
            notes.append(
                f"over budget: {usd(budget['onDemandHourlyUsd'])}/h on-demand > {usd(budget['maxHourlyUsd'])}/h"
            )
        if budget.get("withinAccelerators") is False:
            notes.append(f"over budget: {budget['accelerators']} > {budget['maxAccelerators']} accelerators")
        if budget and not notes:
            notes.append("within budget")
        rows.append(
            [
                breakable(s.stack),
                f"{VERDICT_ICON[s.verdict]} {s.verdict}",
                *stack_figures(s),
                "; ".join(notes) or "",
            ]
        )
    header = ["Stack", "Verdict", "$/h at min", "$/h at max", "$/month", "Accelerators", "Budget"]
    return table(header, rows, "llrrrrl")


def relative_fix(fix: str, path: str) -> str:
    """The fix without the row's own spec path before its fields (the Spec path column says it)."""
    return fix.replace(path + ".", "") if path.startswith("clusters[") else fix


def what_of(message: str, name: str | None, path: str) -> str:
    """The message without its leading ``node pool 'fleet-dev-h100'`` when the row has a spec path."""
    if name and path.startswith("clusters["):
        return re.sub(r"^[\w ]+ '[^']+'(: | )", "", message, count=1)
    return message


def was_text(before: str, after: str) -> str:
    """What ``before`` said that ``after`` does not: its clauses (``; ``) missing from ``after``
    (all of ``before`` when none is shared), so a changed violation shows only what moved."""
    now = set(after.split("; "))
    gone = [c for c in before.split("; ") if c not in now]
    return "; ".join(gone) or before


def ordered(violations: Iterable[tuple[StackPlan, PolicyVerdict]]) -> list[tuple[StackPlan, PolicyVerdict]]:
    """Mandatory first, then by policy and spec path: the order of the policy table."""
    return sorted(violations, key=lambda sv: (not sv[1].blocking, sv[1].policy, sv[0].locate(sv[1])))


def violation_rows(
    violations: Iterable[tuple[StackPlan, PolicyVerdict]],
    *,
    multi: bool = False,
    first: int = 1,
    fix: bool = True,
    label: bool = False,
    was: Mapping[PolicyVerdict, PolicyVerdict] | None = None,
) -> tuple[list[list[str]], list[str]]:
    """The policy table's rows (level, policy, spec path, what[, fix]) in :func:`ordered` order,
    and the full messages for the ``<details>`` below them, numbered from ``first``.

    ``multi`` puts the stack before the spec path; ``label`` adds the item's name after it
    (``clusters[0].gpuPools[0] (dev/l4, line 9)``, as the diff's change lines name it).
    ``was`` gives a violation's earlier version (the diff's BASE): a message or fix that changed
    shows, below the current one, what it said before (``was: ...``).
    """
    rows = []
    details: list[str] = []
    for s, v in ordered(violations):
        path = s.locate(v)
        line = s.violation_line(v, path)
        full = what_of(v.message, v.name, path)
        what, cut = short(full)
        n = first + len(details)
        notes = [s.item_label(path) if label else "", f"line {line}" if line else ""]
        note = ", ".join(x for x in notes if x)
        where = breakable(place(path, v)) + (f" ({note})" if note else "")
        if multi:
            where = f"{breakable(s.stack)}: {where}"
        resource = f"`{v.type}` `{v.name}`" if v.name else "the stack"
        before = (was or {}).get(v)
        mark = LEVEL_MARK.get(v.enforcement_level, v.enforcement_level)
        old_what = old_fix = ""
        entry = f"{n}. `{v.policy}` on {resource} ({s.file}{f':{line}' if line else ''}): {v.message}"
        if before is not None and before.enforcement_level != v.enforcement_level:
            # the level column says what it was, as the What and Fix cells do
            mark += "<br>was " + LEVEL_MARK.get(before.enforcement_level, before.enforcement_level)
            entry += f"<br>level was: {before.enforcement_level}"
        if before is not None and before.message != v.message:
            # the cell gives what changed, cut as the message is; the full text is in the entry,
            # and a cut cell points at it
            old, old_cut = short(was_text(what_of(before.message, before.name, path), full))
            old_what = "<br>was: " + breakable(old) + (f" [{n}]" if old_cut else "")
            entry += f"<br>was: {before.message}"
        if before is not None and before.fix != v.fix:
            old_fix = "<br>was: " + breakable(relative_fix(before.fix or "(none)", path))
        details.append(entry)
        rows.append(
            [
                mark,
                f"`{v.policy}`",
                where,
                breakable(what) + (f" [{n}]" if cut else "") + old_what,
                *([breakable(relative_fix(v.fix or "", path)) + old_fix] if fix else []),
            ]
        )
    return rows, details


#: The policy table's header (:func:`violation_rows`); without "Fix" when the rows have none.
POLICY_HEADER = ("", "Policy", "Spec path", "What", "Fix")


def full_messages(details: Sequence[str]) -> list[str]:
    """The numbered full messages, collapsed."""
    return [f"<details><summary>Full messages ({len(details)})</summary>", "", *details, "", "</details>"]


def policy_section(report: PlanReport) -> list[str]:
    """One row per violation (level, policy, spec path, what, fix); full messages collapsed below."""
    rows, details = violation_rows(report.violations, multi=len(report.stacks) > 1)
    if not rows:
        if none_planned(report):
            return ["No verdicts: no stack could be planned (see above)."]
        if not all(s.policies_evaluated for s in report.stacks if s.status == "ok"):
            return ["No verdicts: policies were not evaluated (see above)."]
        return ["No policy violations in the stacks planned." if unplanned(report) else "No policy violations."]
    return [*table(POLICY_HEADER, rows), "", *full_messages(details)]


def cost_section(report: PlanReport) -> list[str]:
    cost = report.cost
    if none_planned(report):
        return ["Not priced: no stack could be planned."]
    rows = []
    multi = len(report.stacks) > 1
    for line in cost.lines:
        unit = "" if line.unit_price_usd is None else f"{usd(line.unit_price_usd)}/{line.unit}"
        rows.append(
            [
                *([breakable(line.stack)] if multi else []),
                breakable(f"{line.cluster}/{line.name}"),
                breakable(f"{line.scaled_sku}, {line.capacity_text}"),
                breakable(unit + ("" if line.priced else " (no price)")),
                usd(line.hourly_usd_at_min),
                usd(line.hourly_usd_at_max),
                usd(line.monthly_usd_at_max),
            ]
        )
    rows.append(
        [
            *([""] if multi else []),
            "**Total**",
            "",
            "",
            f"**{usd(cost.hourly_usd_at_min)}**",
            f"**{usd(cost.hourly_usd)}**",
            f"**{usd(cost.monthly_usd)}**",
        ]
    )
    header = [*(["Stack"] if multi else []), "Item", "What", "Unit price", "$/h at min", "$/h at max", "$/month"]
    out = table(header, rows, ("l" if multi else "") + "lllrrr")
    out += ["", "<sub>Assumptions:</sub>", ""]
    out += [f"- <sub>{a}</sub>" for a in cost.assumptions()]
    return out


def accelerator_section(report: PlanReport) -> list[str]:
    acc = report.accelerators
    if none_planned(report):
        return ["Not counted: no stack could be planned."]
    if not acc.counts:
        return ["No accelerators."]
    rows = [[f"`{c.name}`", c.kind, c.at_min, c.at_max] for _, c in sorted(acc.counts.items())]
    rows.append(["**Total**", "", f"**{acc.total_at_min}**", f"**{acc.total}**"])
    return table(["Accelerator", "Kind", "At min", "At max"], rows, "llrr")


#: Rows of the collapsed resource list; GitHub comments stop at 65,536 characters.
MAX_RESOURCE_ROWS = 250


def resources_section(stacks: Sequence[StackPlan]) -> list[str]:
    """Every resource as a tree (children under their parent), collapsed: names never scroll."""
    total = sum(len(s.resources) for s in stacks)
    items: list[str] = []
    for s in stacks:
        by_urn = {r.urn: r for r in s.resources}
        children: dict[str, list[Any]] = {}
        for r in s.resources:
            children.setdefault(parent_urn(r) or "", []).append(r)
        if len(stacks) > 1:
            items.append(f"- stack `{s.stack}`")
        base = "  " if len(stacks) > 1 else ""

        def walk(urn: str, depth: int, base: str = base, children: dict[str, list[Any]] = children) -> None:
            # by name: registration order depends on when each resource's inputs resolve
            for r in sorted(children.get(urn, []), key=lambda r: (r.name, r.type)):
                flags = " (protected)" if r.protect else ""
                items.append(f"{base}{'  ' * depth}- `{r.name}`: {breakable(r.type)}{flags}")
                walk(r.urn, depth + 1)

        walk("", 0)
        orphans = sorted(
            (r for r in s.resources if parent_urn(r) and parent_urn(r) not in by_urn), key=lambda r: (r.name, r.type)
        )
        for r in orphans:
            items.append(f"{base}- `{r.name}`: {breakable(r.type)}")
    out = [f"<details><summary>Resources ({total})</summary>", ""]
    out += items[:MAX_RESOURCE_ROWS] if items else ["No resources were captured."]
    if len(items) > MAX_RESOURCE_ROWS:
        out += ["", f"... and {len(items) - MAX_RESOURCE_ROWS} more: see `aiinfra plan --format json`."]
    out += ["", "</details>"]
    return out


EQUIVALENTS_NOTE = (
    "The same accelerator and count at max scale on each cloud, in whole nodes of the catalog's offer, "
    "priced like the pool (spot at spot, otherwise on-demand list) in each cloud's catalog reference region."
)


def equivalent_cell(e: Equivalent) -> str:
    """``$98.32/h (Standard_ND96isr_H100_v5 x 4)``, ``not offered`` or ``no price (...)``."""
    if not e.offered:
        if e.node_sizes:
            sizes = " or ".join(str(n) for n in e.node_sizes)
            return f"not offered for {e.accelerators} (nodes of {sizes})"
        return "not offered"
    shape = f"{e.machine_type} x {e.nodes}" + {"spot": ", spot", "on-demand": ""}.get(e.priced_as or "", "")
    if e.capacity == "spot" and e.priced_as != "spot":
        shape += ", on-demand: no spot price"
    return f"no price ({shape})" if e.hourly_usd_at_max is None else f"{usd(e.hourly_usd_at_max)}/h ({shape})"


def equivalent_rows(report: PlanReport) -> list[tuple[CostLine, dict[str, str]]]:
    """Each GPU pool's cost line with a cell per cloud: its own figure and the equivalents."""
    rows = []
    for line in report.cost.lines:
        if line.kind != "gpu-pool":
            continue
        cells = {e.cloud: equivalent_cell(e) for e in line.equivalents}
        shape = f"{line.sku} x {line.units_at_max:g}" + (", spot" if line.capacity == "spot" else "")
        shape += f", priced {line.priced_as}" if line.priced_as not in ("", line.capacity) else ""
        shape += ", this pool"
        cells[line.cloud] = f"{usd(line.hourly_usd_at_max)}/h ({shape})" if line.priced else f"no price ({shape})"
        rows.append((line, cells))
    return rows


def equivalents_section(report: PlanReport) -> list[str]:
    """One row per GPU pool: its cost at max scale on its cloud (bold) and on the other two."""
    rows = equivalent_rows(report)
    if not rows:
        return []
    multi = len(report.stacks) > 1
    body = []
    for line, cells in rows:
        e = line.equivalents[0]
        body.append(
            [
                *([f"`{line.stack}`"] if multi else []),
                f"{line.cluster}/{line.name}",
                f"{e.accelerators} x {e.accelerator}",
                *(f"**{cells[c]}**" if c == line.cloud else cells[c] for c in CLOUDS),
            ]
        )
    header = [*(["Stack"] if multi else []), "GPU pool", "Accelerators at max", *CLOUDS]
    return [*table(header, body), "", f"<sub>{EQUIVALENTS_NOTE}</sub>"]


def render(report: PlanReport) -> str:
    """The whole comment."""
    out = [MARKER, verdict_line(report), ""]
    problems = _problems(report.stacks)
    if problems:
        out += problems
    out += [*_stack_table(report.stacks), ""]
    out += ["#### Policy verdicts", "", *policy_section(report), ""]
    out += ["#### Cost", "", *cost_section(report), ""]
    equivalents = equivalents_section(report)
    if equivalents:
        out += ["#### The same GPU pools on other clouds", "", *equivalents, ""]
    out += ["#### Accelerators", "", *accelerator_section(report), ""]
    diagram = mermaid(report.stacks)
    if diagram.count("\n") > 0:
        out += ["#### Layout", "", "```mermaid", diagram, "```", ""]
    out += resources_section(report.stacks)
    prices = "; ".join(sorted({s.prices for s in report.stacks})) or "catalog list prices"
    out += ["", f"<sub>Generated offline by `aiinfra plan` (mock engine, {prices}; no cloud credentials).</sub>"]
    return "\n".join(out) + "\n"
