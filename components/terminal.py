"""Text for a terminal: its width, wrapping at spaces, and tables fitted to it.

Every command's text output fits ``$COLUMNS`` (80 and up; the terminal's width, else 100 for a
pipe) and wraps only at spaces, so a resource name, machine type or spec path is never broken:
each table column is at least as wide as its longest word, and the room left is shared in
proportion to what each column could use; cells wrap as running text does. A word wider than
the line (a URL) stands alone on its line. A line never ends in a number while the sentence
goes on: "18" stays with "accelerators", "$387" with "/h", "5000" with "GiB". rich is imported
only by :func:`table`: the commands that only wrap lines (validate, diff, prices, smoke-test)
do not pay for it.
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table

#: The narrowest text we lay out: a narrower terminal gets 80-column lines (and wraps them itself).
MIN_WIDTH = 80


def terminal_width() -> int:
    """``$COLUMNS``, else the terminal's width, else 100 (a pipe or a file); never under 80."""
    return max(MIN_WIDTH, shutil.get_terminal_size(fallback=(100, 24)).columns)


#: A number: digits with an optional currency sign, thousands separators, decimals and a percent
#: or times sign ("18", "$387.20", "1,024", "50%", "2×"), maybe after an opening bracket or a
#: sign. Any word may follow one (a unit, "→", a noun), so rather than list units, no line
#: ends in one while its sentence goes on. A "64," or "64." ends a phrase: it may end a line.
_NUMBER = re.compile(r"[(\[~≈≤≥<>+\-−×]*[$€£]?\d(?:[\d,.]*\d)?[%×]?")
#: What stands for a space wrap() must not break at (textwrap breaks only at ASCII whitespace);
#: a space again in its result.
_KEEP = "\x00"


def _numbers_kept(text: str, room: int) -> str:
    """``text`` with the space after each number (before the next word) unbreakable, but for a
    run of such words wider than ``room`` (the line): that run breaks at its spaces as before."""

    def joined(run: list[str]) -> str:
        return (_KEEP if len(" ".join(run)) <= room else " ").join(run)

    words = text.split(" ")  # a "" between two spaces in a row: never glued, so kept as they were
    runs: list[list[str]] = [[words[0]]]
    for word in words[1:]:
        if word and _NUMBER.fullmatch(runs[-1][-1]):
            runs[-1].append(word)
        else:
            runs.append([word])
    return " ".join(joined(run) for run in runs)


def wrap(text: str, width: int, indent: str = "", first: str | None = None, keep: Iterable[str] = ()) -> str:
    """Wrap at spaces only, every line at most ``width`` wide unless one word alone is wider.

    Never inside a name or path (a word wider than the line stands alone on its line), never
    right after a number while a word follows it (``18 accelerators``, ``$387 /h``: the two move
    to the next line together; a run of numbers and words wider than the line still breaks),
    and never inside a phrase of ``keep`` (a file path with spaces in it), however wide.
    """
    for phrase in keep:
        text = text.replace(phrase, phrase.replace(" ", _KEEP))
    lines = textwrap.wrap(
        _numbers_kept(text, width - len(indent)),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines).replace(_KEEP, " ") if lines else indent


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``1 error``, ``0 errors``, ``3 GPU pools``: a count with its noun agreeing (never
    ``error(s)``); ``plural`` for a noun that does not take an -s."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def say(
    text: str,
    file: IO[str] | None = None,
    indent: str = "    ",
    width: int | None = None,
    keep: Iterable[str] = (),
) -> None:
    """Print ``text`` (one message, lines in it kept) wrapped to ``width`` (default: the
    terminal's) at spaces, the lines after each first one indented; never inside a phrase of
    ``keep`` (a file path, which may hold spaces)."""
    width = width or terminal_width()
    out = sys.stdout if file is None else file
    keep = list(keep)
    lines = (wrap(line, width, indent, first="", keep=keep) if line.strip() else "" for line in text.splitlines())
    print("\n".join(lines), file=out)


def table(title: str, *, show_lines: bool = False) -> Table:
    """A light box with one space of padding: the most columns that fit 80 characters."""
    from rich import box
    from rich.table import Table

    return Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, show_lines=show_lines
    )


def _longest_word(*texts: str) -> int:
    return max((len(w) for t in texts for w in t.split()), default=1)


def _least(headers: list[str], rows: list[list[str]]) -> list[int]:
    """Each column's least width: its longest word (header included)."""
    return [_longest_word(h, *(r[i] for r in rows)) for i, h in enumerate(headers)]


def _room(columns: int, width: int) -> int:
    """What ``width`` leaves the cells of a :func:`table`: SIMPLE_HEAD with padding 1 takes 3
    characters per column gap and 1 per edge."""
    return width - (3 * columns - 1)


def fits(headers: list[str], rows: list[list[str]], width: int) -> bool:
    """Whether a :func:`table` of these cells fits ``width`` with no word broken."""
    return sum(_least(headers, rows)) <= _room(len(headers), width)


def fit(t: Table, rows: list[list[str]], width: int) -> Table:
    """Add ``rows`` to a :func:`table` with column widths that fit ``width``: no column narrower
    than its longest word (names never break), the room left shared in proportion to what each
    column could use."""
    headers = [str(c.header) for c in t.columns]
    least = _least(headers, rows)
    cells = [[h, *(r[i] for r in rows)] for i, h in enumerate(headers)]
    most = [max(len(line) for c in col for line in c.splitlines() or [""]) for col in cells]
    room = _room(len(headers), width)
    if sum(most) <= room:
        widths = most
    else:
        spare = max(0, room - sum(least))
        want = [m - lo for m, lo in zip(most, least, strict=True)]
        total = sum(want) or 1
        widths = [lo + (spare * w) // total for lo, w in zip(least, want, strict=True)]
    for column, w in zip(t.columns, widths, strict=True):
        column.width = max(w, 1)
    for row in rows:
        # wrapped here, not by rich, so a cell's number keeps its unit as in running text
        t.add_row(*(_lines(cell, max(w, 1)) for cell, w in zip(row, widths, strict=True)))
    return t


def _lines(cell: str, width: int) -> str:
    """A table cell with each line wider than its column wrapped by :func:`wrap`."""
    return "\n".join(line if len(line) <= width else wrap(line, width) for line in cell.split("\n"))
