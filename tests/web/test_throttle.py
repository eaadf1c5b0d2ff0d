"""Throttled sign-in: voting codes (growing delays per client, tighter under a flood, counted
for the officer) and officers' passwords (django-axes: lock-out per user name and client)."""

from __future__ import annotations

import datetime as dt
from math import inf
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from omov.cli import app
from omov.cli import commands as _commands  # noqa: F401  (registers the commands)
from omov.web.access.models import Role
from omov.web.balloting import throttle
from omov.web.balloting.checks import throttle_settings_check
from omov.web.balloting.models import CodeAttempts
from omov.web.balloting.selectors import Refusals, code_refusals
from omov.web.balloting.services import credential_check
from omov.web.balloting.throttle import Attempts, SignInHeldError, limits, wait
from omov.web.clients import client_key
from omov.web.deploy import number
from omov.web.errors import ContestError
from omov.web.jobs.schedule import schedule_tick

from .conftest import OpenBallot, officer_of

NOW = 1_800_000_000.0
FREE, FORGET = 5, 3600.0  # the defaults (OMOV_THROTTLE_FREE, OMOV_THROTTLE_FORGET_SECONDS)
WRONG = "ZZZZ-ZZZZ-ZZZZ"


@pytest.fixture
def stopped_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sign-in at the same instant: a thousand tries "in a minute" whatever the
    machine's speed."""
    monkeypatch.setattr(throttle, "clock", lambda: NOW)


def sign_in(contest_pk: int, code: str, address: str) -> int:
    response = Client(REMOTE_ADDR=address).post(
        reverse("vote-start", args=[contest_pk]), {"code": code}
    )
    return response.status_code


def test_the_delays_grow_and_are_forgotten_after_an_hour_of_quiet() -> None:
    waits = [wait(Attempts(n, NOW), NOW) for n in range(FREE + 1, FREE + 6)]
    assert waits == [1, 2, 4, 8, 16]
    assert all(wait(Attempts(n, NOW), NOW) == 0 for n in range(FREE + 1))
    assert wait(Attempts(50, NOW), NOW) == 900
    assert wait(Attempts(50, NOW), NOW + FORGET) == 0
    assert wait(Attempts(FREE + 3, NOW), NOW + 3) == 1  # four seconds from the last wrong code


def test_a_flooded_contest_leaves_each_client_fewer_free_tries() -> None:
    flooded = Attempts(2 + 1, NOW, 300 + 1, NOW - 10)
    assert wait(flooded, NOW) == 1
    calm = Attempts(2 + 1, NOW, 300 + 1, NOW - 61)
    assert wait(calm, NOW) == 0  # the flood's minute has passed
    newcomer = Attempts(0, 0.0, 300 * 100, NOW)
    assert wait(newcomer, NOW) == 0  # a client with no wrong code is never held back


def test_the_defaults_are_the_documented_numbers() -> None:
    assert limits() == throttle.Limits(5, 2, 300, 60.0, 3600.0, 900.0)
    assert wait(Attempts(2**40, NOW), NOW) == 900  # a very long run does not overflow


def test_the_numbers_are_settings(settings: Any) -> None:
    settings.OMOV_THROTTLE_FREE = 1
    settings.OMOV_THROTTLE_LONGEST_WAIT_SECONDS = 3
    assert [wait(Attempts(n, NOW), NOW) for n in range(1, 6)] == [0, 1, 2, 3, 3]
    settings.OMOV_THROTTLE_FORGET_SECONDS = 10
    assert wait(Attempts(5, NOW), NOW + 10) == 0


@pytest.mark.parametrize(
    ("name", "value", "refusal"),
    [
        ("OMOV_THROTTLE_FREE", 0, "OMOV_THROTTLE_FREE must be a whole number above zero"),
        ("OMOV_THROTTLE_FLOOD", -3, "OMOV_THROTTLE_FLOOD must be a whole number above zero"),
        ("OMOV_THROTTLE_FLOOD", 2.5, "OMOV_THROTTLE_FLOOD must be a whole number above zero"),
        ("OMOV_THROTTLE_FREE", "ten", "OMOV_THROTTLE_FREE must be a whole number above zero"),
        (
            "OMOV_THROTTLE_FORGET_SECONDS",
            float("nan"),
            "OMOV_THROTTLE_FORGET_SECONDS must be a number of seconds above zero",
        ),
        (
            "OMOV_THROTTLE_FREE_UNDER_FLOOD",
            6,
            "OMOV_THROTTLE_FREE_UNDER_FLOOD must be at most OMOV_THROTTLE_FREE",
        ),
        (
            "OMOV_THROTTLE_LONGEST_WAIT_SECONDS",
            7200,
            "OMOV_THROTTLE_LONGEST_WAIT_SECONDS must be at most OMOV_THROTTLE_FORGET_SECONDS",
        ),
    ],
)
def test_nonsense_numbers_stop_every_command_at_start_up(
    settings: Any, name: str, value: object, refusal: str
) -> None:
    assert throttle_settings_check() == []
    setattr(settings, name, value)
    assert [error.msg for error in throttle_settings_check()] == [refusal]
    with pytest.raises(SystemCheckError, match=refusal):
        call_command("check")


