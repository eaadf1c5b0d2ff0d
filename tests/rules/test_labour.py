"""Labour leadership contests replayed against history (../shared/domain/rules-and-results.md)."""

from __future__ import annotations

import tomllib
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest

from omov.rules import DecisionKind as K
from omov.rules import (
    EventsError,
    count_setup,
    explain,
    load_events,
    load_rulebook,
    parse_events,
    parse_rulebook,
)
from tests.rules.helpers import about, of_kind, only, replay

EVENTS_2016 = Path(__file__).parent / "events" / "labour-2016.yaml"


def replay_2016(reading: str | None = None) -> list:
    book = load_rulebook("labour/2016")
    events = load_events(EVENTS_2016, timezone=book.timezone)
    if reading is not None:
        contest = events.contest.model_copy(update={"reading": reading})
        events = events.model_copy(update={"contest": contest})
    return explain(book, events)


def test_2016_shadow_cabinet_resignations_trigger_nothing():
    resignations = replay_2016()[:3]
    assert [d.kind for d in resignations] == [K.NOT_TRIGGERED] * 3
    first = resignations[0]
    assert first.summary == "Heidi Alexander resigns as shadow-health: no contest"
    assert "does not vacate the office of Leader of the Labour Party" in first.explanation
    assert first.citation == "Ch4 Cl II.2.A"
    assert not any("elected unopposed" in d.summary for d in replay_2016())


def test_a_resignation_by_someone_else_or_from_another_office_vacates_nothing():
    decisions = replay(
        "labour/2016",
        """
        contest: {office: leader, incumbent: Jeremy Corbyn}
        events:
          - {type: resignation, at: 2016-06-26, holder: Hilary Benn}
          - {type: resignation, at: 2016-06-27, holder: Tom Watson, office: deputy}
          - {type: resignation, at: 2016-06-28, holder: Jeremy Corbyn, office: leader}
        """,
    )
    assert [d.kind for d in decisions[:3]] == [
        K.NOT_TRIGGERED,
        K.NOT_TRIGGERED,
        K.CONTEST_TRIGGERED,
    ]
    assert decisions[0].summary == "Hilary Benn's resignation starts no contest"
    assert "Deputy Leader of the Labour Party" in decisions[1].summary


def test_2016_the_nec_sets_the_freeze_date_and_the_supporter_window():
    set_by_nec = of_kind(replay_2016(), K.DATE_SET)
    assert [d.summary for d in set_by_nec] == [
        "the NEC sets the freeze date: 12 January 2016",
        "the NEC sets the supporter window opens: 18 July 2016",
        "the NEC sets the supporter window closes: 20 July 2016",
    ]
    assert all("Ch4 Cl II.2.C.vii" in d.citation for d in set_by_nec)


def test_a_date_the_rulebook_fixes_cannot_be_set():
    decisions = replay(
        "conservative/2016",
        "[{type: date-set, at: 2016-07-01, what: freeze-date, value: 2016-01-01, by: the Board}]",
    )
    assert decisions[0].kind is K.NO_STANDING
    assert decisions[0].summary == "The freeze date cannot be set for this contest"


def test_2016_plp_motion_of_no_confidence_has_no_standing():
    decisions = replay_2016()
    motion = decisions[3]
    assert motion.kind is K.NO_STANDING
    assert "172–40" in motion.summary
    assert motion.citation == "Ch4 Cl II"
    assert "A challenge needs 51 nominations" in motion.explanation
    assert motion.arithmetic == "20% of 251 (PLP 231 + EPLP 20) = 50.2, rounded up to 51"
    assert not any(d.kind is K.CONTEST_TRIGGERED and d.at == motion.at for d in decisions)


def test_2016_eagle_declaration_with_20_percent_triggers_a_challenge():
    triggered = only(replay_2016(), K.CONTEST_TRIGGERED)
    assert triggered.summary == "Contest triggered (challenge)"
    assert "Angela Eagle challenges Jeremy Corbyn" in triggered.explanation
    assert triggered.citation == "Ch4 Cl II.2.B.ii"


