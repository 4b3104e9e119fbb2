"""Spec problems: each names its file, line, spec path, what is wrong and how to fix it.

Every check (YAML parsing, schema, semantics) reports ``SpecIssue`` objects; they are
collected and reported together. ``SpecError`` carries all of them out of the loader so a
caller (CLI, Pulumi program) can print them without a traceback.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from components.terminal import counted, wrap


@dataclass(frozen=True)
class SpecIssue:
    """One problem with a fleet spec.

    ``path`` is the spec path (``clusters[0].gpuPools[1].maxNodes``; ``""`` for the whole
    spec), ``hint`` says how to fix it (did-you-mean, allowed values), ``file``/``line``
    where it is.
    """

    path: str
    message: str
    hint: str | None = None
    file: str | None = None
    line: int | None = None
    severity: str = "error"  # error | warning

    def located(self, file: str | None, line: int | None) -> SpecIssue:
        """A copy with the file and line filled in."""
        return replace(self, file=file, line=line)

    def format(self, width: int | None = None) -> str:
        """``file:line: severity: path: message (hint)``, as compilers print: one line, or with
        ``width`` (a terminal's) the message wrapped at spaces, its lines after the first
        indented. The first line always holds the whole ``file:line: severity: path:`` (never
        broken, however long), so editors and grep find the file, line and spec path on it.

        Where the head and the message's first words do not fit one line, the head stands alone
        on it and the message starts on the next; a head wider than the line (a long file path)
        is the one line wider than ``width``, as a URL is: breaking it would cost more."""
        where = self.file or "<spec>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        head = f"{where}: {self.severity}: "
        if self.path:
            head += f"{self.path}: "
        text = self.message + (f" ({self.hint})" if self.hint else "")
        if width is None:
            return head + text
        wrapped = wrap(text, width, indent="    ", first=head)
        if len(wrapped.split("\n", 1)[0]) > width:  # no room after the head for a first word (or "64 nodes")
            return head.rstrip() + "\n" + wrap(text, width, indent="    ")
        return wrapped

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "path": self.path,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


class SpecError(Exception):
    """A spec failed to load or validate; ``issues`` holds every problem found."""

    def __init__(self, issues: Sequence[SpecIssue]) -> None:
        self.issues = list(issues)
        super().__init__(self.report())

    def report(self) -> str:
        errors = [i for i in self.issues if i.severity == "error"]
        lines = [i.format() for i in self.issues]
        lines.append(f"{counted(len(errors), 'error')} in the fleet spec")
        return "\n".join(lines)


def join_path(*parts: str | int) -> str:
    """Join spec path parts: ``join_path("clusters", 0, "name") == "clusters[0].name"``."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif out:
            out += f".{p}"
        else:
            out = p
    return out


def article(word: str) -> str:
    """``an azure``, ``an AWS``, ``a gcp``: the indefinite article before ``word`` (by its first letter;
    figures are read out: ``an 8``, ``an 11``, ``an 18``)."""
    w = word.strip().lower()
    vowel = bool(w) and (w[0] in "aeio" or w.startswith(("8", "11", "18")) or w in ("u", "hbm"))
    return f"{'an' if vowel else 'a'} {word}"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """``"did you mean 'maxNodes'?"`` for the closest choice, or None."""
    options = list(choices)
    lowered: dict[str, str] = {}
    for c in options:  # the first spelling wins: a name before its lower-case alias
        lowered.setdefault(c.lower(), c)
    if word.lower() in lowered and lowered[word.lower()] != word:
        return f"did you mean '{lowered[word.lower()]}'?"
    # the same letters and digits at the start win over a look-alike (a100-80 is A100-80GB,
    # not H100-80GB, which differs by one character but is another accelerator)
    bare = re.sub(r"[^a-z0-9]", "", word.lower())
    prefixed = [c for c in options if bare and re.sub(r"[^a-z0-9]", "", c.lower()).startswith(bare)]
    if len(prefixed) == 1:
        return f"did you mean '{prefixed[0]}'?"
    # case does not count: 'b300' is nearer B200 than MI300X, though 'b' and 'B' differ
    close = [lowered[c] for c in difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)]
    return f"did you mean '{close[0]}'?" if close else None


def choices_hint(word: str, choices: Iterable[str]) -> str:
    """Did-you-mean when something is close, then the allowed values."""
    options = [str(c) for c in choices]
    allowed = "allowed: " + ", ".join(options)
    dym = did_you_mean(word, options)
    return f"{dym} {allowed}" if dym else allowed
