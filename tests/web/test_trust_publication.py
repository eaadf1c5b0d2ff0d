"""The demo contest, published: its bundle (CLI and zip) verifies, observers can check the
served heads with ``omov ledger check``, and voters find their tracker on the board."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from omov.cli import app
from omov.cli import commands as _commands  # noqa: F401  (registers the commands)
from omov.ledger.verify import verify_bundle
from omov.web.access.models import Role
from omov.web.access.roles import may
from omov.web.balloting.models import Ballot
from omov.web.balloting.services import ballot_cast, ballot_close
from omov.web.contests.models import Contest
from omov.web.demo import Demo, demo_seed, demo_trustees
from omov.web.results.services import result_count, result_publish
from omov.web.trust import selectors
from omov.web.trust.models import OrganisationKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def published() -> tuple[Demo, Contest, str]:
    """The demo contest, the demo voter's ballot cast, closed, counted and published."""
    demo = demo_seed(cast_fraction=0.3, scale=0.001)
    contest = Contest.objects.get(pk=demo.contest_id)
    tracker = ballot_cast(contest=contest, code=demo.voting_code, ranking=[2, 1])
    ballot_close(contest=contest, reason="the test closes it early")
    demo_trustees(contest).mix_and_decrypt()
    result_count(contest=contest)
    result_publish(contest=contest)
    return demo, contest, tracker


def test_the_demo_bundle_built_by_the_cli_verifies(
    published: tuple[Demo, Contest, str], tmp_path: Path
) -> None:
    demo, contest, tracker = published
    bundle = tmp_path / "bundle"
    runner = CliRunner()
    built = runner.invoke(app, ["bundle", "build", str(contest.pk), "-o", str(bundle)])
    assert built.exit_code == 0, built.output
    fingerprint = OrganisationKey.objects.get().fingerprint
    verified = runner.invoke(
        app, ["verify", str(bundle), "--tracker", tracker.lower(), "--expect-key", fingerprint]
    )
    assert verified.exit_code == 0, verified.output
    assert "FAIL" not in verified.output
    assert "your tracker" in verified.output
    checks = verify_bundle(bundle)
    assert {c.name for c in checks} >= {"manifest", "signature", "log consistency", "recount"}
    # Every proof of the encrypted ballots, one check per box for the mixes and shares.
    assert {"key generation", "ballot proofs", "shuffle", "decryption", "decrypted board"} <= {
        c.name for c in checks
    }
    assert "ok   decrypted board" in verified.output
    assert Ballot.objects.count() == demo.ballots_cast + 1
    assert f"{demo.ballots_cast + 1} ballots" in verified.output


def test_the_bundle_shows_nobody_and_is_all_or_nothing(
    published: tuple[Demo, Contest, str], tmp_path: Path
) -> None:
    _, contest, _ = published
    bundle = tmp_path / "bundle"
    runner = CliRunner()
    assert (
        runner.invoke(app, ["bundle", "build", str(contest.pk), "-o", str(bundle)]).exit_code == 0
    )
    text = b"".join(p.read_bytes() for p in bundle.rglob("*") if p.is_file())
    for reference in contest.electors.values_list("reference", flat=True):
        assert reference.encode() not in text  # excluded, appealed and voters alike
    assert b"vetting-decided" in text
    assert b"appeal-decided" in text
    again = runner.invoke(app, ["bundle", "build", str(contest.pk), "-o", str(bundle)])
    assert again.exit_code != 0
    missing = runner.invoke(app, ["bundle", "build", "999999", "-o", str(tmp_path / "x")])
    assert missing.exit_code != 0
    assert "no contest 999999" in str(missing.exception)


def test_the_zip_download_verifies(published: tuple[Demo, Contest, str], tmp_path: Path) -> None:
    _, contest, _ = published
    page = Client().get(reverse("results", args=[contest.pk]))
    fingerprint = OrganisationKey.objects.get().fingerprint
    assert fingerprint[:4] in page.content.decode()
    assert reverse("bundle-download", args=[contest.pk]) in page.content.decode()
    response = Client().get(reverse("bundle-download", args=[contest.pk]))
    assert response["Content-Type"] == "application/zip"
    # The page's command, as given, on the file as downloaded (the name it is saved under).
    name = f"contest-{contest.pk}-bundle.zip"
    assert f'filename="{name}"' in response["Content-Disposition"]
    command = f"omov verify {name}"
    assert command in page.content.decode()
    (tmp_path / name).write_bytes(response.content)
    runner = CliRunner()
    as_downloaded = runner.invoke(app, [*command.split()[1:-1], str(tmp_path / name)])
    assert as_downloaded.exit_code == 0, as_downloaded.output
    assert "FAIL" not in as_downloaded.output
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(tmp_path / "unzipped")
    unzipped = runner.invoke(app, ["verify", str(tmp_path / "unzipped")])
    assert unzipped.exit_code == 0, unzipped.output
    checks = verify_bundle(tmp_path / "unzipped" / f"contest-{contest.pk}-bundle")
    assert [c.line() for c in checks if not c.ok] == []


