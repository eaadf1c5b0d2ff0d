"""A demo contest's signed bundle, built once: the Labour 2016 rulebook (IRV) over the
bundled example ward's ballots, with a returning officer's and a scrutineer's keys; and an
encrypted one over some of the ward's rankings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from omov.count import BallotSet
from omov.count.formats import read_ballots
from omov.examples import WARD_BLT
from omov.ledger.board import TrackerMode
from omov.ledger.bundle import write_bundle, write_signature
from omov.ledger.demo import DemoContest, run_demo_contest
from omov.ledger.keys import SigningKey
from omov.rules.counting import count_setup
from omov.rules.loading import load_rulebook

RULEBOOK = "labour/2016"


def rulebook_text(mode: TrackerMode = TrackerMode.INCLUSION) -> str:
    """Labour 2016's rulebook, with its tracker mode set to ``mode``."""
    from importlib import resources

    text = resources.files("omov.rules.rulebooks").joinpath("labour", "2016.toml").read_text()
    return text.replace('trackers = "inclusion"', f'trackers = "{mode.value}"', 1)


@pytest.fixture(scope="session")
def officer() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="session")
def scrutineer() -> SigningKey:
    return SigningKey.generate()


def build_demo(
    officer: SigningKey, mode: TrackerMode = TrackerMode.INCLUSION, **kwargs: object
) -> DemoContest:
    method, seats, options = count_setup(load_rulebook(RULEBOOK))
    return run_demo_contest(
        read_ballots(WARD_BLT),
        rulebook_edition=RULEBOOK,
        rulebook_text=rulebook_text(mode),
        method=method,
        seats=seats,
        options=options,
        officer=officer,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def demo(officer: SigningKey) -> DemoContest:
    return build_demo(officer, mode=TrackerMode.CONTENT)


@pytest.fixture(scope="session")
def bundle_dir(
    tmp_path_factory: pytest.TempPathFactory,
    demo: DemoContest,
    officer: SigningKey,
    scrutineer: SigningKey,
) -> Path:
    directory = tmp_path_factory.mktemp("bundle") / "demo"
    write_bundle(demo.publication, directory, officer)
    write_signature(directory, scrutineer, role="scrutineer")
    return directory


def small_ward(size: int = 12) -> BallotSet:
    """About ``size`` of the example ward's rankings, one ballot each, spread over them all
    (an encrypted contest's proofs cost milliseconds a ballot, and the mutation suite
    checks a thousand bundles)."""
    ballots = read_ballots(WARD_BLT)
    rows = np.linspace(0, ballots.n_unique - 1, size).astype(np.intp)
    return replace(ballots, rankings=ballots.rankings[rows], weights=np.ones(len(rows), np.int64))


def build_encrypted(
    officer: SigningKey, ballots: BallotSet | None = None, **kwargs: object
) -> DemoContest:
    """A demo contest whose ballots (``small_ward()``'s unless given) are encrypted, mixed
    and decrypted by trustees."""
    method, seats, options = count_setup(load_rulebook(RULEBOOK))
    settings: dict[str, object] = {"rulebook_text": rulebook_text(TrackerMode.CONTENT), **kwargs}
    return run_demo_contest(
        small_ward() if ballots is None else ballots,
        rulebook_edition=RULEBOOK,
        method=method,
        seats=seats,
        options=options,
        officer=officer,
        encrypted=True,
        **settings,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def encrypted_demo(officer: SigningKey) -> DemoContest:
    return build_encrypted(officer)


@pytest.fixture(scope="session")
def encrypted_bundle_dir(
    tmp_path_factory: pytest.TempPathFactory,
    encrypted_demo: DemoContest,
    officer: SigningKey,
    scrutineer: SigningKey,
) -> Path:
    directory = tmp_path_factory.mktemp("encrypted") / "demo"
    write_bundle(encrypted_demo.publication, directory, officer)
    write_signature(directory, scrutineer, role="scrutineer")
    return directory
