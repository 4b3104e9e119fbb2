"""Checks of a command's text for a terminal: it fits ``$COLUMNS`` and keeps names whole."""

from __future__ import annotations

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
