"""``aiinfra plan FILE...``: offline preview of stacks: resources, policy verdicts, cost, accelerators.

Runs the real Pulumi program on Pulumi's mock engine with each stack's config (no cloud
credentials, no Pulumi CLI), sends the captured resources to the policy pack, prices the
fleet from the catalog and renders text, Markdown (a pull-request comment), JSON or SARIF.
FILE is a stack config (stacks/Pulumi.<stack>.yaml), a bare fleet spec, or a directory of
stack configs.

Exit codes: 0 pass or advisory only; 1 a mandatory violation, or the policies could not be
evaluated (the plan fails closed; --skip-policies plans cost only); 2 invalid input or a
stack that cannot be built; 3 an internal error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FORMATS = ("text", "markdown", "json", "sarif")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="stack config (stacks/Pulumi.<stack>.yaml), bare spec file, or a directory of stack configs",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--out", metavar="PATH", help="write the report to PATH instead of stdout")
    parser.add_argument(
        "--policy-config",
        metavar="JSON",
        help="policy pack config: inline JSON or a JSON file, as `pulumi preview --policy-pack-config` takes",
    )
    parser.add_argument(
        "--prices",
        action="append",
        metavar="FILE",
        help="price the plan (and the policy pack) from this price overlay (aiinfra prices refresh --out, "
        "discounts); repeatable, later files win. Default: the stack setting aiinfra:prices, else catalog prices",
    )
    parser.add_argument(
        "--sarif-out", metavar="PATH", help="also write the violations as SARIF 2.1.0 to PATH (for code scanning)"
    )
    parser.add_argument("--json-out", metavar="PATH", help="also write the JSON plan to PATH")
    parser.add_argument(
        "--skip-policies",
        action="store_true",
        help="do not evaluate the policy pack (cost and resources only; the report says so)",
    )
    parser.add_argument(
        "--program",
        metavar="PATH",
        help="the Pulumi program to run (default: __main__.py of the project holding each stack file)",
    )


def load_policy_config(value: str | None, flag: str = "--policy-config") -> Mapping[str, Any]:
    """Parse --policy-config (inline JSON or a file); raises ValueError with a readable message
    that names ``flag``."""
    if not value:
        return {}
    text = value
    if not value.lstrip().startswith("{"):
        try:
            text = Path(value).read_text("utf-8")
        except OSError as exc:
            raise ValueError(f"{flag}: cannot read {value}: {exc.strerror}") from None
    return parse_policy_config(text, flag)


def parse_policy_config(text: str, flag: str = "--policy-config") -> Mapping[str, Any]:
    """A policy config's JSON text as a mapping; ValueError naming ``flag`` when it is not one."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{flag}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{flag}: must be a JSON object mapping policy names to their config")
    return doc


def render(report: Any, fmt: str, *, color: bool | None = None) -> str:
    """The report in one format, as text."""
    if fmt == "json":
        return json.dumps(report.to_json(), indent=2, sort_keys=True, default=str) + "\n"
    if fmt == "sarif":
        from components.plan import report_sarif

        return json.dumps(report_sarif.render(report), indent=2) + "\n"
    if fmt == "markdown":
        from components.plan import report_markdown

        return report_markdown.render(report)
    import io

    from components.plan import report_text

    buf = io.StringIO()
    report_text.render(report, buf, color=color)
    return buf.getvalue()


def _write(path: str, text: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text, encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    from components.plan.engine import EXIT_INVALID, discover, plan_files
    from components.plan.policies import PolicyConfigInvalid, check_config

    try:
        policy_config = load_policy_config(args.policy_config)
        check_config(policy_config)
    except PolicyConfigInvalid as exc:
        print(f"aiinfra plan: --policy-config: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except ValueError as exc:
        print(f"aiinfra plan: {exc}", file=sys.stderr)
        return EXIT_INVALID
    from components.prices.overlay import OverlayError, load_overlay

    try:
        overlays = [load_overlay(f) for f in args.prices or []]
    except OverlayError as exc:
        print(f"aiinfra plan: --prices: {exc}", file=sys.stderr)
        return EXIT_INVALID
    files = discover(args.files)
    if not files:
        print("aiinfra plan: no stack files found in " + ", ".join(args.files), file=sys.stderr)
        return EXIT_INVALID

    progress = None
    task = None
    if len(files) > 1 and args.format == "text" and sys.stderr.isatty():
        from rich.progress import Progress

        progress = Progress(transient=True)
        progress.start()
        task = progress.add_task("planning", total=len(files))

    def advance(plan: Any) -> None:
        if progress is not None and task is not None:
            progress.update(task, advance=1, description=f"planned {plan.stack}")

    try:
        report = plan_files(
            files,
            policy_config,
            skip_policies=args.skip_policies,
            program=args.program,
            on_stack=advance,
            prices=overlays or None,
        )
    finally:
        if progress is not None:
            progress.stop()

    if args.format != "text":
        # like `aiinfra validate`: every problem on stderr, whatever the report format
        from components.spec.command import print_invalid
        from components.terminal import say

        for s in report.stacks:
            if s.status == "invalid":
                print_invalid(s.file, s.issues)
            if s.error:
                say(f"{s.file}: {s.status}: {s.error}", sys.stderr)
    to_terminal = args.out is None and sys.stdout.isatty()
    text = render(report, args.format, color=bool(to_terminal))
    if args.out:
        _write(args.out, text)
        print(f"aiinfra plan: {report.verdict}; wrote {args.format} to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if args.sarif_out:
        _write(args.sarif_out, render(report, "sarif"))
    if args.json_out:
        _write(args.json_out, render(report, "json"))
    code: int = report.exit_code
    return code
