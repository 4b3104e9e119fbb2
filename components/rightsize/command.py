"""``aiinfra rightsize FILE --prometheus URL``: spec changes from observed GPU use, with savings.

Reads GPU utilisation and node counts per pool from a Prometheus-compatible HTTP API (GKE
Managed Prometheus, Azure Monitor managed Prometheus, Amazon Managed Prometheus or your own),
using the label contract of docs/rightsize.md, and proposes changes in spec terms with their
evidence and monthly saving. Savings are priced by the same price book as ``aiinfra plan``
(``--prices`` overlays, else a ``prices`` entry of ``--policy-config``, else the stack setting
``aiinfra:prices``, else catalog list prices), and each names the snapshot behind its prices.
``--write`` edits FILE in place, keeping comments and order.

Exit codes: 0 read and proposed (proposals or none); 1 no pool of the spec has data in the
window; 2 invalid input, an unreachable or failing API, or missing credentials.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from components.rightsize.auth import AUTH_KINDS
from components.terminal import counted

if TYPE_CHECKING:
    from components.prices.book import PriceBook

FORMATS = ("text", "markdown", "json")
EXIT_OK, EXIT_NO_DATA, EXIT_INVALID = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="stack config (stacks/Pulumi.<stack>.yaml) or bare spec file")
    parser.add_argument(
        "--prometheus",
        metavar="URL",
        required=True,
        help="Prometheus HTTP API base URL (the part before /api/v1), e.g. http://127.0.0.1:9090",
    )
    parser.add_argument("--window", default="14d", help="how far back to look: 14d, 36h, 2w (default: 14d)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--write", action="store_true", help="apply the proposals to FILE in place (keeps comments)")
    parser.add_argument(
        "--auth",
        choices=AUTH_KINDS,
        default="none",
        help="none, bearer (AIINFRA_PROMETHEUS_TOKEN), google (ADC), azure (DefaultAzureCredential) or sigv4 "
        "(AWS credential chain) (default: none)",
    )
    parser.add_argument("--aws-region", metavar="REGION", help="region for --auth sigv4 (default: AWS_REGION)")
    parser.add_argument(
        "--prices",
        metavar="FILE",
        action="append",
        help="price the savings from this price overlay (aiinfra prices refresh --out, discounts), as aiinfra plan "
        "--prices; repeatable, later files win. Default: a prices entry of --policy-config, else the stack setting "
        "aiinfra:prices, else catalog prices",
    )
    parser.add_argument(
        "--policy-config",
        metavar="JSON",
        help="policy pack config (inline JSON or a file), as aiinfra plan: its prices entry prices the savings",
    )


def _price_book(args: argparse.Namespace) -> tuple[PriceBook, str]:
    """The book ``aiinfra plan`` would price FILE with (``--prices``, else the policy config's
    ``prices``, else the stack setting ``aiinfra:prices``) and what priced it; ValueError with
    the option at fault."""
    from components.plan.command import load_policy_config
    from components.plan.engine import find_project, stack_config, stack_price_book
    from components.prices.overlay import OverlayError, load_overlay

    policy_config = load_policy_config(args.policy_config)
    try:
        cli = [load_overlay(f) for f in args.prices or []]
    except OverlayError as exc:
        raise ValueError(f"--prices: {exc}") from None
    path = Path(args.file)
    _stack, config = stack_config(path, find_project(path)[1])
    try:
        book, _overlays, prices = stack_price_book(path, config, cli, policy_config)
    except OverlayError as exc:
        raise ValueError(f"prices: {exc}") from None
    return book, prices


def run(args: argparse.Namespace) -> int:
    from components.rightsize import report
    from components.rightsize.analysis import align, propose, usage_for
    from components.rightsize.auth import AuthError, make_auth
    from components.rightsize.edit import EditError, write_edits
    from components.rightsize.prometheus import Prometheus, PrometheusError, parse_duration, step_for
    from components.spec.command import print_invalid, validate_file

    fleet, issues = validate_file(args.file)
    if fleet is None:
        print_invalid(args.file, issues)
        return EXIT_INVALID
    try:
        window_s = parse_duration(args.window)
    except ValueError as exc:
        print(f"aiinfra rightsize: --window: {exc}", file=sys.stderr)
        return EXIT_INVALID
    try:
        book, prices = _price_book(args)
    except ValueError as exc:
        print(f"aiinfra rightsize: {exc}", file=sys.stderr)
        return EXIT_INVALID
    try:
        prom = Prometheus(args.prometheus, make_auth(args.auth, aws_region=args.aws_region))
        step = step_for(window_s)
        start, end = align(time.time(), window_s, step)
        usages = usage_for(fleet, prom, start, end, step)
    except (AuthError, PrometheusError) as exc:
        print(f"aiinfra rightsize: {exc}", file=sys.stderr)
        return EXIT_INVALID
    if not usages:
        print(f"aiinfra rightsize: {args.file} has no GPU pools to right-size", file=sys.stderr)
        return EXIT_NO_DATA
    proposals = propose(usages, book)

    written = None
    if args.write and proposals:
        edits: dict[str, object] = {}
        for p in proposals:
            edits.update(p.edits)
        try:
            write_edits(args.file, edits)
        except EditError as exc:
            print(f"aiinfra rightsize: --write: {exc}", file=sys.stderr)
            return EXIT_INVALID
        _fleet, after = validate_file(args.file)
        errors = [i for i in after if i.severity == "error"]
        written = f"wrote {counted(len(edits), 'change')} to {args.file}" + (
            "" if not errors else f"; it no longer validates: {errors[0].format()}"
        )

    if args.format == "json":
        doc = report.to_json(args.file, args.window, usages, proposals, written, prices)
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(report.render_markdown(args.file, args.window, usages, proposals, written, prices))
    else:
        from components.terminal import terminal_width

        width = terminal_width()
        sys.stdout.write(report.render_text(args.file, args.window, usages, proposals, written, prices, width=width))
    return EXIT_OK if any(u.has_data for u in usages) else EXIT_NO_DATA
