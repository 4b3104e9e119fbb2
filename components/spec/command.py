"""``aiinfra validate FILE...``: schema and semantic checks of stack configs or spec files.

Prints every problem with its file, line and spec path; exit 0 when every file is valid
(warnings allowed), 2 when any is invalid. Text fits ``$COLUMNS`` (80 and up), wrapped at spaces.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from components.spec.errors import SpecError, SpecIssue
from components.spec.loader import check_document, read_document
from components.spec.resolved import ResolvedFleet
from components.terminal import counted, say, terminal_width


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="stack config (stacks/Pulumi.<stack>.yaml) or bare spec file"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")


def _summary(fleet: ResolvedFleet) -> str:
    pools = sum(len(c.pools) for c in fleet.clusters)
    slices = sum(len(c.slices) for c in fleet.clusters)
    stores = sum(len(c.storage) for c in fleet.clusters)
    clouds = ", ".join(sorted({c.cloud for c in fleet.clusters}))
    return (
        f"{counted(len(fleet.clusters), 'cluster')} on {clouds}; {counted(pools, 'GPU pool')}, "
        f"{counted(slices, 'TPU slice')}, {counted(stores, 'storage item')}"
    )


def validate_file(path: str) -> tuple[ResolvedFleet | None, list[SpecIssue]]:
    """Check one file; returns the fleet (None when invalid) and every issue."""
    try:
        doc, source, base, lines = read_document(path)
    except SpecError as err:
        return None, err.issues
    return check_document(doc, source, base, lines)


def print_issues(issues: Iterable[SpecIssue], stream: TextIO, width: int | None = None) -> None:
    """Every issue as ``aiinfra validate`` prints it, wrapped to ``width`` (default: the terminal's)."""
    width = width or terminal_width()
    for issue in issues:
        print(issue.format(width), file=stream)


def print_invalid(file: str, issues: Sequence[SpecIssue], then: str = "", stream: TextIO | None = None) -> None:
    """An invalid file's issues and its ``FILE: invalid: N errors`` line (``then`` appended),
    on stderr, as every command that reads a spec prints them."""
    out = stream or sys.stderr
    width = terminal_width()
    print_issues(issues, out, width)
    errors = sum(1 for i in issues if i.severity == "error")
    say(f"{file}: invalid: {counted(errors, 'error')}{then}", out, width=width, keep=[file])


def run(args: argparse.Namespace) -> int:
    results: list[dict[str, Any]] = []
    invalid = 0
    width = terminal_width()
    for path in args.files:
        fleet, issues = validate_file(path)
        if fleet is None:
            invalid += 1
        if args.format == "json":
            results.append(
                {
                    "file": path,
                    "valid": fleet is not None,
                    "summary": _summary(fleet) if fleet else None,
                    "issues": [i.to_json() for i in issues],
                }
            )
            continue
        if fleet is not None:
            print_issues(issues, sys.stdout, width)
            say(f"{path}: valid: {_summary(fleet)}", width=width, keep=[path])
        else:
            print_invalid(path, issues)
    if args.format == "json":
        json.dump({"files": results, "valid": invalid == 0}, sys.stdout, indent=2)
        print()
    return 2 if invalid else 0
