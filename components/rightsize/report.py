"""``aiinfra rightsize`` output: per-pool use, then proposals with evidence and savings."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from rich.console import Console

from components.plan.report_markdown import table, usd
from components.rightsize.analysis import PoolUsage, Proposal
from components.terminal import counted, fit, fits, wrap
from components.terminal import table as text_table

USAGE_HEADER = [
    "pool",
    "nodes min/max",
    "peak",
    "p95",
    "mean",
    "mean util",
    "engine active",
    "idle accel-h",
    "peak mem",
    "I/O wait",
]
PROPOSAL_HEADER = ["pool", "change", "from", "to", "saving / month", "evidence", "saving counted as", "priced by"]
#: What priced the savings when the caller does not say (no overlays).
CATALOG_PRICES = "catalog list prices"


def _pct(v: float | None, scale: float = 1.0) -> str:
    return "-" if v is None else f"{v * scale:.0f}%"


def usage_row(u: PoolUsage) -> list[str]:
    spec = u.pool.spec
    if not u.has_data:
        return [u.name, f"{spec.min_nodes}/{spec.max_nodes}", "no data", "", "", "", "", "", "", ""]
    return [
        u.name,
        f"{spec.min_nodes}/{spec.max_nodes}",
        str(u.peak_nodes),
        f"{u.p95_nodes:g}",
        f"{u.mean_nodes:.2f}",
        _pct(u.mean_util_percent),
        _pct(u.engine_active, 100.0),
        f"{u.idle_accelerator_hours:,.0f}",
        "-" if u.peak_memory_gib is None else f"{u.peak_memory_gib:,.1f} GiB",
        _pct(u.io_wait_share, 100.0),
    ]


def _saving(usd_month: float) -> str:
    """``saves $1,234`` or, for a change that costs money (faster storage), ``costs $4,680``."""
    return f"saves {usd(usd_month)}" if usd_month >= 0 else f"costs {usd(-usd_month)}"


def priced_by(p: Proposal) -> str:
    """The snapshot, source and date of every price the saving rests on (as the plan's cost lines)."""
    return " ".join(price.note for price in p.prices)


def proposal_row(p: Proposal) -> list[str]:
    return [
        p.usage.name,
        p.field,
        str(p.current),
        str(p.proposed),
        usd(p.monthly_saving_usd),
        p.evidence,
        p.basis,
        priced_by(p),
    ]


def _no_data(usages: Sequence[PoolUsage]) -> list[str]:
    return [
        f"{u.name}: no data in the window (no DCGM_FI_DEV_GPU_UTIL series with aiinfra_cluster="
        f'"{u.cluster.name}", aiinfra_pool="{u.pool.name}"); nothing proposed. Is the DCGM exporter running on the '
        "pool's nodes with the aiinfra labels?"
        for u in usages
        if not u.has_data
    ]


def savings(proposals: Sequence[Proposal]) -> tuple[float, float]:
    """(at observed use, at max scale) per month: maxNodes lowers the cost at max scale (what
    budgets and the policies count); the others lower what the observed use costs."""
    at_max = sum(p.monthly_saving_usd for p in proposals if p.field == "maxNodes")
    return sum(p.monthly_saving_usd for p in proposals) - at_max, at_max


def headline(
    file: str, window: str, usages: Sequence[PoolUsage], proposals: Sequence[Proposal], prices: str = CATALOG_PRICES
) -> str:
    used, at_max = savings(proposals)
    return (
        f"{file}: {counted(len(usages), 'GPU pool')} over the last {window}: "
        f"{counted(len(proposals), 'proposal')}; saves "
        f"{usd(used)}/month at the observed use, and {usd(at_max)}/month of cost at max scale; priced from "
        f"{prices}"
    )


def _usage_block(row: list[str]) -> str:
    """One pool's use as ``pool: nodes 0/2, peak 2, ...`` (for a terminal too narrow for the table)."""
    pool, *rest = row
    pairs = [f"{h} {v}" for h, v in zip(USAGE_HEADER[1:], rest, strict=True) if v]
    return f"{pool}: " + ", ".join(pairs).replace("nodes min/max", "nodes")


def render_text(
    file: str,
    window: str,
    usages: Sequence[PoolUsage],
    proposals: Sequence[Proposal],
    written: str | None,
    prices: str = CATALOG_PRICES,
    *,
    width: int = 220,
) -> str:
    """The report for a terminal ``width`` wide (the command passes ``$COLUMNS``, 80 and up): lines
    wrap at spaces, and the use table becomes a line per pool where it does not fit."""
    buf = io.StringIO()
    console = Console(file=buf, no_color=True, width=width, highlight=False)

    def say(text: str, first: str = "", indent: str = "  ") -> None:
        console.print(wrap(text, width, indent=indent, first=first, keep=[file]), markup=False, soft_wrap=True)

    say(headline(file, window, usages, proposals, prices))
    rows = [usage_row(u) for u in usages]
    if fits(USAGE_HEADER, rows, width):
        t = text_table("Observed use")
        for col in USAGE_HEADER:
            t.add_column(col, justify="left" if col == "pool" else "right")
        console.print(fit(t, rows, width))
    else:
        console.print("Observed use")
        for row in rows:
            say(_usage_block(row), "  ", "    ")
    for line in _no_data(usages):
        say(line)
    if proposals:
        console.print("Proposals:")
        for p in proposals:
            say(
                f"- {p.path}: {p.current} -> {p.proposed}; {_saving(p.monthly_saving_usd)}/month "
                f"({p.basis}). Evidence: {p.evidence}. Priced by: {priced_by(p)}",
                "  ",
                "    ",
            )
    else:
        console.print("No proposals: every pool with data is sized to what it used.")
    if written:
        say(written)
    return buf.getvalue()


def render_markdown(
    file: str,
    window: str,
    usages: Sequence[PoolUsage],
    proposals: Sequence[Proposal],
    written: str | None,
    prices: str = CATALOG_PRICES,
) -> str:
    out = [f"## aiinfra rightsize: {file}", "", headline(file, window, usages, proposals, prices), ""]
    out += ["### Observed use", ""]
    out += table(USAGE_HEADER, [usage_row(u) for u in usages], "lrrrrrrrrr")
    notes = _no_data(usages)
    if notes:
        out += ["", *[f"> {n}" for n in notes]]
    out += ["", "### Proposals", ""]
    if proposals:
        out += table(PROPOSAL_HEADER, [proposal_row(p) for p in proposals], "llllrlll")
    else:
        out.append("No proposals: every pool with data is sized to what it used.")
    if written:
        out += ["", written]
    return "\n".join(out) + "\n"


def to_json(
    file: str,
    window: str,
    usages: Sequence[PoolUsage],
    proposals: Sequence[Proposal],
    written: str | None,
    prices: str = CATALOG_PRICES,
) -> dict[str, Any]:
    return {
        "file": file,
        "window": window,
        "prices": prices,
        "pools": [u.to_json() for u in usages],
        "proposals": [p.to_json() for p in proposals],
        "monthlySavingUsd": {
            "observedUse": round(savings(proposals)[0], 2),
            "maxScale": round(savings(proposals)[1], 2),
        },
        "written": written,
    }
