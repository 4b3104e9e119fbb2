"""Render preflight results: a rich text table, or JSON (one object per check)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import IO

from components.preflight.model import STATUSES, CheckResult, CredentialsError

_STYLE = {"ok": "green", "fail": "bold red", "unchecked": "magenta", "skipped": "yellow"}


def summary(results: Sequence[CheckResult]) -> dict[str, int]:
    return {s: sum(1 for r in results if r.status == s) for s in STATUSES}


def to_json(
    file: str, results: Sequence[CheckResult], errors: Sequence[CredentialsError], warnings: Sequence[str] = ()
) -> dict[str, object]:
    return {
        "file": file,
        "ok": not errors and all(r.status not in ("fail", "unchecked") for r in results),
        "summary": summary(results),
        "checks": [r.to_json() for r in results],
        "errors": [{"cloud": e.cloud, "problem": e.problem, "howToFix": e.how_to_fix} for e in errors],
        "warnings": list(warnings),
    }


def write_json(
    out: IO[str],
    file: str,
    results: Sequence[CheckResult],
    errors: Sequence[CredentialsError],
    warnings: Sequence[str] = (),
) -> None:
    json.dump(to_json(file, results, errors, warnings), out, indent=2, default=str)
    out.write("\n")


def write_text(out: IO[str], file: str, results: Sequence[CheckResult]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=out, width=None if out.isatty() else 200, highlight=False)
    table = Table(title=f"aiinfra preflight: {file}", show_lines=False)
    for col in ("cloud", "cluster", "pool", "check", "status", "reason"):
        table.add_column(col, overflow="fold", no_wrap=col != "reason")
    for r in results:
        style = _STYLE[r.status]
        # Text, not markup: reasons may hold brackets (spec paths, IDs).
        table.add_row(
            Text(r.cloud), Text(r.cluster), Text(r.pool or "-"), Text(r.check), Text(r.status, style), Text(r.reason)
        )
    console.print(table)
    counts = summary(results)
    console.print(
        f"{counts['ok']} ok, {counts['fail']} failed, {counts['unchecked']} not checked, {counts['skipped']} skipped"
    )
