"""Wrapping text for a terminal: at spaces only, never inside a name or path, never right after a
number while its sentence goes on, and tables whose cells wrap the same way."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from components.terminal import fit, table, wrap
from tests.support.terminal import parted, too_wide, words

#: Sentences as the commands print them, each with a number before its unit or noun.
SENTENCES = [
    "stack-ceilings: the stack's GPU pools and TPU slices at max scale hold 24 H100-80GB; the dev ceiling "
    "totals 18 accelerators at max scale and the budget allows $50 /h, the stack costs $387 /h",
    "node pool 'fleet-train-h100' can scale to 64 nodes, 21 per zone in 3 zones; the dev ceiling is 4 nodes",
    "FSx for Lustre (PERSISTENT_2) 250 MB/s/TiB is sold in 2400 GiB steps: 5000 GiB is not a valid size; "
    "the nearest are 4800 GiB and 7200 GiB, or 1,024 accelerators at 50% use, 2× the budget",
]
#: What no line may end in while the sentence goes on: a number word (as in the wrapper's rule).
NUMBER = re.compile(r"^[(\[~]?\$?\d(?:[\d,.]*\d)?[%×]?$")


def _ends_in_number(text: str) -> list[str]:
    """Every line but the last whose last word is a number: a quantity parted from its unit."""
    lines = text.splitlines()
    return [line for line in lines[:-1] if NUMBER.match(line.split()[-1])]


@pytest.mark.parametrize("sentence", SENTENCES, ids=["ceilings", "pool", "fsx"])
def test_a_number_never_ends_a_line_while_its_sentence_goes_on(sentence: str) -> None:
    # it broke after "18", "$387", "64", "5000" wherever the width fell: "totals 18" / "accelerators"
    for width in range(30, 133):
        for indent, first in (("", None), ("    ", ""), ("      ", "  - ")):
            out = wrap(sentence, width, indent, first=first)
            assert _ends_in_number(out) == [], (width, out)
            assert too_wide(out, width) == [], (width, out)
            assert words(out) == words((first or indent) + sentence)


def test_the_examples_at_80_columns() -> None:
    lead = "stack-ceilings: the GPU pools at max scale, by the ceiling of"
    for number, unit in (("18", "accelerators at max scale"), ("$387", "/h"), ("64", "nodes"), ("5000", "GiB")):
        said = f"{lead} {'x' * (80 - len(lead) - len(number) - 2)} {number}"
        assert len(said) == 80  # the number ends the line at 80 columns, its unit would start the next
        assert wrap(f"{said} {unit}", 80, "    ", first="").splitlines()[1] == f"    {number} {unit}"


def test_a_run_of_numbers_wider_than_the_line_still_breaks() -> None:
    # "1 2 3 ... 59" is one run (each number goes with the next word): it cannot stay whole
    numbers = " ".join(str(i) for i in range(60))
    out = wrap(numbers, 20, "  ")
    assert too_wide(out, 20) == [] and words(out) == numbers and len(out.splitlines()) > 5
    # a number with its unit that would overflow the line alone is parted rather than overflow it
    assert wrap("64 " + "x" * 30, 20) == "64\n" + "x" * 30


def test_spaces_as_written_are_kept_and_a_number_at_the_end_is_left_alone() -> None:
    assert wrap("a  64  nodes  x", 40) == "a  64  nodes  x"  # two spaces: not a number's unit; kept
    assert wrap("the ceiling is 64", 14) == "the ceiling is\n64"
    assert wrap("sizes 4800, 7200 GiB", 12) == "sizes 4800,\n7200 GiB"  # "4800," ends a phrase
    assert wrap("", 20, "  ") == "  "


def test_a_kept_phrase_is_never_broken_however_wide() -> None:
    path = "my stacks/team a/Pulumi.dev.yaml"
    out = wrap(f"{path}: invalid: 2 errors in the fleet spec", 24, "    ", first="", keep=[path])
    assert out.splitlines()[0] == f"{path}:" and "2 errors" in out
    assert wrap(f"see {path}", 12, keep=[path]).splitlines() == ["see", path]


@given(
    st.lists(
        st.sampled_from(["64", "$387", "1,024", "50%", "2×", "GiB", "nodes", "/h", "accelerators", "x" * 25, "a"]),
        min_size=1,
        max_size=40,
    ),
    st.integers(min_value=20, max_value=132),
)
def test_wrapping_loses_no_word_and_overflows_only_for_one_word(parts: list[str], width: int) -> None:
    text = " ".join(parts)
    out = wrap(text, width, "  ", first="")
    assert words(out) == text
    for line in out.splitlines():
        assert len(line) <= width or len(line.split()) == 1, (width, line)


@pytest.mark.parametrize("width", [50, 80])
def test_a_table_cell_keeps_its_numbers_with_their_units(width: int) -> None:
    # rich wrapped the cell itself: "(PERSISTENT_2) 250" / "MB/s/TiB," at 50, "9600" / "GiB" at 80
    t = table("Cost")
    for name in ("stack", "item", "$/h"):
        t.add_column(name)
    cell = "FSx for Lustre (PERSISTENT_2) 250 MB/s/TiB, 9600 GiB, storage, $0.21/GiB-month"
    rows = [["aws-train", cell, "$2.76"], ["train-aws/datasets", "x " * 30, "$0.00"]]
    console = Console(width=width, no_color=True)
    with console.capture() as captured:
        console.print(fit(t, rows, width))
    out = captured.get()
    assert too_wide(out, width) == [] and parted(out) == [], out
    assert "250 MB/s/TiB," in out and "9600 GiB," in out and "$0.21/GiB-month" in out
