"""Terminal output of a plan: stacks, policy verdicts, cost and accelerators, fitted to the terminal.

Everything fits ``$COLUMNS`` (80 and up; the terminal's width, else 100 for a pipe) and wraps
only at spaces: a resource name, machine type or spec path is never broken. Violations are
blocks (level, policy, spec path and line; then the message; then the fix), since a table
of five wrapped columns does not fit 80 characters; the cost table puts an item's SKU, scale
and capacity in one cell that wraps at spaces.
"""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.markup import escape

from components.catalog import CLOUDS
from components.plan.engine import PlanReport, StackPlan, place
from components.plan.policies import PolicyVerdict
from components.plan.report_markdown import (
    EQUIVALENTS_NOTE,
    LEVEL_ICON,
    VERDICT_ICON,
    equivalent_rows,
    none_planned,
    stack_figures,
    unplanned_note,
    usd,
    verdict_text,
)
from components.terminal import counted, fit, table, terminal_width, wrap

_STYLE = {
    "pass": "green",
    "advisory": "yellow",
    "fail": "red",
    "not-evaluated": "red",
    "invalid": "red",
    "error": "red",
}
#: A note under a table: a bullet, its lines after the first hung under its text.
BULLET, BULLET_INDENT = "    - ", "      "


def violation_head(s: StackPlan, x: PolicyVerdict, *, label: bool = False) -> str:
    """``pool-max-nodes  clusters[0].gpuPools[0]  stack.yaml:9  (gcp:container/nodePool:NodePool
    fleet-dev-l4-pool)``: a violation's policy, spec path, file and line, and resource; ``label``
    adds the item's name after the path (``clusters[0].gpuPools[0] (dev/l4)``)."""
    path = s.locate(x)
    at = s.violation_line(x, path)
    where = f"{s.file}:{at}" if at else s.file
    resource = f"({x.type} {x.name})" if x.name else "(the stack)"
    item = s.item_label(path) if label else ""
    return f"{x.policy}  {place(path, x)}{f' ({item})' if item else ''}  {where}  {resource}"


