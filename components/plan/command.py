"""``aiinfra plan``: not built yet in this version; says so and exits 2 rather than doing nothing."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("args", nargs="*", help="(not implemented yet)")


def run(args: argparse.Namespace) -> int:
    print("aiinfra plan: not implemented yet in this version of ai-infra", file=sys.stderr)
    return 2
