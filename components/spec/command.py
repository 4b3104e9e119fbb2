"""``aiinfra validate FILE...``: schema and semantic checks of stack configs or spec files.

Prints every problem with its file, line and spec path; exit 0 when every file is valid
(warnings allowed), 2 when any is invalid.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from components.spec.errors import SpecError, SpecIssue
from components.spec.loader import check_document, read_document
from components.spec.resolved import ResolvedFleet


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
        f"{len(fleet.clusters)} cluster(s) on {clouds}; {pools} GPU pool(s), "
        f"{slices} TPU slice(s), {stores} storage item(s)"
    )


def validate_file(path: str) -> tuple[ResolvedFleet | None, list[SpecIssue]]:
    """Check one file; returns the fleet (None when invalid) and every issue."""
    try:
        doc, source, base, lines = read_document(path)
    except SpecError as err:
        return None, err.issues
    return check_document(doc, source, base, lines)


def run(args: argparse.Namespace) -> int:
    results: list[dict[str, Any]] = []
    invalid = 0
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
        for issue in issues:
            print(issue.format(), file=sys.stderr if fleet is None else sys.stdout)
        if fleet is not None:
            print(f"{path}: valid: {_summary(fleet)}")
        else:
            errors = sum(1 for i in issues if i.severity == "error")
            print(f"{path}: invalid: {errors} error(s)", file=sys.stderr)
    if args.format == "json":
        json.dump({"files": results, "valid": invalid == 0}, sys.stdout, indent=2)
        print()
    return 2 if invalid else 0
