"""``aiinfra preflight FILE``: live checks against the clouds' APIs before ``pulumi up``.

For every GPU pool (and TPU slice) of every cluster in the spec: is the machine type offered
in the zone, does the quota cover the pool at maxNodes, does the named reservation exist
and have room (and on AWS: the spot placement score, EFA support). A line per check under
its pool (check, status, reason), or JSON. Exit 0 when every check passes (or is skipped), 1 when one fails, 2 when the
spec is invalid or a cloud's credentials are missing, 4 when no check failed but some could
not be checked (an API unreachable, throttled, denied, or the run's deadline passed). Every
API call times out after --call-timeout seconds and the whole run after --deadline (60 s). See
docs/preflight.md for the permissions each check needs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from components.preflight.model import Checker, CheckResult, CredentialsError, PreflightOptions
from components.preflight.report import write_json, write_text
from components.preflight.retry import Deadline
from components.spec.command import print_invalid, print_issues, validate_file
from components.terminal import say

EXIT_OK, EXIT_FAIL, EXIT_INVALID = 0, 1, 2
EXIT_UNCHECKED = 4  # (3 is every command's internal error)

CheckerFactory = Callable[[str, PreflightOptions], Checker]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="stack config (stacks/Pulumi.<stack>.yaml) or bare spec file")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    parser.add_argument("--cluster", action="append", metavar="NAME", help="check only this cluster (repeatable)")
    parser.add_argument(
        "--cloud", action="append", choices=["gcp", "azure", "aws"], help="check only this cloud (repeatable)"
    )
    parser.add_argument(
        "--gcp-project", metavar="ID", help="GCP project (default: gcp:project in the stack config, then ADC's project)"
    )
    parser.add_argument(
        "--azure-subscription",
        metavar="ID",
        help="Azure subscription (default: azure-native:subscriptionId in the stack config, "
        "then AZURE_SUBSCRIPTION_ID)",
    )
    parser.add_argument(
        "--deadline",
        type=_seconds,
        default=60.0,
        metavar="SECONDS",
        help="give up on the cloud APIs after this long in all; checks not answered by then are "
        "reported as not checked (exit 4) (default: 60)",
    )
    parser.add_argument(
        "--call-timeout",
        type=_seconds,
        default=10.0,
        metavar="SECONDS",
        help="give up on one API call (one attempt) after this long (default: 10)",
    )
    parser.add_argument(
        "--min-spot-score",
        type=int,
        default=3,
        choices=range(1, 11),
        metavar="1-10",
        help="AWS: fail a spot pool whose spot placement score is below this (default: 3)",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("give a number of seconds between 0 and 3600")
    return value


def _stack_config(path: str) -> Mapping[str, Any]:
    """The ``config:`` mapping of a stack file (empty for a bare spec); the file already validated."""
    import yaml

    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    config = doc.get("config") if isinstance(doc, Mapping) else None
    return config if isinstance(config, Mapping) else {}


def _options(args: argparse.Namespace, config: Mapping[str, Any]) -> PreflightOptions:
    def setting(key: str) -> str | None:
        value = config.get(key)
        if isinstance(value, Mapping):  # a Pulumi secret or structured value: not usable here
            return None
        return str(value) if value is not None else None

    return PreflightOptions(
        gcp_project=args.gcp_project or setting("gcp:project"),
        azure_subscription=args.azure_subscription
        or setting("azure-native:subscriptionId")
        or os.environ.get("AZURE_SUBSCRIPTION_ID")
        or os.environ.get("ARM_SUBSCRIPTION_ID"),
        min_spot_score=args.min_spot_score,
        call_timeout_seconds=args.call_timeout,
        deadline_seconds=args.deadline,
        deadline=Deadline(args.deadline),
    )


def _default_factory(cloud: str, options: PreflightOptions) -> Checker:
    from components.preflight.registry import make_checker

    return make_checker(cloud, options)


def run(args: argparse.Namespace, checker_factory: CheckerFactory | None = None) -> int:
    fleet, issues = validate_file(args.file)
    # Spec problems are printed exactly as `aiinfra validate` prints them.
    if fleet is None:
        print_invalid(args.file, issues, "; fix them before preflight")
        return EXIT_INVALID
    print_issues(issues, sys.stderr)

    clusters = [
        c
        for c in fleet.clusters
        if (not args.cluster or c.name in args.cluster) and (not args.cloud or c.cloud in args.cloud)
    ]
    if args.cluster:
        unknown = sorted(set(args.cluster) - {c.name for c in fleet.clusters})
        if unknown:
            names = ", ".join(c.name for c in fleet.clusters)
            say(f"{args.file}: no cluster named {', '.join(unknown)} (clusters: {names})", sys.stderr)
            return EXIT_INVALID

    options = _options(args, _stack_config(args.file))
    factory = checker_factory or _default_factory
    checkers: dict[str, Checker] = {}
    failed_clouds: dict[str, CredentialsError] = {}
    results: list[CheckResult] = []
    for cluster in clusters:
        if cluster.cloud in failed_clouds:
            continue
        try:
            if cluster.cloud not in checkers:
                checkers[cluster.cloud] = factory(cluster.cloud, options)
            results.extend(checkers[cluster.cloud].checks(cluster))
        except CredentialsError as err:
            failed_clouds[cluster.cloud] = err

    cred_errors = list(failed_clouds.values())
    for cred in cred_errors:
        say(f"aiinfra preflight: {cred.cloud}: {cred.problem}\n  how to fix: {cred.how_to_fix}", sys.stderr)
    if args.format == "json":
        warnings = [i.format() for i in issues if i.severity == "warning"]
        write_json(sys.stdout, args.file, results, cred_errors, warnings)
    elif results:
        write_text(sys.stdout, args.file, results)
    if cred_errors:
        return EXIT_INVALID
    if any(r.status == "fail" for r in results):
        return EXIT_FAIL
    return EXIT_UNCHECKED if any(r.status == "unchecked" for r in results) else EXIT_OK