def test_2016_a_challenger_one_short_of_51_triggers_nothing():
    decisions = replay(
        "labour/2016",
        """
        contest: {office: leader, incumbent: Jeremy Corbyn}
        events:
          - {type: declaration, at: 2016-07-11, candidate: Angela Eagle, nominations: {plp: 45,
             eplp: 5}}
        """,
    )
    assert [d.kind for d in decisions] == [K.NOT_TRIGGERED]
    assert "50 PLP+EPLP nominations, 51 needed" in decisions[0].explanation


def test_2016_challenger_threshold_is_51_of_251():
    threshold = only(replay_2016(), K.THRESHOLD)
    assert threshold.summary == "Each candidate needs 51 nominations from PLP+EPLP"
    assert "= 50.2, rounded up to 51" in threshold.arithmetic


def test_2016_smith_qualifies_with_172():
    decisions = replay_2016()
    smith = [d for d in decisions if d.subject == "Owen Smith"]
    assert [d.kind for d in smith] == [K.ON_BALLOT]
    assert "172 PLP+EPLP nominations, 51 needed" in smith[0].explanation


def test_2016_corbyn_on_the_ballot_under_the_nec_reading():
    decisions = replay_2016()
    assert about(decisions, "Jeremy Corbyn") == [K.ON_BALLOT]
    assert "18–14" in next(d for d in decisions if d.subject == "Jeremy Corbyn").explanation
    assert only(decisions, K.BALLOT).summary == "On the ballot: Jeremy Corbyn, Owen Smith"


def test_2016_corbyn_not_on_the_ballot_under_the_other_reading():
    decisions = replay_2016("all-nominated")
    corbyn = next(d for d in decisions if d.subject == "Jeremy Corbyn")
    assert corbyn.kind is K.NOT_ON_BALLOT
    assert "0 PLP+EPLP nominations, 51 needed" in corbyn.explanation
    assert only(decisions, K.ELECTED).subject == "Owen Smith"


def test_2016_eagle_withdrawal_keeps_her_off_the_ballot():
    decisions = replay_2016()
    assert about(decisions, "Angela Eagle") == [K.NOT_TRIGGERED, K.WITHDRAWN]  # shadow-business


def test_2016_nominations_after_the_close_are_late():
    decisions = replay(
        "labour/2016",
        """
        contest: {office: leader, incumbent: Jeremy Corbyn}
        events:
          - {type: declaration, at: 2016-07-13, candidate: Owen Smith, nominations: {plp: 60}}
          - {type: nominations, at: 2016-07-20T17:01, candidate: Owen Smith, nominations: {plp: 40}}
          - {type: date, at: 2016-07-21}
        """,
    )
    late = only(decisions, K.LATE)
    assert "17:00 on 20 July 2016" in late.explanation
    assert "60 PLP+EPLP nominations" in next(
        d.explanation for d in decisions if d.kind is K.ON_BALLOT and d.subject == "Owen Smith"
    )


def test_2016_supporting_nominations_do_not_gate_the_ballot():
    decisions = replay(
        "labour/2016",
        """
        contest: {office: leader, incumbent: Jeremy Corbyn}
        events:
          - {type: declaration, at: 2016-07-13, candidate: Owen Smith, nominations: {plp: 172}}
          - {type: supporting-nomination, at: 2016-08-01, candidate: Jeremy Corbyn, body: clps}
          - {type: close-nominations, at: 2016-07-20T17:00}
        """,
    )
    smith = next(d for d in decisions if d.subject == "Owen Smith")
    assert smith.kind is K.ON_BALLOT
    assert "supporting nominations" not in smith.explanation


