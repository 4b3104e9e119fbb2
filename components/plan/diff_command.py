"""``aiinfra diff BASE HEAD``: what a change does to cost, accelerators, policies, and what it replaces.

BASE and HEAD are stack files, ``REF:PATH`` (the file at a git ref, read with ``git show``;
a file missing at that ref means a new or deleted stack), or ``/dev/null``. Both are
planned offline like ``aiinfra plan``. Changes that replace or recreate a GPU pool
(machine type, accelerator, GPU driver, capacity type, AKS vmSize...) and changes that
delete or replace data-bearing storage (removed, kind changed, shrunk, Lustre tier
changed, renamed) are shown first, loudly.

``--base-policy-config`` plans BASE with its own policy config (``REF:PATH`` reads it at a git
ref), so a change of config shows as what it does: a policy made mandatory is a violation
"still" there whose level was advisory, which blocks the change.

Exit codes as ``aiinfra plan`` on HEAD: 0 pass or advisory, 1 a mandatory violation, policies
not evaluated, or data-bearing storage deleted or replaced (unless --allow-data-loss says the
loss is intended), 2 invalid input on either side, 3 an internal error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from components.terminal import counted


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("base", metavar="BASE", help="stack file, REF:PATH, or /dev/null")
    parser.add_argument("head", metavar="HEAD", help="stack file, REF:PATH, or /dev/null")
    parser.add_argument(
        "--format", choices=["markdown", "json", "text"], default="text", help="output format (default: text)"
    )
    parser.add_argument("--out", metavar="PATH", help="write the report to PATH instead of stdout")
    parser.add_argument("--policy-config", metavar="JSON", help="policy pack config (inline JSON or a JSON file)")
    parser.add_argument(
        "--base-policy-config",
        metavar="JSON|REF:PATH",
        help="BASE's policy config, when it differs from HEAD's (inline JSON, a file, or REF:PATH such as "
        "origin/main:policies/config.json; default: --policy-config)",
    )
    parser.add_argument("--skip-policies", action="store_true", help="do not evaluate the policy pack")
    parser.add_argument("--program", metavar="PATH", help="the Pulumi program to run (default: the project's)")
    parser.add_argument(
        "--allow-data-loss",
        action="store_true",
        help="do not fail (exit 1) when data-bearing storage is deleted or replaced: the loss is intended",
    )
    # the former opt-in, now the default; accepted so existing pipelines keep working
    parser.add_argument("--fail-on-data-loss", action="store_true", help=argparse.SUPPRESS)


def base_policy_config(value: str) -> Mapping[str, Any]:
    """--base-policy-config: inline JSON, a file, or ``REF:PATH`` (the file at a git ref; none
    there is no config, the policies' defaults). ValueError or SideError when it cannot be read."""
    from components.plan.command import load_policy_config, parse_policy_config
    from components.plan.diff import git_show

    flag = "--base-policy-config"
    if not at_ref(value):
        return load_policy_config(value, flag)
    ref, path = value.split(":", 1)
    text = git_show(ref, path)
    return {} if text is None else parse_policy_config(text, f"{flag} {value}")


def at_ref(value: str) -> bool:
    """Whether --base-policy-config names a file at a git ref (``REF:PATH``), not inline JSON or a file."""
    return not (value.lstrip().startswith("{") or Path(value).exists() or ":" not in value)


def without_gone_policies(config: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """BASE's config (read at its ref) without the policies the packs no longer have, and those.

    BASE is planned with today's packs: a policy renamed or removed since BASE (an ai-infra
    upgrade) cannot apply to them, and failing the whole diff over it would show the reviewer
    nothing. A typo in a config given inline or as a file is still an error.
    """
    from components.plan.policies import known_policies

    known = known_policies()
    if known is None:
        return dict(config), []
    gone = sorted(k for k in config if k != "all" and k not in known)
    return {k: v for k, v in config.items() if k not in gone}, gone


def run(args: argparse.Namespace) -> int:
    from components.plan.command import load_policy_config
    from components.plan.diff import PlanDiff, SideError, load_side
    from components.plan.engine import EXIT_INVALID
    from components.plan.policies import PolicyConfigInvalid, check_config
    from components.plan.report_diff import render_markdown, render_text
    from components.terminal import say

    try:
        config = load_policy_config(args.policy_config)
        base_config = config if args.base_policy_config is None else base_policy_config(args.base_policy_config)
        if args.base_policy_config is not None and at_ref(args.base_policy_config):
            base_config, gone = without_gone_policies(base_config)
            if gone:
                names = ", ".join(f"'{k}'" for k in gone)
                say(
                    f"aiinfra diff: --base-policy-config {args.base_policy_config}: "
                    f"{counted(len(gone), 'policy', 'policies')} not in the packs now ({names}: renamed or "
                    "removed since); BASE is planned without its settings",
                    sys.stderr,
                )
        for flag, c in (("--policy-config", config), ("--base-policy-config", base_config)):
            try:
                check_config(c)
            except PolicyConfigInvalid as exc:
                raise ValueError(f"{flag}: {exc}") from None
        base = load_side(args.base, base_config, skip_policies=args.skip_policies, program=args.program)
        head = load_side(args.head, config, skip_policies=args.skip_policies, program=args.program)
    except (ValueError, SideError) as exc:
        say(f"aiinfra diff: {exc}", sys.stderr)
        return EXIT_INVALID
    if base.plan is None and head.plan is None:
        print("aiinfra diff: neither side exists", file=sys.stderr)
        return EXIT_INVALID
    diff = PlanDiff(base, head)
    if args.format == "json":
        text = json.dumps(diff.to_json(), indent=2, sort_keys=True, default=str) + "\n"
    elif args.format == "markdown":
        text = render_markdown(diff)
    else:
        text = render_text(diff)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
        say(f"aiinfra diff: {diff.verdict}; wrote {args.format} to {args.out}", sys.stderr)
    else:
        sys.stdout.write(text)
    code: int = diff.exit_code
    if code == 0 and diff.danger():
        n = len(diff.danger())
        what = f"aiinfra diff: {counted(n, 'change')} {'deletes or replaces' if n == 1 else 'delete or replace'}"
        if args.allow_data_loss:
            say(f"{what} data-bearing storage (allowed)", sys.stderr)
        else:
            say(f"{what} data-bearing storage; pass --allow-data-loss if that is intended", sys.stderr)
            code = 1
    return code
