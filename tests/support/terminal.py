"""Checks of a command's text for a terminal: it fits ``$COLUMNS`` and keeps names whole."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

#: A line that is one URL (after its indent, with any leading ``#`` or ``[``): allowed to be wider.
_URL_ALONE = re.compile(r"^[#\s]*\[?\S*https?://\S+$")


def too_wide(text: str, columns: int) -> list[str]:
    """The lines of ``text`` wider than ``columns``, but for a URL alone on its line."""
    return [line for line in text.splitlines() if len(line) > columns and not _URL_ALONE.match(line)]


def broken(text: str, names: Iterable[str]) -> list[str]:
    """The ``names`` (machine types, resource names, spec paths) not found whole in ``text``: a
    name found must stand as one word (not glued to letters, digits, '.', '-' or '_' around it)."""
    return [n for n in names if not re.search(rf"(?<![\w.-]){re.escape(n)}(?![\w-]|\.\w)", text)]


def words(text: str) -> str:
    """``text`` with every run of whitespace one space: what it says, however it wrapped."""
    return " ".join(text.split())


#: A line's last word, after one space, that is a number: "18", "$387", "1,024", "2.5", "50%", "2×".
_ENDS_IN_NUMBER = re.compile(r"\S [(~]?\$?\d(?:[\d,.]*\d)?[%×]?$")
#: A line that starts an item of its own under a label ("fix: ...", "fix was: ...").
_LABELLED = re.compile(r"^\s*[a-z]+(?: [a-z]+)?: ")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def parted(text: str) -> list[str]:
    """Where a quantity is parted from what follows it: each line that ends in a number while its
    sentence goes on on the next line, shown as ``"totals 18 / accelerators"``. The sentence goes on
    when the next line is indented at least as deep and starts no labelled item of its own (``fix:``);
    a table's number ends its row after a column gap, not one space, so rows are not counted."""
    lines = text.splitlines()
    return [
        f"{a.rstrip()} / {b.split()[0]}"
        for a, b in itertools.pairwise(lines)
        if _ENDS_IN_NUMBER.search(a.rstrip())
        and b[:1] == " "
        and b.strip()
        and _indent(b) >= _indent(a)
        and not _LABELLED.match(b)
    ]