def test_a_late_declaration_and_an_unknown_body():
    decisions = replay(
        "labour/2016",
        """
        contest: {office: leader}
        events:
          - {type: resignation, at: 2016-07-01}
          - {type: declaration, at: 2016-07-21, candidate: Too Late, nominations: {plp: 100}}
        """,
    )
    assert about(decisions, "Too Late") == [K.LATE]
    with pytest.raises(EventsError, match=r"^nominations from 'mps', not a body of labour/2016"):
        replay(
            "labour/2016",
            """
            contest: {office: leader}
            events:
              - {type: resignation, at: 2016-07-01}
              - {type: nominations, at: 2016-07-02, candidate: X, nominations: {mps: 100}}
            """,
        )


def test_nobody_nominated_means_no_ballot():
    decisions = replay(
        "labour/2015",
        """
        contest: {office: leader}
        events:
          - {type: resignation, at: 2015-05-08}
          - {type: declaration, at: 2015-06-09, candidate: Lonely, nominations: {plp: 3}}
          - {type: close-nominations, at: 2015-06-15T12:00}
        """,
    )
    assert only(decisions, K.BALLOT).summary == "No candidate is validly nominated"


def test_2016_one_nomination_per_nominator():
    decisions = replay(
        "labour/2016",
        """
        contest: {office: leader, incumbent: Jeremy Corbyn}
        events:
          - {type: declaration, at: 2016-07-11, candidate: Angela Eagle, nominations: {plp: 51}}
          - {type: nominations, at: 2016-07-14, candidate: Owen Smith, nominators: {plp: [A, B]}}
          - {type: nominations, at: 2016-07-15, candidate: Angela Eagle, nominators: {plp: [B, C]}}
        """,
    )
    void = only(decisions, K.NOMINATION_VOID)
    assert void.summary == "B's nomination of Angela Eagle is void"
    assert "already nominated Owen Smith" in void.explanation


def test_2016_sections_carry_the_eligibility_criteria():
    book = load_rulebook("labour/2016")
    members = book.sections["members"].eligibility
    supporters = book.sections["registered-supporters"].eligibility
    assert str(members.joined_on_or_before) == "2016-01-12"
    assert str(supporters.fee) == "25.00"
    assert supporters.application_window_start.isoformat() == "2016-07-18T17:00:00+01:00"
    assert supporters.minimum_age == 18
    assert supporters.electoral_register_required


def test_2015_fifteen_percent_of_mps_is_35_and_four_qualify():
    decisions = replay(
        "labour/2015",
        """
        contest: {office: leader, incumbent: Ed Miliband}
        events:
          - {type: resignation, at: 2015-05-08, holder: Ed Miliband}
          - {type: declaration, at: 2015-06-09, candidate: Andy Burnham, nominations: {plp: 68}}
          - {type: declaration, at: 2015-06-09, candidate: Yvette Cooper, nominations: {plp: 59}}
          - {type: declaration, at: 2015-06-09, candidate: Liz Kendall, nominations: {plp: 41}}
          - {type: declaration, at: 2015-06-09, candidate: Jeremy Corbyn, nominations: {plp: 36}}
          - {type: declaration, at: 2015-06-09, candidate: Hypothetical, nominations: {plp: 34}}
          - {type: close-nominations, at: 2015-06-15T12:00}
        """,
    )
    threshold = only(decisions, K.THRESHOLD)
    assert threshold.summary == "Each candidate needs 35 nominations from PLP"
    assert threshold.arithmetic == "15% of 232 PLP = 34.8, rounded up to 35"
    on = [d.subject for d in of_kind(decisions, K.ON_BALLOT)]
    assert on == ["Andy Burnham", "Yvette Cooper", "Liz Kendall", "Jeremy Corbyn"]
    assert about(decisions, "Hypothetical") == [K.NOT_ON_BALLOT]


def test_2010_electoral_college_and_12_5_percent_threshold():
    decisions = replay("labour/2010", "[{type: resignation, at: 2010-05-11, holder: Gordon Brown}]")
    assert only(decisions, K.THRESHOLD).arithmetic == "12.5% of 257 PLP = 32.125, rounded up to 33"
    method, seats, options = count_setup(load_rulebook("labour/2010"))
    assert (method, seats) == ("college", 1)
    assert dict(options.section_weights) == {
        "mps-meps": Fraction(1, 3),
        "members": Fraction(1, 3),
        "affiliates": Fraction(1, 3),
    }


