"""``omov ledger check``, ``omov bundle ...`` and ``omov verify``: the trust commands."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from omov.cli import app, console, register_domain_error
from omov.ledger.errors import LedgerError

if TYPE_CHECKING:
    from omov.ledger.heads import SignedTreeHead
    from omov.ledger.verify.check import Check, SavedHead

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


def _read_head(path: Path) -> SignedTreeHead:
    from omov.ledger import strict_json
    from omov.ledger.heads import SignedTreeHead
    from omov.ledger.verify.files import read_regular

    read = read_regular(path)  # never follows a link or waits on a pipe
    if isinstance(read, str):
        raise LedgerError(f"{path}: {read}")
    return SignedTreeHead.from_json(strict_json.loads(read, source=str(path)), source=str(path))


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
    from omov.ledger.heads import head_matches_log, heads_consistent
    from omov.ledger.log import Log

    old, new = _read_head(old_head), _read_head(new_head)
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
    from omov.ledger.keys import SigningKey

    if output.exists():
        raise LedgerError(f"{output} exists; a key is never overwritten")
    key = SigningKey.generate()
    key.save(output, _passphrase(confirm=True))
    public = output.with_name(f"{output.name}.pub")
    public.write_bytes(key.public.to_pem())
    console.print(f"key {output}: fingerprint {key.fingerprint}", highlight=False, soft_wrap=True)
    console.print(f"public key {public}: give it to observers for --expect-key or --trust")


@bundle_app.command("build-demo")
def bundle_build_demo(
    ballots: Annotated[Path, typer.Argument(help="Ballot file (BLT, CSV, Parquet...).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="New bundle directory.")],
    rulebook: Annotated[str, typer.Option(help="Rulebook id or TOML file.")] = "labour/2016",
    key: KeyOption = Path("officer.key"),
    seed: Annotated[int, typer.Option(help="Seed of the simulated casting.")] = 0,
    encrypted: Annotated[
        bool,
        typer.Option(
            "--encrypted/--plain",
            help="Encrypt the ballots, mix and decrypt them by simulated trustees (or not).",
        ),
    ] = True,
) -> None:
    """Play a demo contest over a ballot file and write its signed results bundle (the
    tracker mode and the smallest section published alone are the rulebook's)."""
    from omov.count.formats import read_ballots
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
        seed=seed,
        encrypted=encrypted,
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
    bundle: Annotated[
        Path,
        typer.Argument(
            help="The results bundle: its zip as downloaded, or the directory it was unzipped into."
        ),
    ],
    tracker: Annotated[str | None, typer.Option(help="Check that this tracker is counted.")] = None,
    export: Annotated[
        Path | None,
        typer.Option(help="Also write the ballots (BLT, RCTab CSV) and an RCTab config here."),
    ] = None,
    expect_key: Annotated[
        list[str] | None,
        typer.Option(help="The officer's key: its full fingerprint, or a public key file."),
    ] = None,
    trust: Annotated[
        list[str] | None,
        typer.Option(
            help="A scrutineer's key (fingerprint or file) whose countersignature "
            "must be present; repeatable."
        ),
    ] = None,
    head: Annotated[
        list[Path] | None,
        typer.Option(help="A tree head you saved while the contest ran (JSON); repeatable."),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            help="Processes that share the checks of the mixes and decryptions "
            "(0: one per core this process may use)."
        ),
    ] = 0,
) -> None:
    """Check a results bundle (or a petition's signed count) offline and recount it; exit 0
    only if every check holds."""
    from omov.ledger.petition_verify import petition_files, verify_petition
    from omov.ledger.verify import read_evidence, run_steps
    from omov.ledger.verify.check import Options

    files = petition_files(bundle)  # None for a contest's results, without reading them
    if files is not None:
        if tracker or export or trust or head:
            raise LedgerError(f"{bundle}: a petition's count takes only --expect-key")
        keys = tuple(_key_fingerprint(k, "--expect-key") for k in expect_key or ())
        _report(verify_petition(bundle, expect_keys=keys, files=files))
        return
    options = Options(
        tracker=tracker,
        expect_keys=tuple(_key_fingerprint(k, "--expect-key") for k in expect_key or ()),
        trusted=tuple(_key_fingerprint(k, "--trust") for k in trust or ()),
        saved_heads=tuple(_saved_heads(head or ())),
    )
    evidence = read_evidence(bundle, worker_count(workers))
    checks = run_steps(evidence, options)
    if export is not None:
        from omov.ledger.export import export_bundle

        _print_checks(checks)
        for path in export_bundle(evidence, export):
            console.print(f"exported {path}", highlight=False, soft_wrap=True)
        _verdict(checks)
        return
    _report(checks)


def worker_count(requested: int) -> int:
    """``requested`` processes, or for 0 one per core this process may run on: the proofs'
    checks are most of a verification (about 8 s of CPU for the demo bundle's) and split
    across processes, and whoever verifies wants the answer soon, not a core left idle."""
    if requested < 0:
        raise typer.BadParameter("must be 0 (one per core) or more", param_hint="--workers")
    if requested:
        return requested
    if hasattr(os, "sched_getaffinity"):  # the cores this process may use (Linux)
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _print_checks(checks: Sequence[Check]) -> None:
    for check in checks:
        style = "green" if check.ok else "red"
        console.print(f"[{style}]{check.line()}[/{style}]", highlight=False, soft_wrap=True)


def _report(checks: Sequence[Check]) -> None:
    _print_checks(checks)
    _verdict(checks)


def _verdict(checks: Sequence[Check]) -> None:
    failed = sum(not c.ok for c in checks)
    if failed:
        console.print(f"[red]{failed} of {len(checks)} checks failed[/red]")
        # SystemExit, not typer.Exit: main() runs click with standalone_mode=False, which
        # turns typer.Exit into a return value and would lose the status.
        raise SystemExit(1)
    console.print(f"[green]all {len(checks)} checks hold[/green]")


def _key_fingerprint(text: str, option: str) -> str:
    """A full fingerprint as typed, or the fingerprint of the public key in a file (PEM,
    or the base64 raw key). A prefix is refused: one takes seconds to match."""
    from omov.ledger.keys import public_key_file
    from omov.ledger.verify.steps_keys import fingerprint_of

    found = fingerprint_of(text)
    if found is not None:
        return found
    path = Path(text)
    if path.exists():
        return public_key_file(path).fingerprint
    raise LedgerError(
        f"{option} {text!r}: give the key's full fingerprint (64 hex digits) or its public key file"
    )


def _saved_heads(paths: Sequence[Path]) -> list[SavedHead]:
    from omov.ledger.verify.check import SavedHead

    return [SavedHead(str(path), _read_head(path)) for path in paths]
