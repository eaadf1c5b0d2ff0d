"""``omov trustee``: what a trustee runs offline, on their own machine, with their own key.

Every step reads the messages published so far (a directory of JSON files: the log's
trustee messages as the web app exports them, or as trustees exchanged them) and writes
one new signed message to publish. The key file never leaves the trustee; it is encrypted
under a passphrase read from $OMOV_TRUSTEE_PASSPHRASE or asked for without echo.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from omov.cli import app, console, register_domain_error

if TYPE_CHECKING:
    from omov.secrecy.keyfile import TrusteeKey
    from omov.secrecy.messages import Message
    from omov.secrecy.tally import BallotBox

register_domain_error("omov.secrecy.errors", "SecrecyError")

trustee_app = typer.Typer(
    help="Trustees: make the election key together, mix the ballots, decrypt them.",
    no_args_is_help=True,
)
keygen_app = typer.Typer(help="The distributed key generation, step by step.", no_args_is_help=True)
trustee_app.add_typer(keygen_app, name="keygen")
app.add_typer(trustee_app, name="trustee")

PASSPHRASE_ENV = "OMOV_TRUSTEE_PASSPHRASE"
KeyFileOption = Annotated[Path, typer.Option("--key", help="The trustee's encrypted key file.")]
MessagesOption = Annotated[
    Path, typer.Option("--messages", help="Directory of the trustee messages published so far.")
]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Where to write the new message.")]
BoxOption = Annotated[Path, typer.Option("--ballots", help="The ballot box (JSON) at close.")]
WorkersOption = Annotated[int, typer.Option(help="Worker processes for the per-ballot loops.")]


def _passphrase(confirm: bool = False) -> bytes:
    value = os.environ.get(PASSPHRASE_ENV)
    if value is None:
        value = typer.prompt("Trustee key passphrase", hide_input=True, confirmation_prompt=confirm)
    return value.encode()


def _load_key(path: Path) -> TrusteeKey:
    from omov.secrecy.keyfile import TrusteeKey

    return TrusteeKey.load(path, _passphrase())


def _messages(directory: Path) -> list[Message]:
    from omov.secrecy.errors import ProofError
    from omov.secrecy.messages import Message

    if not directory.is_dir():
        raise ProofError(f"{directory}: no such directory of trustee messages")
    found = []
    for path in sorted(directory.glob("*.json")):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise ProofError(f"{path}: cannot read ({e.strerror})") from None
        except UnicodeDecodeError as e:
            raise ProofError(f"{path}: not UTF-8 text (byte {e.start})") from None
        found.append(Message.from_json(text, source=str(path)))
    return found


def _box(path: Path) -> BallotBox:
    from omov.secrecy.errors import ProofError
    from omov.secrecy.tally import BallotBox

    try:
        record = json.loads(path.read_text())
    except OSError as e:
        raise ProofError(f"{path}: cannot read ({e.strerror})") from None
    except ValueError:
        raise ProofError(f"{path}: not JSON") from None
    return BallotBox.from_record(record, source=str(path))


def _write(message: Message, out: Path) -> None:
    from omov.secrecy.errors import ProofError

    if out.exists():
        raise ProofError(f"{out} exists; a published message is never overwritten")
    out.write_text(message.to_json() + "\n")
    console.print(
        f"{message.kind} of trustee {message.trustee}: {out} (sha256 {message.digest[:16]}…)"
    )


@keygen_app.command("start")
def keygen_start(
    contest: Annotated[
        str, typer.Option(help="The contest's identifier, as the web app shows it.")
    ],
    trustee: Annotated[int, typer.Option(help="This trustee's index, 1..n.")],
    key: KeyFileOption,
    out: OutOption,
    rulebook: Annotated[
        str | None, typer.Option(help="Rulebook id or TOML file naming n and k.")
    ] = None,
    trustees: Annotated[int | None, typer.Option(help="n, if no --rulebook names it.")] = None,
    threshold: Annotated[int | None, typer.Option(help="k, if no --rulebook names it.")] = None,
    kdf: Annotated[
        str, typer.Option(help="Argon2id cost: interactive|moderate|sensitive.")
    ] = "moderate",
) -> None:
    """Make this trustee's key file and the message that introduces them."""
    from omov.secrecy.errors import TrusteeKeyError
    from omov.secrecy.keyfile import STRENGTHS, TrusteeKey
    from omov.secrecy.trustee import introduce

    if rulebook is not None:
        from omov.rules.loading import load_rulebook

        voting = load_rulebook(rulebook).voting
        if voting is None:
            raise TrusteeKeyError(f"{rulebook}: the rulebook has no ballot of the electorate")
        named = (voting.trustees, voting.decryption_threshold)
        if (trustees, threshold) not in {(None, None), named}:
            raise TrusteeKeyError(f"the rulebook names {named[0]} trustees, {named[1]} to decrypt")
        trustees, threshold = named
    if trustees is None or threshold is None:
        raise TrusteeKeyError("give --rulebook, or both --trustees and --threshold")
    if kdf not in STRENGTHS:
        raise TrusteeKeyError(f"--kdf must be one of {', '.join(STRENGTHS)}")
    if key.exists():
        raise TrusteeKeyError(f"{key} exists; a trustee key is never overwritten")
    made = replace(TrusteeKey.new(contest, trustee, trustees, threshold), strength=kdf)
    made.save(key, _passphrase(confirm=True))
    _write(introduce(made), out)