def test_omov_serve_refuses_nonsense_in_one_line(settings: Any) -> None:
    settings.OMOV_THROTTLE_FREE = 0
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "OMOV_THROTTLE_FREE must be a whole number above zero" in result.output
    assert "Traceback" not in result.output


def test_the_environment_reads_numbers_and_keeps_nonsense_for_the_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OMOV_X", raising=False)
    assert number("OMOV_X", 5) == 5
    for text, read in (("7", 7), ("1.5", 1.5), ("-2", -2), ("ten", "ten"), ("1e400", inf)):
        monkeypatch.setenv("OMOV_X", text)
        assert number("OMOV_X", 5) == read


@pytest.mark.django_db
def test_the_thousandth_wrong_code_in_a_minute_is_throttled(
    open_ballot: OpenBallot, stopped_clock: None
) -> None:
    contest = open_ballot.contest
    statuses = [sign_in(contest.pk, WRONG, "203.0.113.9") for _ in range(1000)]
    assert statuses[: FREE + 1] == [400] * (FREE + 1)
    assert set(statuses[FREE + 1 :]) == {429}
    # Held back, the client's valid code is refused unread; another client's works.
    code = next(iter(open_ballot.codes.values()))
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    held = attacker.post(reverse("vote-start", args=[contest.pk]), {"code": code})
    assert held.status_code == 429
    assert int(held["Retry-After"]) >= 1
    assert b"too many wrong codes" in held.content
    assert sign_in(contest.pk, code, "198.51.100.7") == 302
    # Only the codes actually read were checked; the officer sees every refusal.
    assert code_refusals(contest_id=contest.pk) == Refusals(FREE + 1, 1000 - FREE)
    officer = officer_of(contest.organisation, Role.SCRUTINEER)
    page = officer.get(reverse("contest-dashboard", args=[contest.pk])).content.decode()
    assert f"<strong>{FREE + 1}</strong> wrong voting codes" in page
    assert f"<strong>{1000 - FREE}</strong> more tries held back" in page


@pytest.mark.django_db
def test_a_voter_who_mistypes_twice_is_not_locked_out(
    open_ballot: OpenBallot, stopped_clock: None
) -> None:
    contest = open_ballot.contest
    code = next(iter(open_ballot.codes.values()))
    typo = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert sign_in(contest.pk, typo, "192.0.2.1") == 400
    assert sign_in(contest.pk, typo, "192.0.2.1") == 400
    assert sign_in(contest.pk, code, "192.0.2.1") == 302


@pytest.mark.django_db
def test_a_run_of_wrong_codes_is_forgotten_after_an_hour_of_quiet(
    open_ballot: OpenBallot,
) -> None:
    contest, client = open_ballot.contest, client_key("192.0.2.50")
    for _ in range(FREE + 1):
        with pytest.raises(ContestError):
            credential_check(contest=contest.pk, code=WRONG, client=client, now=NOW)
    with pytest.raises(SignInHeldError):
        credential_check(contest=contest.pk, code=WRONG, client=client, now=NOW)
    later = NOW + FORGET + 1
    code = next(iter(open_ballot.codes.values()))
    assert credential_check(contest=contest.pk, code=code, client=client, now=later)
    with pytest.raises(ContestError, match="not valid"):
        credential_check(contest=contest.pk, code=WRONG, client=client, now=later)
    row = CodeAttempts.objects.get(contest=contest, client=client)
    assert (row.failures, row.wrong, row.held) == (1, FREE + 2, 1)


