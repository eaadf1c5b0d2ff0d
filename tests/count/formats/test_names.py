"""Candidates' names through the readers and writers: every reader refuses a name listed
twice; every writer writes any name the web app accepts, and BLT's quotes come back as
typographic ones (BLT has no escape)."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from omov.count import BallotFileError, BallotSet
from omov.count.formats import MODULES, WRITERS, read_ballots, write_ballots
from omov.count.labels import blt_text, label_key, label_problem, normalise_label

NAMES = ('Jane "JJ" Smith', "Bob, the Builder", "Ann\tO'Neill")


def writable_formats() -> list[str]:
    """Every format with a writer (a format's module registers it when first loaded)."""
    for module in set(MODULES.values()):
        importlib.import_module(f"omov.count.formats.{module}")
    return sorted(WRITERS)


def twice(tmp_path: Path, fmt: str) -> Path:
    ballots = BallotSet.from_rankings(["Ann", "Bob", "Ann"], [[0, 1], [2]])
    path = tmp_path / f"twice.{fmt}"
    write_ballots(ballots, path, format=fmt)
    return path


@pytest.mark.parametrize("fmt", writable_formats())
def test_every_written_format_read_back_refuses_a_name_listed_twice(
    tmp_path: Path, fmt: str
) -> None:
    path = twice(tmp_path, fmt)
    with pytest.raises(BallotFileError, match="twice") as error:
        read_ballots(path, format=fmt)
    assert str(error.value).startswith(str(path))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "ballots.toi",
            "# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: Ann\n# ALTERNATIVE NAME 2: Ann\n"
            "3: 1,2\n",
        ),
        ("cvr.csv", "id,Ann,Ann\nr1,1,2\n"),
    ],
    ids=["preflib", "rctab-csv"],
)
def test_readers_of_other_formats_refuse_a_name_listed_twice(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    fmt = "rctab-csv" if name.endswith(".csv") else None
    with pytest.raises(BallotFileError) as error:
        read_ballots(path, format=fmt)
    assert re.search("twice|two alternatives are named 'Ann'", str(error.value))
    assert str(error.value).startswith(str(path))


def test_blt_writes_a_quoted_name_with_typographic_quotes(tmp_path: Path) -> None:
    ballots = BallotSet.from_rankings(list(NAMES), [[0, 1, 2], [1]], title='The "Big" One')
    path = tmp_path / "quoted.blt"
    write_ballots(ballots, path, format="blt")
    text = path.read_text(encoding="utf-8")
    assert '"Jane “JJ” Smith"' in text
    assert '"The “Big” One"' in text
    back = read_ballots(path)
    assert back.candidates == tuple(blt_text(n) for n in NAMES)
    assert back.candidates[2] == "Ann O'Neill"  # a tab is a space, as BLT readers read it


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_csv_and_parquet_keep_quotes_and_commas_exactly(tmp_path: Path, fmt: str) -> None:
    ballots = BallotSet.from_rankings(list(NAMES), [[0, 1, 2], [1]], title='The "Big" One')
    path = tmp_path / f"quoted.{fmt}"
    write_ballots(ballots, path, format=fmt)
    back = read_ballots(path)
    assert back.candidates == NAMES
    assert back.title == 'The "Big" One'
    assert back.first_preferences().tolist() == [1, 1, 0]


def test_labels_are_normalised_checked_and_keyed() -> None:
    assert normalise_label("  Jane \n  Smith ") == "Jane Smith"
    assert label_problem("Jane Smith") is None
    assert label_problem("Zo\u200dë") is None  # a joiner is spelling
    assert label_problem("Jane\u2066Smith") == "it holds the invisible or control character U+2066"
    assert label_problem("") == "it is empty"
    assert label_key('Jane "JJ" Smith') == label_key("JANE “JJ” SMITH")
    assert blt_text('"Quoted" at the start') == "“Quoted” at the start"
    assert blt_text("") == " "
    assert json.loads(json.dumps(NAMES[0])) == NAMES[0]
