"""``aiinfra size WORKLOAD``: the accelerators, fabric, storage and cost a workload needs.

Reads a workload file (docs/size.md; schema ``components/sizing/workload.schema.json``),
sizes it on every candidate offer and TPU version, and prints the candidates ranked by total
cost and by time with every assumption. Prices come from the price book ``aiinfra plan`` and
the policy pack use: ``--prices FILE`` overlays (repeatable, later files win), else a
``prices`` entry of ``--policy-config``, else the catalog. ``--emit-spec FILE`` writes a fleet
spec for the cheapest candidate (or the one ``--pick`` names) and plans it under the policies of
the workload's environment, priced the same way.

Exit codes (the command contract): 0 sized, including when no offer fits or the emitted spec
breaks a policy (the output says which, and the JSON carries the plan verdict); 2 invalid input.
"""

from __future__ import annotations

import argparse
import json
import sys

FORMATS = ("text", "markdown", "json")
EXIT_OK, EXIT_INVALID = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workload", metavar="WORKLOAD", help="workload file (YAML; see docs/size.md)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument(
        "--emit-spec",
        metavar="FILE",
        help="write a fleet spec for the chosen candidate to FILE (Pulumi.<stack>.yaml: a stack config) and plan it",
    )
    parser.add_argument(
        "--pick",
        metavar="CLOUD/MACHINE",
        help="the candidate to emit, e.g. aws/p5.48xlarge (default: the cheapest)",
    )
    parser.add_argument(
        "--environment",
        choices=("dev", "staging", "prod"),
        help="environment of the emitted spec, whose policies apply (default: the workload's, else prod)",
    )
    parser.add_argument(
        "--policy-config",
        metavar="JSON",
        help="policy pack config: thresholds sizing stays within, and the emitted spec's plan (as aiinfra plan)",
    )
    parser.add_argument(
        "--prices",
        metavar="FILE",
        action="append",
        help="price candidates from this price overlay (aiinfra prices refresh --out, discounts), as aiinfra plan "
        "--prices; repeatable, later files win. Default: a prices entry of --policy-config, else catalog prices",
    )


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace
    from pathlib import Path

    from components.catalog import get_catalog
    from components.plan.command import load_policy_config
    from components.prices import sources as price_sources
    from components.prices.book import PriceBook
    from components.prices.overlay import OverlayError, load_overlay
    from components.sizing import report
    from components.sizing.candidates import size_workload
    from components.sizing.emit import EmitResult, emit_and_plan
    from components.sizing.workload import load_workload
    from components.spec.command import print_invalid
    from components.spec.errors import SpecError

    try:
        workload = load_workload(args.workload)
    except SpecError as err:
        print_invalid(args.workload, err.issues)
        return EXIT_INVALID
    try:
        policy_config = load_policy_config(args.policy_config)
    except ValueError as exc:
        print(f"aiinfra size: {exc}", file=sys.stderr)
        return EXIT_INVALID
    try:
        overlays = [load_overlay(f) for f in args.prices or []]
        # no --prices: the policy config's own prices, as the plan (and the pack) would read them
        book_overlays, _named_in = price_sources.for_plan(overlays, policy_config, {}, Path.cwd())
    except OverlayError as exc:
        print(f"aiinfra size: --prices: {exc}", file=sys.stderr)
        return EXIT_INVALID
    if args.environment:
        workload = replace(workload, environment=args.environment)

    sizing = size_workload(workload, PriceBook(get_catalog(), book_overlays), policy_config)
    emitted: EmitResult | None = None
    code = EXIT_OK
    if args.emit_spec:
        chosen = sizing.candidates[0] if sizing.candidates else None
        if args.pick:
            matches = [c for c in sizing.candidates if args.pick.lower() in c.pick_keys]
            if not matches:
                options = ", ".join(c.pick_keys[0] for c in sizing.candidates[:8])
                print(f"aiinfra size: --pick {args.pick}: not a candidate (candidates: {options})", file=sys.stderr)
                return EXIT_INVALID
            chosen = matches[0]
        if chosen is None:
            print("aiinfra size: no candidate to emit a spec for (see the reasons below)", file=sys.stderr)
        else:
            emitted = emit_and_plan(workload, chosen, args.emit_spec, policy_config, overlays)

    if args.format == "json":
        sys.stdout.write(json.dumps(report.to_json(sizing, emitted), indent=2, default=str) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(report.render_markdown(sizing, emitted))
    else:
        from components.terminal import terminal_width

        sys.stdout.write(report.render_text(sizing, emitted, width=terminal_width()))
    return code
