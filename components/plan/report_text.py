"""Terminal output of a plan: rich tables for stacks, policy verdicts, cost and accelerators."""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from components.catalog import CLOUDS
from components.plan.engine import PlanReport
from components.plan.report_markdown import (
    EQUIVALENTS_NOTE,
    LEVEL_ICON,
    VERDICT_ICON,
    equivalent_rows,
    usd,
    verdict_text,
)

_STYLE = {
    "pass": "green",
    "advisory": "yellow",
    "fail": "red",
    "not-evaluated": "red",
    "invalid": "red",
    "error": "red",
}


def render(report: PlanReport, out: IO[str], *, color: bool | None = None, width: int | None = None) -> None:
    console = Console(file=out, no_color=color is False, force_terminal=color, width=width or 160)
    v = report.verdict
    cost, acc = report.cost, report.accelerators

    for s in report.stacks:
        if s.status != "ok":
            what = {"invalid": "invalid", "build-error": "cannot be built"}.get(s.status, "internal error")
            console.print(f"[red]{s.file}: {what}[/red]")
            for problem in [i.format() for i in s.issues] + ([s.error] if s.error else []):
                console.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
        elif s.policies_note:
            console.print(f"[yellow]{s.file}: policies {s.policies_note}[/yellow]", highlight=False)
        if s.status == "ok":
            for issue in s.issues:
                console.print(f"[yellow]{escape(issue.format())}[/yellow]", highlight=False, soft_wrap=True)

    stacks = Table(title="Stacks", title_justify="left")
    for col, just in (("stack", "left"), ("verdict", "left"), ("$/h at min", "right"), ("$/h at max", "right")):
        stacks.add_column(col, justify=just)  # type: ignore[arg-type]
    stacks.add_column("$/month at max", justify="right")
    stacks.add_column("accelerators", justify="right")
    stacks.add_column("resources", justify="right")
    for s in report.stacks:
        stacks.add_row(
            s.stack,
            f"[{_STYLE[s.verdict]}]{s.verdict}[/]",
            usd(s.cost.hourly_usd_at_min),
            usd(s.cost.hourly_usd),
            usd(s.cost.monthly_usd),
            str(s.accelerators.total),
            str(len(s.resources)),
        )
    console.print(stacks)

    if report.violations:
        pol = Table(title="Policy verdicts", title_justify="left", show_lines=True)
        for col in ("level", "policy", "resource", "where", "message", "fix"):
            pol.add_column(col, overflow="fold")
        for s, x in sorted(report.violations, key=lambda sv: (not sv[1].blocking, sv[1].policy)):
            path = s.locate(x)
            at = s.line_of(path)
            pol.add_row(
                LEVEL_ICON.get(x.enforcement_level, x.enforcement_level),
                x.policy,
                f"{x.type} {x.name}" if x.name else "(stack)",
                f"{s.file}:{at} {path}" if at else s.file,
                x.message,
                x.fix or "",
            )
        console.print(pol)

    if cost.lines:
        ct = Table(title="Cost (USD)", title_justify="left")
        for col in ("stack", "item", "kind", "sku", "capacity", "unit price"):
            ct.add_column(col, overflow="fold")
        for col in ("$/h at min", "$/h at max", "$/month at max"):
            ct.add_column(col, justify="right")
        for line in cost.lines:
            price = "no price" if line.unit_price_usd is None else f"{usd(line.unit_price_usd)}/{line.unit}"
            ct.add_row(
                line.stack,
                f"{line.cluster}/{line.name}",
                line.kind,
                line.sku,
                line.capacity,
                price,
                usd(line.hourly_usd_at_min),
                usd(line.hourly_usd_at_max),
                usd(line.monthly_usd_at_max),
            )
        ct.add_row(
            "total", "", "", "", "", "", usd(cost.hourly_usd_at_min), usd(cost.hourly_usd), usd(cost.monthly_usd)
        )
        console.print(ct)
        for a in cost.assumptions():
            console.print(f"  [dim]- {a}[/dim]", highlight=False)

    equivalents = equivalent_rows(report)
    if equivalents:
        eq = Table(title="The same GPU pools on other clouds ($/h at max scale)", title_justify="left")
        for col in ("stack", "GPU pool", "accelerators at max", *CLOUDS):
            eq.add_column(col, overflow="fold")
        for line, cells in equivalents:
            e = line.equivalents[0]
            eq.add_row(
                line.stack,
                f"{line.cluster}/{line.name}",
                f"{e.accelerators} x {e.accelerator}",
                *(f"[bold]{escape(cells[c])}[/bold]" if c == line.cloud else escape(cells[c]) for c in CLOUDS),
            )
        console.print(eq)
        console.print(f"  [dim]- {EQUIVALENTS_NOTE}[/dim]", highlight=False)

    if acc.counts:
        accel = Table(title="Accelerators", title_justify="left")
        accel.add_column("accelerator")
        accel.add_column("kind")
        accel.add_column("at min", justify="right")
        accel.add_column("at max", justify="right")
        for name, c in sorted(acc.counts.items()):
            accel.add_row(name, c.kind, str(c.at_min), str(c.at_max))
        accel.add_row("total", "", str(acc.total_at_min), str(acc.total))
        console.print(accel)

    console.print(
        f"[{_STYLE[v]}]{VERDICT_ICON[v]} {verdict_text(report)}[/]: {usd(cost.hourly_usd)}/h at max scale, "
        f"{usd(cost.monthly_usd)}/month, {acc.total} accelerators, {len(report.violations)} violation(s)",
        highlight=False,
    )
