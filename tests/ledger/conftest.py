"""A demo contest's signed bundle, built once: the Labour 2016 rulebook (IRV) over the
bundled example ward's ballots, with a returning officer's and a scrutineer's keys."""

from __future__ import annotations

from pathlib import Path

import pytest

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