@keygen_app.command("deal")
def keygen_deal(key: KeyFileOption, messages: MessagesOption, out: OutOption) -> None:
    """Step 1: commit to a polynomial and seal each other trustee's share to them."""
    from omov.secrecy.messages import Roster
    from omov.secrecy.trustee import deal

    roster = Roster.from_introductions(_messages(messages))
    _write(deal(_load_key(key), roster), out)


@keygen_app.command("confirm")
def keygen_confirm(key: KeyFileOption, messages: MessagesOption, out: OutOption) -> None:
    """Step 2: check every share received, keep this trustee's share of the key."""
    from omov.secrecy.keyfile import TrusteeKey
    from omov.secrecy.messages import Roster
    from omov.secrecy.trustee import confirm

    published = _messages(messages)
    roster = Roster.from_introductions(published)
    passphrase = _passphrase()
    finished, message = confirm(TrusteeKey.load(key, passphrase), roster, published)
    finished.save(key, passphrase)
    _write(message, out)


@keygen_app.command("check")
def keygen_check(messages: MessagesOption) -> None:
    """Anyone: check the key generation and print the election key."""
    from omov.secrecy.messages import Roster
    from omov.secrecy.records import b64
    from omov.secrecy.trustee import keygen_outcome

    published = _messages(messages)
    roster = Roster.from_introductions(published)
    key, verification = keygen_outcome(roster, published)
    console.print(
        f"key generation holds: {roster.trustees} trustees, {roster.threshold} to decrypt; "
        f"election key {b64(key)}"
    )
    for j, vk in sorted(verification.items()):
        console.print(f"  trustee {j}: verification key {b64(vk)}")


@trustee_app.command("mix")
def trustee_mix(
    key: KeyFileOption,
    ballots: BoxOption,
    messages: MessagesOption,
    out: OutOption,
    workers: WorkersOption = 2,
) -> None:
    """Re-encrypt and permute the last mix's output (or the ballot box), with a proof."""
    from omov.secrecy.messages import Roster
    from omov.secrecy.tally import mix_chain
    from omov.secrecy.trustee import keygen_outcome, mix

    published = _messages(messages)
    roster = Roster.from_introductions(published)
    election_key, _ = keygen_outcome(roster, published)
    box = _box(ballots)
    chain = mix_chain(box, roster, published, minimum=0)
    inputs = list(chain[-1].outputs) if chain else box.ciphertexts
    _write(mix(_load_key(key), election_key, inputs, workers), out)


@trustee_app.command("decrypt")
def trustee_decrypt(
    key: KeyFileOption,
    ballots: BoxOption,
    messages: MessagesOption,
    out: OutOption,
    workers: WorkersOption = 2,
) -> None:
    """Publish this trustee's decryption share of the last mix's output, with its proof."""
    from omov.secrecy.messages import Roster
    from omov.secrecy.tally import mix_chain
    from omov.secrecy.trustee import decrypt

    published = _messages(messages)
    roster = Roster.from_introductions(published)
    chain = mix_chain(_box(ballots), roster, published)
    _write(decrypt(_load_key(key), list(chain[-1].outputs), workers), out)


@trustee_app.command("check")
def trustee_check(
    ballots: BoxOption,
    messages: MessagesOption,
    workers: WorkersOption = 2,
) -> None:
    """Anyone: check the key generation, every ballot's proof, each mix in order and each
    decryption share, and print how many rankings the ballots decrypt to."""
    from omov.secrecy.errors import ProofError
    from omov.secrecy.transcript import check_transcript

    published = _messages(messages)
    outcome = check_transcript({"": _box(ballots)}, published, workers)
    if outcome.faults:
        raise ProofError("; ".join(outcome.faults))
    (checked,) = outcome.boxes
    papers = checked.rankings or ()
    spoilt = sum(1 for r in papers if r is None)
    console.print(
        f"holds: {checked.ballots} ballots, {len(checked.mixers)} mixes "
        f"(trustees {', '.join(str(m) for m in checked.mixers)}), "
        f"{len(checked.decrypters)} decryption shares; "
        f"{len(papers) - spoilt} rankings, {spoilt} spoilt"
    )
