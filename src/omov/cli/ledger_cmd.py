"""``omov ledger check``, ``omov bundle ...`` and ``omov verify``: the trust commands."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Annotated

import typer

from omov.cli import app, console, register_domain_error
from omov.ledger.errors import LedgerError

register_domain_error("omov.ledger.errors", "LedgerError")

ledger_app = typer.Typer(help="The contest's transparency log.", no_args_is_help=True)
bundle_app = typer.Typer(help="Results bundles: build, sign.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")
app.add_typer(bundle_app, name="bundle")

PASSPHRASE_ENV = "OMOV_KEY_PASSPHRASE"
KeyOption = Annotated[Path, typer.Option("--key", help="Encrypted Ed25519 key file.")]


def _passphrase(confirm: bool = False) -> bytes:
    """From $OMOV_KEY_PASSPHRASE (scripts, CI) or asked for without echo."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value is None:
        value = typer.prompt("Key passphrase", hide_input=True, confirmation_prompt=confirm)
    return value.encode("utf-8")


def _read_head(path: Path) -> object:
    from omov.ledger.heads import SignedTreeHead

    try:
        data = json.loads(path.read_bytes())
    except OSError as error:
        raise LedgerError(f"{path}: cannot read ({error.strerror})") from None
    except (ValueError, UnicodeDecodeError):
        raise LedgerError(f"{path}: not JSON") from None
    return SignedTreeHead.from_json(data, source=str(path))


@ledger_app.command("check")
def ledger_check(
    old_head: Annotated[Path, typer.Argument(help="The tree head saved earlier (JSON).")],
    new_head: Annotated[Path, typer.Argument(help="The later tree head (JSON).")],
    log: Annotated[
        Path | None, typer.Option("--log", help="The log's entries (entries.jsonl or a bundle).")
    ] = None,
    proof: Annotated[
        Path | None, typer.Option("--proof", help="A consistency proof: JSON list of base64.")
    ] = None,
) -> None:
    """Prove that the log behind NEW_HEAD only extends the log behind OLD_HEAD."""
    from omov.ledger.heads import SignedTreeHead, head_matches_log, heads_consistent
    from omov.ledger.log import Log

    old, new = _read_head(old_head), _read_head(new_head)
    assert isinstance(old, SignedTreeHead)
    assert isinstance(new, SignedTreeHead)
    for path, head in ((old_head, old), (new_head, new)):
        if not head.signature_holds():
            raise LedgerError(f"{path}: the tree head's signature does not verify")
    if log is not None:
        entries = log / "ledger" / "entries.jsonl" if log.is_dir() else log
        the_log = Log.read(new.head.log_id, entries)
        problem = head_matches_log(new, the_log)
        if problem:
            raise LedgerError(f"{new_head}: {problem}")
        hashes = the_log.consistency_proof(min(old.size, new.size), new.size)
    elif proof is not None:
        hashes = [base64.b64decode(h) for h in json.loads(proof.read_text())]
    else:
        raise typer.BadParameter("give --log ENTRIES or --proof PROOF")
    problem = heads_consistent(old, new, hashes)
    if problem:
        raise LedgerError(f"{new_head}: {problem}")
    console.print(
        f"consistent: the log of {new.size} entries extends the log of {old.size} "
        f"(key {new.key_fingerprint[:16]}…)"
    )


@bundle_app.command("keygen")
def bundle_keygen(
    output: Annotated[Path, typer.Argument(help="Where to write the encrypted key.")],
) -> None:
    """Generate an organisation's Ed25519 signing key, encrypted with a passphrase."""
    from omov.ledger.keys import SigningKey, short_fingerprint

    if output.exists():
        raise LedgerError(f"{output} exists; a key is never overwritten")
    key = SigningKey.generate()
    key.save(output, _passphrase(confirm=True))
    console.print(f"key {output}: fingerprint {short_fingerprint(key.fingerprint)}")


