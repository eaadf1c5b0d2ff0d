"""The ballot form read without the paper (``plain_form``, which the cast page uses so it
need not read the paper) against the full reading with it (``ranking_from_post``)."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omov.web.balloting.forms import plain_form, ranking_from_post
from omov.web.contests.selectors import ballot_positions
from omov.web.errors import ContestError

from .conftest import OpenBallot

pytestmark = pytest.mark.django_db

FIELDS = st.sampled_from(["1", "2", "3", "4", "9", "x", "01", "+1", " 2", "²", "-1"])
VALUES = st.sampled_from(["", " ", "1", "2", "3", "4", "0", "x", "²", " 1", "1 ", "01"])


def _form(fields: dict[str, str]) -> QueryDict:
    post = QueryDict(mutable=True)
    for position, value in fields.items():
        post[f"rank_{position}"] = value
    post["csrfmiddlewaretoken"] = "ignored"
    return post


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fields=st.dictionaries(FIELDS, VALUES, max_size=5))
def test_a_plain_form_reads_as_the_full_reading_does(
    open_ballot: OpenBallot, fields: dict[str, str]
) -> None:
    post, contest = _form(fields), open_ballot.contest
    paper = ballot_positions(contest=contest)
    plain = plain_form(post)
    try:
        full: list[int] | ContestError = ranking_from_post(post, contest)
    except ContestError as refusal:
        full = refusal
    if plain is None:  # not plain: the full reading refuses, or reads a form plain_form won't
        assert isinstance(full, ContestError) or any(not p.isdigit() for p in fields)
    elif set(plain.named) <= paper:
        assert full == plain.ranking
    else:  # plain, but names a position off the paper: what the cast statement refuses
        assert isinstance(full, ContestError)
        assert "not on this ballot" in str(full)


@pytest.mark.parametrize(
    ("fields", "ranking", "named"),
    [
        ({"2": "1", "1": "2", "3": ""}, [2, 1], [2, 1, 3]),
        ({"1": "1"}, [1], [1]),
        ({"9": "", "1": "1"}, [1], [9, 1]),  # plain: the paper check is the cast's
    ],
)
def test_plain_forms(fields: dict[str, str], ranking: list[int], named: list[int]) -> None:
    plain = plain_form(_form(fields))
    assert plain is not None
    assert (plain.ranking, plain.named) == (ranking, named)


@pytest.mark.parametrize(
    "fields",
    [{}, {"1": ""}, {"1": "2"}, {"1": "1", "2": "1"}, {"x": "1"}, {"1": "²"}, {"+1": "1"}],
)
def test_forms_that_are_not_plain(fields: dict[str, str]) -> None:
    assert plain_form(_form(fields)) is None