@pytest.mark.django_db
def test_the_workers_tick_deletes_rows_an_hour_quiet_and_the_officer_keeps_the_counts(
    open_ballot: OpenBallot,
) -> None:
    contest, url = open_ballot.contest, reverse("vote-start", args=[open_ballot.contest.pk])
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):  # the throttle's clock is time.time()
        for _ in range(FREE + 2):  # the last is held back, unread
            Client(REMOTE_ADDR="203.0.113.9").post(url, {"code": WRONG})
    with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
        Client(REMOTE_ADDR="198.51.100.7").post(url, {"code": WRONG})
    counts = Refusals(FREE + 2, 1)
    assert code_refusals(contest_id=contest.pk) == counts
    clients = CodeAttempts.objects.exclude(client="")
    with time_machine.travel(start + dt.timedelta(seconds=FORGET - 1), tick=False):
        schedule_tick()
    assert clients.count() == 2  # not yet an hour since the first client's last wrong code
    with time_machine.travel(start + dt.timedelta(seconds=FORGET + 1), tick=False):
        assert schedule_tick() == ["forgot the wrong codes of 1 clients quiet for an hour"]
    assert list(clients.values_list("client", flat=True)) == [client_key("198.51.100.7")]
    assert code_refusals(contest_id=contest.pk) == counts  # the officer's totals stay
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        schedule_tick()
    assert not clients.exists()
    assert CodeAttempts.objects.filter(client="").count() == 1  # one row a contest, kept
    assert code_refusals(contest_id=contest.pk) == counts


@pytest.mark.django_db
def test_ipv6_clients_are_keyed_by_their_slash_64_and_no_address_is_stored(
    open_ballot: OpenBallot, stopped_clock: None
) -> None:
    contest = open_ballot.contest
    for n in range(FREE + 1):
        assert sign_in(contest.pk, WRONG, f"2001:db8:1:2::{n + 1}") == 400
    assert sign_in(contest.pk, WRONG, "2001:db8:1:2:ffff::1") == 429
    assert sign_in(contest.pk, WRONG, "2001:db8:1:3::1") == 400
    stored = list(CodeAttempts.objects.values_list("client", flat=True))
    assert client_key("2001:db8:1:2::99") in stored
    assert not any("2001" in key for key in stored)


@pytest.mark.django_db
def test_behind_a_proxy_the_client_is_the_address_the_proxy_saw(
    open_ballot: OpenBallot, stopped_clock: None, settings: object
) -> None:
    settings.OMOV_PROXY_COUNT = 1  # type: ignore[attr-defined]
    contest, url = open_ballot.contest, reverse("vote-start", args=[open_ballot.contest.pk])

    def post(forwarded: str) -> int:
        proxy = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
        return proxy.post(url, {"code": WRONG}).status_code

    # The attacker writes its own X-Forwarded-For; the proxy appends what it saw.
    assert [post(f"198.51.100.{n}, 203.0.113.5") for n in range(FREE + 2)][-1] == 429
    assert post("203.0.113.6") == 400  # another client behind the same proxy
    assert contest.pk


@pytest.mark.django_db
def test_officer_sign_in_locks_out_that_name_from_that_client() -> None:
    user = get_user_model().objects.create_user("ro", password="right-password")
    assert user.pk
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    login = reverse("login")
    for _ in range(4):
        wrong = attacker.post(login, {"username": "ro", "password": "guess"})
        assert wrong.status_code == 200  # the form again, with its error
    assert attacker.post(login, {"username": "ro", "password": "guess"}).status_code == 429
    locked = attacker.post(login, {"username": "ro", "password": "right-password"})
    assert locked.status_code == 429
    assert b"Sign-in paused" in locked.content
    assert b"guess" not in locked.content
    assert b"right-password" not in locked.content
    assert "_auth_user_id" not in attacker.session
    officer = Client(REMOTE_ADDR="198.51.100.7")
    ok = officer.post(login, {"username": "ro", "password": "right-password"})
    assert ok.status_code == 302
    assert AccessAttempt.objects.filter(username="ro", ip_address="203.0.113.9").exists()


@pytest.mark.django_db
def test_an_officer_who_mistypes_twice_signs_in() -> None:
    get_user_model().objects.create_user("ro2", password="right-password")
    client = Client(REMOTE_ADDR="192.0.2.1")
    for _ in range(2):
        typo = client.post(reverse("login"), {"username": "ro2", "password": "typo"})
        assert typo.status_code == 200
    signed_in = client.post(reverse("login"), {"username": "ro2", "password": "right-password"})
    assert signed_in.status_code == 302
    assert not AccessAttempt.objects.filter(username="ro2").exists()  # reset on success
