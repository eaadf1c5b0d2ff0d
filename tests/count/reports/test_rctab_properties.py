"""Every registered method's RCTab JSON, on random ballot sets: rcvformats accepts it, and
its ``tallyResults`` account for every vote that moves between rounds (``rcvis.py``)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.count.reports.rcvis import assert_rcvis_accepts
from tests.count.test_properties import ALL_METHODS, EXAMPLES, Profile, profiles, run, seats_for


@pytest.mark.parametrize("method", ALL_METHODS)
@EXAMPLES
@given(profile=profiles(), data=st.data())
def test_rcvis_accepts_every_report(method: str, profile: Profile, data: Any) -> None:
    assert_rcvis_accepts(run(method, profile.ballots(), seats_for(method, profile, data.draw)))
