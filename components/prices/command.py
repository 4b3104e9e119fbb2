"""``aiinfra prices``: refresh prices from the clouds' APIs; refresh the shipped catalog.

``aiinfra prices refresh --cloud azure|aws|gcp [--region R ...] [--endpoint URL] [--out FILE]``
fetches the on-demand and spot price of every catalog offer (TPU versions on GCP, block
storage on AWS and GCP) from the cloud's own price API into a dated price overlay. Exit 0
every offer priced; 1 some offers' on-demand prices not found (listed; spot prices missing
are listed too but expected for some offers); 2 bad input or an API error.

``aiinfra prices update-catalog OVERLAY [--write]`` (maintainers) shows, as a diff for
review, what the overlay changes in ``components/catalog/data``; ``--write`` applies it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from components.catalog import CLOUDS
from components.terminal import counted, say

if TYPE_CHECKING:
    from components.prices.overlay import Overlay

EXIT_OK, EXIT_MISSING, EXIT_INVALID = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="prices_command", metavar="SUBCOMMAND", required=True)
    r = sub.add_parser(
        "refresh",
        help="fetch current on-demand and spot prices from a cloud's price API into a dated overlay",
        description="Fetch the on-demand and spot price of every catalog offer from the cloud's own price API "
        "(Azure Retail Prices, AWS Price List Query + EC2 spot price history, GCP Cloud Billing Catalog) into "
        "a price overlay. Exit 0 all found, 1 some on-demand prices not found, 2 bad input or API error.",
    )
    r.add_argument("--cloud", required=True, choices=list(CLOUDS), help="which cloud's price API to read")
    r.add_argument(
        "--region",
        action="extend",
        nargs="+",
        metavar="R",
        help="regions to price (repeatable; default: the region each catalog price is quoted in)",
    )
    r.add_argument("--endpoint", metavar="URL", help="base URL of the price API (a mirror, a proxy, a test server)")
    r.add_argument("--out", metavar="FILE", help="write the overlay to FILE (default: stdout)")
    u = sub.add_parser(
        "update-catalog",
        help="maintainers: apply a price overlay to the shipped catalog, shown as a diff for review",
        description="Show what OVERLAY changes in components/catalog/data (old -> new per price, and the "
        "unified diff); --write applies it. Only rows for the region each catalog price is quoted in apply.",
    )
    u.add_argument("overlay", metavar="OVERLAY", help="a price overlay file (aiinfra prices refresh --out)")
    u.add_argument("--write", action="store_true", help="write the changed data files (default: show only)")


def _refresh(args: argparse.Namespace) -> int:
    from components.prices.http import PriceApiError
    from components.prices.refresh import RefreshInputError, refresh

    try:
        overlay, result = refresh(args.cloud, args.region, args.endpoint)
    except RefreshInputError as exc:
        say(f"aiinfra prices refresh: {exc}", sys.stderr)
        return EXIT_INVALID
    except PriceApiError as exc:
        say(f"aiinfra prices refresh: {exc}", sys.stderr)
        return EXIT_INVALID
    text = overlay.dumps()
    if args.out:
        try:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            say(f"aiinfra prices refresh: --out: cannot write {args.out}: {exc.strerror or exc}", sys.stderr)
            return EXIT_INVALID
    else:
        sys.stdout.write(text)
    for note in result.notes:
        say(f"  {note}", sys.stderr, indent="      ")
    offers = len({(r.kind, r.offer) for r in overlay.prices})
    say(
        f"aiinfra prices refresh: {args.cloud}: {counted(len(overlay.prices), 'price')} for "
        f"{counted(offers, 'catalog item')}" + (f"; wrote {args.out}" if args.out else ""),
        sys.stderr,
    )
    for m in overlay.missing:
        say(f"  missing: {m.kind} {m.offer} {m.capacity} in {m.region}: {m.reason}", sys.stderr, indent="      ")
    for warning in _implausible(overlay):
        say(f"  check: {warning}", sys.stderr, indent="      ")
    on_demand_missing = [m for m in overlay.missing if m.capacity == "on-demand"]
    if on_demand_missing:
        say(
            f"aiinfra prices refresh: {counted(len(on_demand_missing), 'on-demand price')} not found; "
            "those offers keep their catalog prices",
            sys.stderr,
        )
        return EXIT_MISSING
    return EXIT_OK


def _implausible(overlay: Overlay) -> list[str]:
    """Spot prices out of the catalog check's band (reported, still written: a human decides)."""
    from components.catalog.checks import spot_ratio_problem

    by_key = {(r.kind, r.offer, r.region, r.capacity): r for r in overlay.prices}
    out = []
    for (kind, offer, region, capacity), row in sorted(by_key.items()):
        od = by_key.get((kind, offer, region, "on-demand"))
        if capacity == "spot" and od is not None:
            problem = spot_ratio_problem(od.price_usd, row.price_usd, row.unit.split("-")[-1])
            if problem:
                out.append(f"{offer} in {region}: {problem}")
    return out


def _update_catalog(args: argparse.Namespace) -> int:
    from components.prices import catalog_update
    from components.prices.overlay import OverlayError, load_overlay

    try:
        overlay = load_overlay(args.overlay)
    except OverlayError as exc:
        say(f"aiinfra prices update-catalog: {exc}", sys.stderr)
        return EXIT_INVALID
    files, changes, skipped = catalog_update.plan_changes(overlay)
    # The summary, as comments above the diff, wrapped to the terminal; the diff's lines are the
    # data files' own and stay as they are.
    say(
        f"# {counted(len(changes), 'catalog price')} {'changes' if len(changes) == 1 else 'change'} ({overlay.name})",
        indent="#   ",
    )
    for c in changes:
        say(f"#   {c.describe()}", indent="#       ")
    for s in skipped:
        say(f"#   skipped: {s}", indent="#       ")
    diff = catalog_update.unified_diff(files)
    if diff:
        print(diff, end="")
    if args.write and files:
        catalog_update.write(files)
        say(f"aiinfra prices update-catalog: wrote {', '.join(sorted(files))}", sys.stderr)
    elif files:
        say("aiinfra prices update-catalog: not written (add --write to apply)", sys.stderr)
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    if args.prices_command == "refresh":
        return _refresh(args)
    return _update_catalog(args)
