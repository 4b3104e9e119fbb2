"""The ``aiinfra`` command: validate, catalog, plan, diff, preflight, prices, size, rightsize, smoke-test.

Each subcommand lives beside the layer it belongs to and exposes ``add_arguments(parser)``
and ``run(args) -> int``; this module only wires them together and guarantees that no
Python traceback reaches a user (set ``AIINFRA_DEBUG=1`` to see one).

Exit codes (see README): 0 ok, 1 a mandatory policy violation or failed check, 2 invalid
input, 3 an internal error in ai-infra itself.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

# name -> (module, one-line help). Modules keep heavy imports inside run().
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("components.spec.command", "check fleet specs: schema and catalog rules (exit 0 valid, 2 invalid)"),
    "catalog": ("components.catalog.command", "show accelerator offers across clouds, with prices and sources"),
    "plan": ("components.plan.command", "offline preview: resources, policy verdicts, cost, accelerators"),
    "diff": ("components.plan.diff_command", "what a change does to cost, capacity, policies and replacements"),
    "preflight": ("components.preflight.command", "live checks against cloud APIs: quota, offerings, reservations"),
    "prices": ("components.prices.command", "refresh prices from the clouds' price APIs into a dated overlay"),
    "size": ("components.sizing.command", "accelerators, fabric, storage and cost a workload needs, per offer"),
    "rightsize": ("components.rightsize.command", "spec changes from observed GPU use (Prometheus), with savings"),
    "smoke-test": ("components.addons.smoketest", "JobSet running nccl-tests over a pool's fabric; expected busbw"),
}

EXIT_OK, EXIT_FAIL, EXIT_INVALID, EXIT_INTERNAL = 0, 1, 2, 3


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help, wrapped at spaces only: ``--emit-spec`` and ``azure-native:subscriptionId``
    were broken at their hyphens. Paragraphs of a description stay apart, the docstrings' ``code``
    marks are dropped, and the subcommands' help starts in one column (argparse sized the column
    without the subcommands' indent, so the longer names had their help on the next line)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return _wrap_help(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        return "\n\n".join("\n".join(indent + line for line in _wrap_help(p, width - len(indent))) for p in paragraphs)

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if isinstance(action, argparse._SubParsersAction) and action.help is not argparse.SUPPRESS:
            names = [len(self._format_action_invocation(a)) for a in action._get_subactions()]
            indented = max(names, default=0) + self._current_indent + self._indent_increment
            self._action_max_length = max(self._action_max_length, indented)


def _wrap_help(text: str, width: int) -> list[str]:
    import textwrap

    words = " ".join(text.replace("``", "").split())
    return textwrap.wrap(words, max(width, 20), break_long_words=False, break_on_hyphens=False)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help uses :class:`_HelpFormatter`, as do its subcommands' parsers
    (``add_subparsers`` makes them of the parser's own class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


class _Version(argparse.Action):
    """``--version``, looked up only when asked for (importlib.metadata is slow to import)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        import components

        print(f"aiinfra {components.__version__}")
        parser.exit()


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only``, just that subcommand's module is imported and its
    arguments added (the others keep their name and help), since a run parses one subcommand and
    importing all nine took about 0.1 s of every run."""
    parser = _Parser(
        prog="aiinfra",
        description="ai-infra: AI accelerator fleets on GCP, Azure and AWS from one spec.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the package version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=help_text)
            continue
        module = importlib.import_module(module_name)
        cmd = sub.add_parser(name, help=help_text, description=module.__doc__)
        module.add_arguments(cmd)
        cmd.set_defaults(_module=module)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names (its first word that is not an option), if it is one."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_in(words))
    args = parser.parse_args(words)
    try:
        code: int = args._module.run(args)
        return code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: never a traceback for users
        if os.environ.get("AIINFRA_DEBUG"):
            raise
        print(
            f"aiinfra: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in ai-infra, not in your spec. Re-run with AIINFRA_DEBUG=1 for details.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def entrypoint() -> None:
    """Console-script entry point (``aiinfra`` and ``python -m components.cli``).

    The process runs without the cyclic garbage collector. It lives for seconds, and what it
    builds (provider-SDK modules by the thousand, then one Output and four futures per property of
    every resource) mostly lives until it exits, so the collector's passes were re-walking live
    objects: a fifth of a plan of the example stack (benchmarks/plan_bench.py; about 3.7-4.3 s
    against 2.7-3.1 s on a 2-core machine) and of a 2,109-resource plan (12.5 s against 10.5 s),
    for 3% more peak memory on the large one (427 against 439 MiB). Reference counting still
    frees everything that is not in a cycle. ``main()`` called in-process (tests, other tools)
    leaves the collector alone. The process then ends through :func:`leave`, without the
    interpreter's teardown.
    """
    gc.disable()
    leave(main())


def leave(code: int) -> NoReturn:
    """End the process now, without tearing the interpreter down.

    A normal exit, after the atexit handlers, runs a full collection over everything still alive
    and then frees it object by object: the provider SDKs' modules and every resource's Outputs.
    That was about 1.1 s of a 3.5 s ``aiinfra plan`` of the example stack on a 2-core machine
    (benchmarks/plan_bench.py), and the work was done. Nothing our commands leave needs it: they
    close their files, stop their policy-pack processes and servers, and remove their temporary
    directories themselves. So this does what a normal exit does that can matter to anyone
    (the atexit handlers, e.g. logging's flush; stdout and stderr flushed) and ends. A reader that
    closed the pipe early (``aiinfra plan | head``) is not an error, as in :func:`main`.
    """
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # the reader went away, or it was closed
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    entrypoint()
