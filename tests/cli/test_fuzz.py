"""Every reader, fuzzed through the command line's error handling (``omov.cli.main``).

For each kind of input the command line reads (every ``omov count`` format, the rolls, the
rulebooks, results bundles), hypothesis mutates a small valid file: bytes flipped, cut or
repeated, and tokens that broke readers before spliced in (deep nesting, huge numbers, bare
CR line ends, bytes that are not UTF-8, wrong JSON types). Whatever comes of it, the command
must exit with a status and at most a few lines, never a traceback, within ``HANG`` seconds
(a guard against hangs, not a speed test), and an error must never quote a member's email
or date of birth from a roll. Each reader has a fixed budget of examples (``EXAMPLES``) and
hypothesis's database is off, so a run is the same on every machine.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import re
import signal
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omov.cli import main

EXAMPLES = int(os.environ.get("OMOV_FUZZ_EXAMPLES", "40"))
"""The budget per reader; a deeper run sets OMOV_FUZZ_EXAMPLES (and OMOV_FUZZ_SEED)."""
HANG = 10
NASTY = (
    b"\r",
    b"\r\n",
    b'"',
    b"\xff\xfe",
    b"\xc3",
    b"\x00",
    b"-1",
    b"0",
    b"2147483648",
    b"99999999999999999999999999",
    b"1e999",
    b"NaN",
    b"null",
    b"true",
    b'""',
    b"[]",
    b"{}",
    b"[" * 5000,
    b'{"a":' * 5000,
    b"=" * 3,
    b",,,,",
    b"\n\n",
    b"#",
    b"[tie]",
    b"\xe2\x80\xae",
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
BIRTH_DATES = ("1961-04-12", "1977-11-30", "1988-02-29")


class HangError(Exception):
    """The command ran past ``HANG`` seconds."""


@contextlib.contextmanager
def hang_guard() -> Iterator[None]:
    def alarm(_signum: int, _frame: object) -> None:
        raise HangError(f"no answer within {HANG} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(HANG)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Outcome:
    status: int
    output: str


def omov(*args: str) -> Outcome:
    """``omov ARGS`` in this process through ``main``: its exit status and what it printed.
    An exception other than the exit is a traceback the user would have seen."""
    out = io.StringIO()
    argv = sys.argv
    sys.argv = ["omov", *args]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), hang_guard():
            main()
    except SystemExit as done:
        code = done.code
        return Outcome(code if isinstance(code, int) else 1, out.getvalue())
    finally:
        sys.argv = argv
    return Outcome(0, out.getvalue())


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with one to four edits."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["splice", "replace", "flip", "cut", "repeat", "swap-ends"]))
        if edit == "splice":
            data[at:at] = draw(st.sampled_from(NASTY))
        elif edit == "replace":
            end = draw(st.integers(at, min(len(data), at + 12)))
            data[at:end] = draw(st.sampled_from(NASTY) | st.binary(max_size=8))
        elif edit == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif edit == "cut":
            del data[at:]
        elif edit == "repeat":
            data[at:at] = bytes(data[at : at + 40]) * draw(st.integers(2, 50))
        elif edit == "swap-ends":
            data = bytearray(data.replace(b"\n", b"\r"))
    return bytes(data)


def inputs(seed: bytes) -> st.SearchStrategy[bytes]:
    return mutated(seed) | st.binary(max_size=300) | st.sampled_from(NASTY)


def json_inputs(seed: bytes) -> st.SearchStrategy[bytes]:
    """As ``inputs``, and the seed with one value replaced by one of another type."""
    document = json.loads(seed)
    paths = list(_json_paths(document))
    wrong = st.sampled_from([None, True, -1, 2**70, 1e308, "x", [], {}, [[[[]]]], {"a": {}}])

    @st.composite
    def retyped(draw: st.DrawFn) -> bytes:
        path = draw(st.sampled_from(paths))
        copy = json.loads(seed)
        _json_set(copy, path, draw(wrong))
        return json.dumps(copy).encode()

    return inputs(seed) | retyped()


def _json_paths(node: object, path: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in list(node.items())[:20]:
            yield from _json_paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node[:5]):
            yield from _json_paths(value, (*path, i))


def _json_set(node: object, path: tuple[object, ...], value: object) -> None:
    if not path:
        return
    for step in path[:-1]:
        node = node[step]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]


def check(outcome: Outcome, personal: tuple[str, ...] = (), *, lines: int | None = 3) -> None:
    """Exit 0, 1 or 2 (click's usage errors and the domain errors are 2); no traceback;
    a failure in at most ``lines`` lines (``None``: a report of checks), quoting nobody."""
    assert outcome.status in (0, 1, 2), outcome.output[-2000:]
    assert "Traceback" not in outcome.output
    if outcome.status != 0 and lines is not None:
        assert len(outcome.output.strip().splitlines()) <= lines, outcome.output[-2000:]
    for value in personal:
        assert value not in outcome.output


@pytest.fixture(autouse=True, scope="module")
def warm() -> None:
    """Import what the readers load on first use before any clock runs: the guard is for
    hangs, and a first import of Polars on a loaded machine is not one."""
    import polars  # noqa: F401
    import pyarrow.csv
    import pyarrow.parquet  # noqa: F401

    from omov.cli import commands  # noqa: F401
    from omov.count.formats import MODULES

    for module in set(MODULES.values()):
        importlib.import_module(f"omov.count.formats.{module}")


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize="OMOV_FUZZ_SEED" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def fuzz_file(
    tmp_path: Path,
    name: str,
    strategy: st.SearchStrategy[bytes],
    args: Callable[[Path], list[str]],
    personal: tuple[str, ...] = (),
    lines: int | None = 3,
) -> None:
    target = tmp_path / name

    @FUZZ
    @given(data=strategy)
    def run(data: bytes) -> None:
        target.write_bytes(data)
        check(omov(*args(target)), personal, lines=lines)

    run()


# -- omov count: every registered format ------------------------------------------------

BLT = b'3 1\n4 1 2 0\n2 2 3 0\n1 3 0\n0\n"Ann"\n"Bob"\n"Cat"\n"Ward"\n'
TOI = (
    b"# TITLE: Ward\n# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: Ann\n"
    b"# ALTERNATIVE NAME 2: Bob\n# ALTERNATIVE NAME 3: Cat\n4: 1,2\n2: 2,{1,3}\n"
)
SOI = TOI.replace(b"{1,3}", b"3")
RCTAB_CSV = b"id,Ann,Bob,Cat\nr1,1,2,\nr2,,1,2\nr3,2,,1\n"
CSV = b'# title: "Ward"\nrank1,rank2,rank3,weight\nAnn,Bob,,4\nBob,Cat,,2\nCat,,,1\n'


def count_seeds(data_dir: Path) -> dict[str, tuple[str, bytes]]:
    """Format -> (file name, a small valid file)."""
    cdf = data_dir / "rctab" / "test_set_1_exhaust_at_overvote"
    return {
        "blt": ("ballots.blt", BLT),
        "toi": ("ballots.toi", TOI),
        "soi": ("ballots.soi", SOI),
        "rctab-csv": ("cvr.csv", RCTAB_CSV),
        "csv": ("ballots.csv", CSV),
        "cdf": ("cvr.json", (cdf / "test_set_1_exhaust_at_overvote_cvr.json").read_bytes()),
    }


def count_formats() -> list[str]:
    """Every format ``omov count`` reads (each loads its module when first read)."""
    from omov.count.formats import MODULES

    return sorted(MODULES)


@pytest.mark.parametrize("fmt", count_formats())
def test_omov_count_never_crashes(fmt: str, tmp_path: Path, data_dir: Path) -> None:
    seeds = count_seeds(data_dir)
    if fmt == "parquet":
        name, seed = "ballots.parquet", _parquet_seed(tmp_path)
    else:
        name, seed = seeds.get(fmt, ("ballots.txt", BLT))
    strategy = json_inputs(seed) if name.endswith(".json") else inputs(seed)
    fuzz_file(tmp_path, name, strategy, lambda path: ["count", str(path), "-f", fmt])


def _parquet_seed(tmp_path: Path) -> bytes:
    from omov.count import BallotSet
    from omov.count.formats import write_ballots

    path = tmp_path / "seed.parquet"
    write_ballots(BallotSet.from_rankings(["Ann", "Bob"], [[0, 1], [1]]), path, format="parquet")
    return path.read_bytes()


# -- omov roll check ----------------------------------------------------------------------

ROLL = (
    "membership_number,email,date_of_birth,join_date,status,arrears\n"
    f"M0001,ann.jones@example.org,{BIRTH_DATES[0]},2015-06-01,active,false\n"
    f"M0002,bob.smith@example.net,{BIRTH_DATES[1]},2014-01-01,active,false\n"
    f"M0003,cat.o'neill@example.com,{BIRTH_DATES[2]},2016-03-01,lapsed,true\n"
).encode()
PERSONAL = ("ann.jones", "bob.smith", "cat.o'neill", *BIRTH_DATES)


def test_omov_roll_check_never_crashes_nor_quotes_a_member(tmp_path: Path) -> None:
    fuzz_file(
        tmp_path,
        "roll.csv",
        inputs(ROLL),
        lambda path: ["roll", "check", str(path), "--roll", "members"],
        PERSONAL,
    )


def test_a_stray_quote_in_a_roll_names_the_row_and_no_member(tmp_path: Path) -> None:
    path = tmp_path / "roll.csv"
    path.write_bytes(ROLL.replace(b"bob.smith", b'bob"smith').replace(b",M0003", b',"M0003'))
    outcome = omov("roll", "check", str(path), "--roll", "members")
    check(outcome, PERSONAL)
    assert "bob" not in outcome.output
    cr = tmp_path / "cr.csv"
    cr.write_bytes(ROLL.replace(b"\n", b"\r"))
    check(omov("roll", "check", str(cr), "--roll", "members"), PERSONAL)


# -- omov rules check ----------------------------------------------------------------------


def test_omov_rules_check_never_crashes(tmp_path: Path) -> None:
    from importlib import resources

    seed = resources.files("omov.rules.rulebooks").joinpath("labour", "2016.toml").read_bytes()
    fuzz_file(tmp_path, "rulebook.toml", inputs(seed), lambda path: ["rules", "check", str(path)])


# -- omov verify ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo bundle over three papers (built once for the module)."""
    home = tmp_path_factory.mktemp("bundle")
    ballots = home / "ballots.blt"
    ballots.write_bytes(BLT)
    key = home / "officer.key"
    with _passphrase():
        assert omov("bundle", "keygen", str(key)).status == 0
        built = omov("bundle", "build-demo", str(ballots), "-o", str(home / "b"), "--key", str(key))
    assert built.status == 0, built.output
    return home / "b"


@contextlib.contextmanager
def _passphrase() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OMOV_KEY_PASSPHRASE", "fuzzing passphrase")
        yield


def bundle_files(bundle: Path) -> list[str]:
    return sorted(str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file())


def test_omov_verify_never_crashes_on_a_changed_file(bundle: Path, tmp_path: Path) -> None:
    import shutil

    files = bundle_files(bundle)

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        copy = tmp_path / "copy"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(bundle, copy)
        rel = data.draw(st.sampled_from(files))
        seed = (bundle / rel).read_bytes()
        strategy = json_inputs(seed) if _is_json(seed) else inputs(seed)
        (copy / rel).write_bytes(data.draw(strategy))
        check(omov("verify", str(copy)), lines=None)  # one line a check

    run()


def test_omov_verify_never_crashes_on_a_changed_zip(bundle: Path, tmp_path: Path) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        for rel in bundle_files(bundle):
            out.write(bundle / rel, f"b/{rel}")
    fuzz_file(
        tmp_path,
        "bundle.zip",
        inputs(archive.getvalue()),
        lambda path: ["verify", str(path)],
        lines=None,
    )


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


# -- the findings of the probe that filed this work, each one line naming the file ----------

FINDINGS = [
    ("cvr.json", b"[" * 100_000, ["-f", "cdf"], "nested too deeply"),
    ("cvr.json", b'{"Election": [{"Contest": 5}], "CVR": []}', ["-f", "cdf"], "wrong JSON type"),
    ("cvr.csv", b"id,A,B\nr1,1,2147483648\n", ["-f", "rctab-csv"], "above the number"),
    ("ballots.toi", TOI.replace(b"4: 1,2", b"9" * 30 + b": 1,2"), [], "too large"),
    (
        "ballots.toi",
        TOI.replace(b"4: 1,2", b"9223372036854775807: 1,2"),
        [],
        "the ballots number more than",
    ),
    ("twice.blt", b'2 1\n1 1 2 0\n0\n"Ann"\n"Ann"\n"t"\n', [], "listed twice"),
]


@pytest.mark.parametrize(("name", "data", "args", "fault"), FINDINGS)
def test_each_finding_is_one_line_naming_the_file(
    tmp_path: Path, name: str, data: bytes, args: list[str], fault: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    outcome = omov("count", str(path), *args)
    assert outcome.status == 2
    (line,) = outcome.output.strip().splitlines()
    assert line.startswith(f"error: {path}")
    assert fault in line


def test_a_rulebook_not_in_utf8_and_a_roll_with_bare_cr_are_one_line(tmp_path: Path) -> None:
    rulebook = tmp_path / "rulebook.toml"
    rulebook.write_bytes(b'title = "Caf\xe9"\n')
    outcome = omov("rules", "check", str(rulebook))
    assert outcome.status == 2
    assert outcome.output.strip().splitlines() == [
        "error: rulebook.toml: line 1: byte 0xE9 is not UTF-8 (TOML is UTF-8 text)"
    ]
    roll = tmp_path / "roll.csv"
    roll.write_bytes(ROLL.replace(b"\n", b"\r"))
    outcome = omov("roll", "check", str(roll), "--roll", "members")
    check(outcome, PERSONAL, lines=1)
    assert "bare CR" in outcome.output


# -- readers the command line reaches through an RCTab config: Dominion exports -------------


def test_the_dominion_reader_never_crashes(tmp_path: Path, data_dir: Path) -> None:
    """Only a one-line ``BallotFileError``, whatever the export file holds (deep nesting and
    wrong types included)."""
    from omov.count.errors import BallotFileError
    from omov.count.formats.dominion import parse_dominion

    seed = json.dumps(
        {
            "Sessions": [
                {
                    "Original": {
                        "IsCurrent": True,
                        "Cards": [
                            {
                                "Contests": [
                                    {
                                        "Id": 1,
                                        "Marks": [
                                            {"CandidateId": 5, "Rank": 1, "IsAmbiguous": False},
                                            {"CandidateId": 6, "Rank": 2, "IsAmbiguous": False},
                                        ],
                                    }
                                ]
                            }
                        ],
                    }
                }
            ]
        }
    ).encode()
    assert len(parse_dominion(_export(tmp_path, seed), "1").grid) == 1

    @FUZZ
    @given(data=json_inputs(seed))
    def run(data: bytes) -> None:
        folder = _export(tmp_path, data)
        refusal = ""
        with hang_guard():
            try:
                parse_dominion(folder, "1")
            except BallotFileError as refused:
                refusal = str(refused)
        assert len(refusal.splitlines()) <= 1

    run()


def _export(tmp_path: Path, data: bytes) -> Path:
    folder = tmp_path / "export"
    folder.mkdir(exist_ok=True)
    (folder / "CvrExport.json").write_bytes(data)
    return folder


def reader_never_crashes(
    read: Callable[[], object], strategy: st.SearchStrategy[bytes], target: Path
) -> None:
    """``read()`` after ``target`` gets each input: a result or one line of
    ``BallotFileError``, within ``HANG`` seconds."""
    from omov.count.errors import BallotFileError

    @FUZZ
    @given(data=strategy)
    def run(data: bytes) -> None:
        target.write_bytes(data)
        refusal = ""
        with hang_guard():
            try:
                read()
            except BallotFileError as refused:
                refusal = str(refused)
        assert len(refusal.splitlines()) <= 1

    run()


CLEAR_BALLOT = (
    b"RowNumber,BallotID,"
    b'"Choice_1_1:City, Mayor:1:Vote For 1:Ann:NON","Choice_2_1:City, Mayor:1:Vote For 1:Bo:NON",'
    b'"Choice_1_1:City, Mayor:2:Vote For 1:Ann:NON","Choice_2_1:City, Mayor:2:Vote For 1:Bo:NON"\n'
    b"1,a,0,1,1,0\n2,b,1,1,0,0\n3,c,0,0,0,0\n"
)


def test_the_clear_ballot_reader_never_crashes(tmp_path: Path) -> None:
    from omov.count.formats.clear_ballot import parse_clear_ballot

    path = tmp_path / "cvr.csv"
    reader_never_crashes(
        lambda: parse_clear_ballot(path, "City, Mayor"), inputs(CLEAR_BALLOT), path
    )


def test_the_ess_xlsx_reader_never_crashes(tmp_path: Path, data_dir: Path) -> None:
    """The workbook's sheet and shared strings mutated inside a well-formed zip (a mutated
    zip is mostly refused before any XML is read)."""
    from omov.count.formats.ess_xlsx import parse_ess_xlsx

    case = "test_set_allow_only_one_winner_per_round"
    source = data_dir / "rctab" / case / f"{case}_cvr.xlsx"
    with zipfile.ZipFile(source) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet, strings = "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"
    path = tmp_path / "cvr.xlsx"

    @st.composite
    def workbooks(draw: st.DrawFn) -> bytes:
        part = draw(st.sampled_from([sheet, strings]))
        changed = dict(parts, **{part: draw(inputs(parts[part][:4000]))})
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as book:
            for name, data in changed.items():
                book.writestr(name, data)
        return out.getvalue()

    reader_never_crashes(lambda: parse_ess_xlsx(path, first_vote_column=2), workbooks(), path)


# -- omov rules explain: the events file ------------------------------------------------------


def test_omov_rules_explain_never_crashes_on_the_events_file(tmp_path: Path) -> None:
    seed = (Path(__file__).parents[1] / "rules" / "events" / "labour-2016.yaml").read_bytes()
    fuzz_file(
        tmp_path,
        "events.yaml",
        inputs(seed[:3000]),
        lambda path: ["rules", "explain", "labour/2016", "--events", str(path)],
        lines=None,
    )


# -- omov ledger check: the head files and the proof --------------------------------------------


def test_omov_ledger_check_never_crashes_on_a_head_or_a_proof(bundle: Path, tmp_path: Path) -> None:
    heads = sorted(bundle.rglob("*head*.json"))
    assert heads, bundle_files(bundle)
    seed = heads[0].read_bytes()

    @FUZZ
    @given(which=st.sampled_from(["old", "new", "proof"]), data=st.data())
    def run(which: str, data: st.DataObject) -> None:
        files = {"old": seed, "new": seed, "proof": b'["AAAA"]'}
        files[which] = data.draw(json_inputs(files[which]))
        for name, content in files.items():
            (tmp_path / name).write_bytes(content)
        old, new, proof = (str(tmp_path / name) for name in ("old", "new", "proof"))
        check(omov("ledger", "check", old, new, "--proof", proof))

    run()


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"events:\n  - \x80", "not UTF-8 text"), (b"[" * 100_000, "nested too deeply")],
)
def test_an_events_file_not_utf8_or_nested_too_deeply_is_one_line(
    tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "events.yaml"
    path.write_bytes(data)
    outcome = omov("rules", "explain", "labour/2016", "--events", str(path))
    check(outcome)
    assert outcome.status == 2
    assert message in outcome.output


# -- trustee messages, as omov trustee check and the other trustee commands read them ---------


def test_trustee_messages_are_read_or_refused_in_one_line(tmp_path: Path) -> None:
    from omov.cli.trustee_cmd import _messages
    from omov.secrecy.errors import ProofError
    from omov.secrecy.messages import FORMAT

    seed = json.dumps(
        {
            "format": FORMAT,
            "kind": "trustee-introduced",
            "contest": "c1",
            "trustee": 1,
            "body": {"trustees": 3, "threshold": 2, "box_key": "AAAA"},
            "signing_key": "AAAA",
            "signature": "AAAA",
        }
    ).encode()
    folder = tmp_path / "messages"
    folder.mkdir()

    @FUZZ
    @given(data=json_inputs(seed))
    def run(data: bytes) -> None:
        (folder / "1.json").write_bytes(data)
        refusal = ""
        with hang_guard():
            try:
                _messages(folder)
            except ProofError as refused:
                refusal = str(refused)
        assert len(refusal.splitlines()) <= 1

    run()