def test_2018_rules_2020_contest_thresholds_22_and_33():
    decisions = replay(
        "labour/2018",
        """
        contest: {office: leader, incumbent: Jeremy Corbyn}
        events:
          - {type: resignation, at: 2020-01-06, holder: Jeremy Corbyn}
          - {type: declaration, at: 2020-01-07, candidate: Keir Starmer, nominations: {plp: 88}}
          - {type: declaration, at: 2020-01-07, candidate: Emily Thornberry, nominations: {plp: 23}}
          - {type: declaration, at: 2020-01-07, candidate: Clive Lewis, nominations: {plp: 21}}
          - {type: declaration, at: 2020-01-07, candidate: Boundary Case, nominations: {plp: 22}}
          - {type: supporting-nomination, at: 2020-02-01, candidate: Boundary Case, body: clps,
             count: 33}
          - {type: supporting-nomination, at: 2020-02-01, candidate: Keir Starmer, body: clps,
             count: 374}
          - {type: supporting-nomination, at: 2020-02-01, candidate: Emily Thornberry,
             body: clps, count: 31}
          - {type: supporting-nomination, at: 2020-02-15, candidate: Emily Thornberry,
             body: clps, count: 5}
          - {type: date, at: 2020-02-20}
        """,
    )
    assert (
        only(decisions, K.THRESHOLD).summary == "Each candidate needs 22 nominations from PLP+EPLP"
    )
    late = only(decisions, K.LATE)
    assert late.subject == "Emily Thornberry"
    assert about(decisions, "Keir Starmer") == [K.ON_BALLOT]
    thornberry = next(
        d for d in decisions if d.kind is K.NOT_ON_BALLOT and "Thornberry" in d.subject
    )
    assert "5% of CLPs: 31 of 33 needed (5% of 650 CLPs = 32.5, rounded up to 33)" in (
        thornberry.explanation
    )
    lewis = next(d for d in decisions if d.subject == "Clive Lewis")
    assert "21 PLP+EPLP nominations, 22 needed" in lewis.explanation
    assert about(decisions, "Boundary Case") == [K.ON_BALLOT]
    # the ballot is decided when supporting nominations close, not when the PLP's do
    ballot = only(decisions, K.BALLOT)
    assert ballot.summary == "On the ballot: Keir Starmer, Boundary Case"
    assert ballot.at is not None
    assert ballot.at.date().isoformat() == "2020-02-14"


def test_2018_affiliate_route_needs_three_two_unions_and_5_percent_of_membership():
    shipped = resources.files("omov.rules.rulebooks").joinpath("labour", "2018.toml")
    data = tomllib.loads(shipped.read_text(encoding="utf-8"))
    data["bodies"]["affiliates"]["membership"] = 1_000_000
    book = parse_rulebook(data)

    def outcome(*affiliates: tuple[str, str, int]) -> K:
        events = [
            {"type": "resignation", "at": "2020-01-06"},
            {"type": "declaration", "candidate": "C", "nominations": {"plp": 30}},
            *(
                {"type": "supporting-nomination", "candidate": "C", "body": "affiliates",
                 "nominator": name, "kind": kind, "membership": membership}
                for name, kind, membership in affiliates
            ),
            {"type": "close-nominations", "at": "2020-02-15"},
        ]  # fmt: skip
        decisions = explain(book, parse_events(events, timezone=book.timezone))
        return next(d.kind for d in decisions if d.subject == "C")

    unions = [("U1", "union", 30_000), ("U2", "union", 15_000)]
    assert outcome(*unions, ("S", "society", 5_000)) is K.ON_BALLOT
    assert outcome(*unions, ("S", "society", 4_999)) is K.NOT_ON_BALLOT
    one_union = [("U1", "union", 30_000), ("S1", "society", 15_000), ("S2", "society", 5_000)]
    assert outcome(*one_union) is K.NOT_ON_BALLOT