@bundle_app.command("build-demo")
def bundle_build_demo(
    ballots: Annotated[Path, typer.Argument(help="Ballot file (BLT, CSV, Parquet...).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="New bundle directory.")],
    rulebook: Annotated[str, typer.Option(help="Rulebook id or TOML file.")] = "labour/2016",
    key: KeyOption = Path("officer.key"),
    trackers: Annotated[str, typer.Option(help="inclusion|content")] = "inclusion",
    min_section: Annotated[int, typer.Option(help="Smaller sections are merged.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the simulated casting.")] = 0,
) -> None:
    """Play a demo contest over a ballot file and write its signed results bundle."""
    from omov.count.formats import read_ballots
    from omov.ledger.board import TrackerMode
    from omov.ledger.bundle import write_bundle
    from omov.ledger.demo import run_demo_contest
    from omov.ledger.keys import SigningKey
    from omov.rules.counting import count_setup
    from omov.rules.loading import load_rulebook

    edition, text = _rulebook_text(rulebook)
    method, seats, options = count_setup(load_rulebook(rulebook))
    officer = SigningKey.load(key, _passphrase())
    demo = run_demo_contest(
        read_ballots(ballots),
        rulebook_edition=edition,
        rulebook_text=text,
        method=method,
        seats=seats,
        options=options,
        officer=officer,
        contest_id=ballots.stem,
        mode=TrackerMode(trackers),
        min_section=min_section,
        seed=seed,
    )
    write_bundle(demo.publication, output, officer)
    console.print(
        f"bundle {output}: {demo.publication.board.size} ballots, elected "
        f"{', '.join(demo.publication.report.elected)}"
    )


def _rulebook_text(name: str) -> tuple[str, str]:
    path = Path(name)
    if path.is_file():
        return path.stem, path.read_text(encoding="utf-8")
    from importlib import resources

    from omov.rules.loading import SHIPPED

    organisation, _, edition = name.partition("/")
    resource = resources.files(SHIPPED).joinpath(organisation, f"{edition}.toml")
    if not resource.is_file():
        raise LedgerError(f"no rulebook file or shipped rulebook {name!r}")
    return name, resource.read_text(encoding="utf-8")


@bundle_app.command("sign")
def bundle_sign(
    directory: Annotated[Path, typer.Argument(help="The bundle directory.")],
    key: KeyOption,
    role: Annotated[str, typer.Option(help="Who signs.")] = "scrutineer",
) -> None:
    """Countersign a bundle's manifest (run `omov verify` on it first)."""
    from omov.ledger.bundle import write_signature
    from omov.ledger.keys import SigningKey
    from omov.ledger.verify import open_bundle

    open_bundle(directory)
    signer = SigningKey.load(key, _passphrase())
    path = write_signature(directory, signer, role=role)
    console.print(f"signed: {path.relative_to(directory)}")


@app.command("verify")
def verify_command(
    directory: Annotated[Path, typer.Argument(help="The results bundle directory.")],
    tracker: Annotated[str | None, typer.Option(help="Check that this tracker is counted.")] = None,
    export: Annotated[
        Path | None, typer.Option(help="Also write the ballots as BLT and RCTab CSV here.")
    ] = None,
    expect_key: Annotated[
        list[str] | None, typer.Option(help="The officer key fingerprint you trust (prefix).")
    ] = None,
) -> None:
    """Check a results bundle offline and recount it; exit 0 only if every check holds."""
    from omov.ledger.export import export_ballots
    from omov.ledger.verify import open_bundle, verify_bundle

    checks = verify_bundle(directory, tracker=tracker, expect_keys=expect_key or ())
    for check in checks:
        style = "green" if check.ok else "red"
        console.print(f"[{style}]{check.line()}[/{style}]", highlight=False, soft_wrap=True)
    failed = sum(not c.ok for c in checks)
    if export is not None:
        from omov.ledger.board_file import read_board

        bundle = open_bundle(directory)
        board = read_board(directory / "ballots.parquet", ())
        for path in export_ballots(
            board,
            export,
            title=str(bundle.marker.get("title", "")),
            seats=int(bundle.marker["count"]["seats"]),
        ):
            console.print(f"exported {path}")
    if failed:
        console.print(f"[red]{failed} of {len(checks)} checks failed[/red]")
        # SystemExit, not typer.Exit: main() runs click with standalone_mode=False, which
        # turns typer.Exit into a return value and would lose the status.
        raise SystemExit(1)
    console.print(f"[green]all {len(checks)} checks hold[/green]")
