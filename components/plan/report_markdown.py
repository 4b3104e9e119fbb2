"""Markdown for a pull-request comment: verdict first, then cost, policies, accelerators,
a Mermaid diagram and the resource list (collapsed).

The first line is a hidden marker (:data:`MARKER`) so CI can find and edit its one comment
instead of adding a new one on every push.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from components.catalog import CLOUDS
from components.plan.cost import CostLine
from components.plan.diagram import mermaid
from components.plan.engine import SKIPPED, PlanReport, StackPlan, parent_urn
from components.plan.equivalents import Equivalent

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


def usd(value: float) -> str:
    """``$1,234.56`` (cents below $100, whole dollars above)."""
    return f"${value:,.2f}" if abs(value) < 100 else f"${value:,.0f}"


def cell(text: object) -> str:
    """A table cell: pipes escaped, newlines folded."""
    return str(text).replace("|", "\\|").replace("\n", "<br>")


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


def verdict_line(report: PlanReport) -> str:
    v = report.verdict
    cost = report.cost
    acc = report.accelerators
    mandatory = sum(1 for _, x in report.violations if x.blocking)
    advisory = len(report.violations) - mandatory
    n = len(report.stacks)
    return (
        f"### {VERDICT_ICON[v]} aiinfra plan: {verdict_text(report)}\n\n"
        f"**{n} stack{'s' if n != 1 else ''}** · **{usd(cost.hourly_usd)}/h** at max scale "
        f"({usd(cost.hourly_usd_at_min)}/h at min) · **{usd(cost.monthly_usd)}/month** at max · "
        f"**{acc.total} accelerators** at max · {mandatory} mandatory, {advisory} advisory violation(s)"
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
        out += ["Spec warnings:", ""] + [f"- ⚠️ `{i.format()}`" for _, i in warnings] + [""]
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
                f"`{s.stack}`",
                f"{VERDICT_ICON[s.verdict]} {s.verdict}",
                usd(s.cost.hourly_usd_at_min),
                usd(s.cost.hourly_usd),
                usd(s.cost.monthly_usd),
                s.accelerators.total,
                len(s.resources),
                "; ".join(notes) or "",
            ]
        )
    header = ["Stack", "Verdict", "$/h at min", "$/h at max", "$/month at max", "Accelerators", "Resources", "Budget"]
    return table(header, rows, "llrrrrrl")


def policy_section(report: PlanReport) -> list[str]:
    rows = []
    for s, v in sorted(report.violations, key=lambda sv: (not sv[1].blocking, sv[1].policy)):
        path = s.locate(v)
        line = s.line_of(path)
        where = f"{s.file}:{line}" if line else s.file
        resource = f"`{v.type}` `{v.name}`" if v.name else "(stack)"
        rows.append(
            [
                LEVEL_ICON.get(v.enforcement_level, v.enforcement_level),
                f"`{v.policy}`",
                resource,
                f"`{where}` {path}",
                v.message,
                v.fix or "",
            ]
        )
    if not rows:
        evaluated = all(s.policies_evaluated for s in report.stacks if s.status == "ok")
        return ["No policy violations." if evaluated else "No verdicts: policies were not evaluated (see above)."]
    return table(["Level", "Policy", "Resource", "Where", "Message", "Fix"], rows)


def cost_section(report: PlanReport) -> list[str]:
    cost = report.cost
    rows = []
    multi = len(report.stacks) > 1
    for line in cost.lines:
        unit = "" if line.unit_price_usd is None else f"{usd(line.unit_price_usd)}/{line.unit}"
        scale = (
            f"{line.units_at_min:g}-{line.units_at_max:g} nodes"
            if line.kind == "gpu-pool"
            else (f"{line.units_at_max:g} chips" if line.kind == "tpu-slice" else "")
        )
        rows.append(
            [
                *([f"`{line.stack}`"] if multi else []),
                f"{line.cluster}/{line.name}",
                line.kind,
                line.sku,
                line.capacity,
                scale,
                unit + ("" if line.priced else " (no price)"),
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
            "",
            "",
            "",
            f"**{usd(cost.hourly_usd_at_min)}**",
            f"**{usd(cost.hourly_usd)}**",
            f"**{usd(cost.monthly_usd)}**",
        ]
    )
    header = [
        *(["Stack"] if multi else []),
        "Item",
        "Kind",
        "SKU",
        "Capacity",
        "Scale",
        "Unit price",
        "$/h at min",
        "$/h at max",
        "$/month at max",
    ]
    out = table(header, rows, ("l" if multi else "") + "llllllrrr")
    out += ["", "<sub>Assumptions:</sub>", ""]
    out += [f"- <sub>{a}</sub>" for a in cost.assumptions()]
    return out


def accelerator_section(report: PlanReport) -> list[str]:
    acc = report.accelerators
    if not acc.counts:
        return ["No accelerators."]
    rows = [[f"`{c.name}`", c.kind, c.at_min, c.at_max] for _, c in sorted(acc.counts.items())]
    rows.append(["**Total**", "", f"**{acc.total_at_min}**", f"**{acc.total}**"])
    return table(["Accelerator", "Kind", "At min", "At max"], rows, "llrr")


#: Rows of the collapsed resource list; GitHub comments stop at 65,536 characters.
MAX_RESOURCE_ROWS = 250


def resources_section(stacks: Sequence[StackPlan]) -> list[str]:
    total = sum(len(s.resources) for s in stacks)
    rows: list[list[object]] = []
    for s in stacks:
        by_urn = {r.urn: r for r in s.resources}
        for r in s.resources:
            parent = by_urn.get(parent_urn(r) or "")
            flags = "protected" if r.protect else ""
            rows.append([f"`{s.stack}`", f"`{r.type}`", f"`{r.name}`", f"`{parent.name}`" if parent else "", flags])
    out = [f"<details><summary>Resources ({total})</summary>", ""]
    out += (
        table(["Stack", "Type", "Name", "Parent", ""], rows[:MAX_RESOURCE_ROWS])
        if rows
        else ["No resources were captured."]
    )
    if len(rows) > MAX_RESOURCE_ROWS:
        out += ["", f"... and {len(rows) - MAX_RESOURCE_ROWS} more: see `aiinfra plan --format json`."]
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
        shape = f"{line.sku} x {line.units_at_max:g}" + (", spot" if line.capacity == "spot" else "") + ", this pool"
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