def render(report: PlanReport, out: IO[str], *, color: bool | None = None, width: int | None = None) -> None:
    width = width or terminal_width()
    console = Console(file=out, no_color=color is False, force_terminal=color, width=width, highlight=False)
    v = report.verdict
    cost, acc = report.cost, report.accelerators

    def say(
        text: str, style: str | None = None, indent: str = "", keep: tuple[str, ...] = (), first: str | None = None
    ) -> None:
        wrapped = escape(wrap(text, width, indent, first=first, keep=keep))
        console.print(f"[{style}]{wrapped}[/]" if style else wrapped, soft_wrap=True)

    def diagnostic(text: str, style: str | None = None, indent: str = "") -> None:
        # spec problems as `aiinfra validate` prints them (SpecIssue.format: file:line: error:
        # path: on the first line, for editors and grep), already wrapped
        text = "\n".join(indent + line for line in text.splitlines())
        console.print(f"[{style}]{escape(text)}[/]" if style else escape(text), soft_wrap=True)

    for s in report.stacks:
        if s.status != "ok":
            what = {"invalid": "invalid", "build-error": "cannot be built"}.get(s.status, "internal error")
            say(f"{s.file}: {what}", "red", keep=(s.file,))
            for issue in s.issues:
                diagnostic(issue.format(width - 2), indent="  ")
            if s.error:
                diagnostic(wrap(s.error, width - 2, "    ", first=""), indent="  ")
        elif s.policies_note:
            say(f"{s.file}: policies {s.policies_note}", "yellow", keep=(s.file,))
        if s.status == "ok":
            for issue in s.issues:
                diagnostic(issue.format(width), "yellow")

    stacks = table("Stacks")
    stacks.add_column("stack")
    stacks.add_column("verdict")
    for col in ("$/h at min", "$/h at max", "$/month", "accelerators", "resources"):
        stacks.add_column(col, justify="right")
    rows = [
        [
            s.stack,
            s.verdict,
            *stack_figures(s),
            str(len(s.resources)),
        ]
        for s in report.stacks
    ]
    fit(stacks, rows, width)
    console.print(stacks)

    if report.violations:
        console.print("Policy verdicts", style="italic")
        for s, x in sorted(report.violations, key=lambda sv: (not sv[1].blocking, sv[1].policy)):
            level = LEVEL_ICON.get(x.enforcement_level, x.enforcement_level)
            say(f"{level}  {violation_head(s, x)}", "red" if x.blocking else "yellow", keep=(s.file,))
            say(x.message, indent="    ")
            if x.fix:
                say(f"fix: {x.fix}", "bold", indent="    ")
        console.print()

    if cost.lines:
        multi = len(report.stacks) > 1
        ct = table("Cost (USD)")
        items = [(f"{line.stack} " if multi else "") + f"{line.cluster}/{line.name}" for line in cost.lines]
        whats = []
        for line in cost.lines:
            price = "no price" if line.unit_price_usd is None else f"{usd(line.unit_price_usd)}/{line.unit}"
            whats.append(f"{line.scaled_sku}, {line.capacity_text}, {price}")
        ct.add_column("item")
        ct.add_column("what")
        for col in ("$/h at min", "$/h at max", "$/month"):
            ct.add_column(col, justify="right")
        rows = [
            [item, what, usd(line.hourly_usd_at_min), usd(line.hourly_usd_at_max), usd(line.monthly_usd_at_max)]
            for line, item, what in zip(cost.lines, items, whats, strict=True)
        ]
        rows.append(["total", "", usd(cost.hourly_usd_at_min), usd(cost.hourly_usd), usd(cost.monthly_usd)])
        fit(ct, [[escape(c) for c in r] for r in rows], width)
        console.print(ct)
        for a in cost.assumptions():
            say(a, "dim", indent=BULLET_INDENT, first=BULLET)

    equivalents = equivalent_rows(report)
    if equivalents:
        # A row per pool and cloud: a column per cloud (as in Markdown) does not fit 80 characters
        # without breaking machine types such as Standard_ND96isr_H100_v5.
        multi = len(report.stacks) > 1
        eq = table("The same GPU pools on other clouds")
        for col in ("GPU pool", "cloud", "$/h at max scale"):
            eq.add_column(col)
        rows = []
        for line, cells in equivalents:
            e = line.equivalents[0]
            # the pool's stack, name and accelerators down the first cells of its rows (3 clouds, 3 rows)
            pool = [line.stack] if multi else []
            pool += [f"{line.cluster}/{line.name}", f"{e.accelerators} x {e.accelerator}"]
            rows += [[pool[i] if i < len(pool) else "", c, cells[c]] for i, c in enumerate(CLOUDS)]
        fit(eq, [[escape(cell) for cell in r] for r in rows], width)
        console.print(eq)
        say(EQUIVALENTS_NOTE, "dim", indent=BULLET_INDENT, first=BULLET)

    if acc.counts:
        accel = table("Accelerators")
        accel.add_column("accelerator")
        accel.add_column("kind")
        accel.add_column("at min", justify="right")
        accel.add_column("at max", justify="right")
        rows = [[name, c.kind, str(c.at_min), str(c.at_max)] for name, c in sorted(acc.counts.items())]
        rows.append(["total", "", str(acc.total_at_min), str(acc.total)])
        console.print(fit(accel, rows, width))

    note = unplanned_note(report)
    if none_planned(report):
        say(f"{VERDICT_ICON[v]} {verdict_text(report)}: {note}; fix the errors above", _STYLE[v])
        return
    say(
        f"{VERDICT_ICON[v]} {verdict_text(report)}: {usd(cost.hourly_usd)}/h at max scale, "
        f"{usd(cost.monthly_usd)}/month, {acc.total} accelerators, {counted(len(report.violations), 'violation')}"
        + (f"; {note}" if note else ""),
        _STYLE[v],
    )