def test_served_heads_check_with_omov_ledger_check(
    published: tuple[Demo, Contest, str], tmp_path: Path
) -> None:
    _, contest, _ = published
    client = Client()
    page = client.get(reverse("ledger-heads", args=[contest.pk])).content.decode()
    served = client.get(reverse("ledger-heads-json", args=[contest.pk])).json()
    assert [h["checkpoint"] for h in served["contest"]] == [
        "ballot-opened",
        "ballot-closed",
        "published",
    ]
    assert served["contest"][-1]["root"] in page
    old = client.get(reverse("ledger-head", args=[contest.pk, "contest", 0]))
    new = client.get(reverse("ledger-head", args=[contest.pk, "contest", 2]))
    assert old.json() == served["contest"][0]
    (tmp_path / "old.json").write_bytes(old.content)
    (tmp_path / "new.json").write_bytes(new.content)
    bundle = tmp_path / "bundle"
    runner = CliRunner()
    assert (
        runner.invoke(app, ["bundle", "build", str(contest.pk), "-o", str(bundle)]).exit_code == 0
    )
    assert json.loads((bundle / "ledger" / "heads.json").read_text()) == served
    args = ["ledger", "check", str(tmp_path / "old.json"), str(tmp_path / "new.json")]
    checked = runner.invoke(app, [*args, "--log", str(bundle)])
    assert checked.exit_code == 0, checked.output
    assert "consistent" in checked.output
    backwards = runner.invoke(
        app,
        [
            "ledger",
            "check",
            str(tmp_path / "new.json"),
            str(tmp_path / "old.json"),
            "--log",
            str(bundle),
        ],
    )
    assert backwards.exit_code != 0
    assert client.get(reverse("ledger-head", args=[contest.pk, "contest", 9])).status_code == 404


def test_the_board_lists_trackers_after_close_and_checks_one(
    published: tuple[Demo, Contest, str],
) -> None:
    _, contest, tracker = published
    client = Client()
    page = client.get(reverse("ballot-board", args=[contest.pk])).content.decode()
    receipts = sorted(Ballot.objects.values_list("receipt", flat=True))
    assert page.count("<li><code>") == len(receipts)
    positions = [page.index(r) for r in receipts]
    assert positions == sorted(positions)  # sorted: the board says nothing of casting order
    assert "board.js" in page
    typed = tracker.lower().replace("-", " ")
    found = client.get(reverse("ballot-board", args=[contest.pk]), {"tracker": typed})
    assert "is on the board" in found.content.decode()
    absent = client.get(reverse("ballot-board", args=[contest.pk]), {"tracker": "AAAA-BBBB"})
    assert "is not on the board" in absent.content.decode()


def test_the_board_is_served_a_page_at_a_time(
    published: tuple[Demo, Contest, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A contest of Labour's size would make one page of tens of megabytes: the board
    lists a page of trackers, numbered from where the page starts, with links on."""
    _, contest, _ = published
    monkeypatch.setattr(selectors, "BOARD_PAGE", 5)
    receipts = sorted(Ballot.objects.values_list("receipt", flat=True))
    assert len(receipts) > 10
    client = Client()
    url = reverse("ballot-board", args=[contest.pk])
    second = client.get(url, {"page": 2}).content.decode()
    listed = [line.split("<code>")[1].split("</code>")[0] for line in second.split("<li>")[1:6]]
    assert listed == receipts[5:10]
    assert '<ol id="trackers" class="trackers" start="6">' in second
    assert f"{len(receipts)} trackers" in second
    assert 'href="?page=1" rel="prev"' in second
    assert 'href="?page=3" rel="next"' in second
    last = client.get(url, {"page": 10**6}).content.decode()  # past the end: the last page
    assert receipts[-1] in last
    assert 'rel="next"' not in last


def test_the_browser_checks_a_tracker_against_its_range_only(
    published: tuple[Demo, Contest, str],
) -> None:
    """The range of a tracker is every tracker with its first two characters, so the
    server learns only the range; a prefix that is not base32 is no range."""
    _, contest, tracker = published
    receipts = sorted(Ballot.objects.values_list("receipt", flat=True))
    client = Client()
    prefix = tracker[:2]
    response = client.get(reverse("ballot-board-range", args=[contest.pk, prefix]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().splitlines() == [r for r in receipts if r.startswith(prefix)]
    assert tracker in response.content.decode().splitlines()
    for bad in ("A", "ABC", "A1", "a-"):
        assert client.get(reverse("ballot-board-range", args=[contest.pk, bad])).status_code == 404
    page = client.get(reverse("ballot-board", args=[contest.pk])).content.decode()
    assert f'data-range-url="/contest/{contest.pk}/board/range/XX.txt"' in page


def test_the_board_is_empty_while_open_and_officers_sign_checkpoints(db: None) -> None:
    demo = demo_seed(cast_fraction=0.3, scale=0.001)
    client = Client()
    page = client.get(reverse("ballot-board", args=[demo.contest_id])).content.decode()
    assert "once the ballot has closed" in page
    assert "<li><code>" not in page
    assert client.get(reverse("bundle-download", args=[demo.contest_id])).status_code == 404
    checkpoint = reverse("ledger-checkpoint", args=[demo.contest_id])
    assert client.post(checkpoint).status_code == 302  # to the login page: nothing signed
    assert (
        client.get(reverse("ledger-heads-json", args=[demo.contest_id])).json()["ballots"][-1][
            "checkpoint"
        ]
        == "ballot-opened"
    )
    assert (
        client.post(
            reverse("login"), {"username": demo.officer, "password": demo.password}
        ).status_code
        == 302
    )
    dashboard = client.get(reverse("contest-dashboard", args=[demo.contest_id]))
    assert checkpoint in dashboard.content.decode()
    assert client.post(checkpoint).status_code == 302
    heads = client.get(reverse("ledger-heads-json", args=[demo.contest_id])).json()["ballots"]
    assert heads[-1]["checkpoint"] == "while-open"
    assert heads[-1]["size"] == demo.ballots_cast
    officer = get_user_model().objects.get(username=demo.officer)
    assert may(officer, Role.RETURNING_OFFICER, Contest.objects.get(pk=demo.contest_id))
