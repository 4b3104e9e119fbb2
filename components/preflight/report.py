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


def write_text(out: IO[str], file: str, results: Sequence[CheckResult], width: int | None = None) -> None:
    """A block per pool (``aws train/p5``), a line per check under it (check, status, reason), the
    reason wrapped at spaces to the terminal's ``width`` (80 and up) in its own column: a table of
    cloud, cluster, pool, check, status and reason left the reason a fifth of an 80-column line.
    The status is coloured on a terminal."""
    from rich.console import Console
    from rich.text import Text

    from components.terminal import terminal_width, wrap

    width = width or terminal_width()
    console = Console(file=out, width=width, highlight=False)
    console.print(Text(wrap(f"aiinfra preflight: {file}", width, indent="    ", first="", keep=[file])), soft_wrap=True)
    check_w = max((len(r.check) for r in results), default=0)
    status_w = max((len(r.status) for r in results), default=0)
    hang = " " * (2 + check_w + 2 + status_w + 2)
    heading = None
    for r in results:
        where = f"{r.cloud} {r.cluster}" + (f"/{r.pool}" if r.pool else "")
        if where != heading:
            heading = where
            console.print(Text(where, style="bold"), soft_wrap=True)
        first = f"  {r.check:<{check_w}}  {r.status:<{status_w}}  "
        line = Text(wrap(r.reason, width, indent=hang, first=first))
        # Text, not markup: reasons may hold brackets (spec paths, IDs).
        line.stylize(_STYLE[r.status], len(first) - status_w - 2, len(first) - 2)
        console.print(line, soft_wrap=True)
    counts = summary(results)
    console.print(
        f"{counts['ok']} ok, {counts['fail']} failed, {counts['unchecked']} not checked, {counts['skipped']} skipped",
        soft_wrap=True,
    )
