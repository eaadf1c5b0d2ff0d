"""Who is on the ballot and why; shortlist rounds; the result.

At the close of nominations each candidate is put to the nomination rule (and, where they
gate the ballot, the supporting nominations); the incumbent under the reading chosen.
"""

from __future__ import annotations

from datetime import datetime

from omov.count.catalogue import CATALOGUE
from omov.rules.contest import Candidate, Contest
from omov.rules.decisions import Decision, DecisionKind
from omov.rules.events import Declaration, Result, ShortlistRound, Withdrawal
from omov.rules.nominations import assess, assess_route
from omov.rules.schema import IncumbentReading

K = DecisionKind
RON = "Re-open nominations (RON)"


def check_candidacy(contest: Contest, event: Declaration) -> bool:
    """A joint ticket's size and gender balance, membership of the right body, years of
    membership: the parts of candidacy an event can show."""
    rule = contest.book.candidacy
    if rule is None:
        return True
    faults = []
    if len(event.ticket) > rule.max_ticket_size:
        faults.append(f"a ticket of {len(event.ticket)}; at most {rule.max_ticket_size} may stand")
    genders = {member.gender.casefold() for member in event.ticket}
    if rule.gender_balance == "differing" and len(event.ticket) > 1 and len(genders) == 1:
        faults.append("co-leaders on one ticket must be of differing genders")
    if rule.must_belong_to and event.member_of and rule.must_belong_to not in event.member_of:
        faults.append(f"a candidate must belong to the {contest.book.short(rule.must_belong_to)}")
    years = event.membership_years
    least = rule.min_membership_years
    if least is not None and years is not None and years < least:
        faults.append(f"{years:g} years a member; {rule.min_membership_years} needed")
    for fault in faults:
        contest.add(
            Decision(
                K.INVALID_CANDIDACY,
                f"{event.candidate} cannot stand",
                fault,
                rule.citation,
                subject=event.candidate,
                at=event.at,
            )
        )
    return not faults


def close_nominations(contest: Contest, at: datetime | None) -> None:
    """Decide the ballot: each candidate on it or not, with the reason."""
    contest.closed = True
    on: list[str] = []
    for candidate in contest.candidates.values():
        if candidate.withdrawn or not candidate.valid:
            continue
        decision = _incumbent(contest, candidate) or _nominated(contest, candidate)
        contest.add(
            Decision(
                decision.kind,
                decision.summary,
                decision.explanation,
                decision.citation,
                decision.arithmetic,
                candidate.name,
                at,
            )
        )
        if decision.kind is K.ON_BALLOT:
            on.append(candidate.name)
    contest.ballot = on
    _announce_ballot(contest, at)


def _incumbent(contest: Contest, candidate: Candidate) -> Decision | None:
    rule = contest.book.incumbent
    if rule is None or candidate.name != contest.incumbent:
        return None
    reading: IncumbentReading = rule.readings[contest.reading or rule.default_reading]
    if reading.on_ballot == "automatic":
        return Decision(
            K.ON_BALLOT,
            f"{candidate.name} is on the ballot as the incumbent",
            reading.explanation,
            reading.citation,
        )
    nominated = _nominated(contest, candidate)
    return Decision(
        nominated.kind,
        nominated.summary,
        f"{reading.explanation} {nominated.explanation}",
        reading.citation,
        nominated.arithmetic,
    )


def _nominated(contest: Contest, candidate: Candidate) -> Decision:
    rule = contest.rule
    if rule is None:
        return Decision(
            K.ON_BALLOT,
            f"{candidate.name} is on the ballot",
            "The rulebook sets no nomination threshold.",
            contest.book.citation,
        )
    results = [
        assess(contest.book, r, candidate.counts, candidate.units) for r in rule.requirements
    ]
    detail = "; ".join(r.detail for r in results)
    met = all(r.met for r in results)
    citation = rule.requirements[0].citation
    if met and rule.supporting is not None and rule.supporting.gates_ballot:
        routes = [assess_route(contest.book, r, candidate.supports) for r in rule.supporting.routes]
        met = any(r.met for r in routes)
        detail += "; supporting nominations: " + " or ".join(
            f"{route.description}: {r.detail}"
            for route, r in zip(rule.supporting.routes, routes, strict=True)
        )
        citation = f"{citation}; {rule.supporting.citation}"
    elif rule.supporting is not None and candidate.supports:
        detail += "; supporting nominations are recorded but do not decide the ballot"
    if met:
        return Decision(
            K.ON_BALLOT,
            f"{candidate.name} is on the ballot",
            f"Nominations meet the rule: {detail}.",
            citation,
        )
    return Decision(
        K.NOT_ON_BALLOT,
        f"{candidate.name} is not on the ballot",
        f"Nominations fall short: {detail}.",
        citation,
    )


def _announce_ballot(contest: Contest, at: datetime | None) -> None:
    book = contest.book
    names = list(contest.ballot)
    if book.shortlist is not None and len(names) > book.shortlist.finalists:
        contest.shortlist = names
        contest.add(
            Decision(
                K.BALLOT,
                f"{book.short(book.shortlist.voters)} ballots begin: " + ", ".join(names),
                f"The {book.short(book.shortlist.voters)} vote in rounds until "
                f"{book.shortlist.finalists} remain.",
                book.shortlist.citation,
                at=at,
            )
        )
        return
    if not names:
        contest.add(
            Decision(
                K.BALLOT,
                "No candidate is validly nominated",
                "Nobody met the nomination rules, so there is no ballot; nominations must "
                "be sought again.",
                book.citation,
                at=at,
            )
        )
        return
    if len(names) == 1:
        contest.decided, contest.elected = True, names[0]
        contest.add(
            Decision(
                K.ELECTED,
                f"{names[0]} is elected unopposed",
                "Only one candidate is validly nominated, so no ballot is held.",
                book.citation,
                subject=names[0],
                at=at,
            )
        )
        return
    voting = book.voting
    if voting is not None and voting.re_open_nominations:
        names.append(RON)
    citation = voting.citation if voting else book.citation
    how = f" is counted by {CATALOGUE[voting.method].plain}" if voting else ""
    contest.add(
        Decision(
            K.BALLOT, "On the ballot: " + ", ".join(names), f"The ballot{how}.", citation, at=at
        )
    )


def after_withdrawal(contest: Contest, event: Withdrawal) -> None:
    """A withdrawal during the shortlist, or between it and the members' ballot."""
    shortlist = contest.book.shortlist
    if shortlist is None or event.candidate not in contest.shortlist:
        _off_the_ballot(contest, event)
        return
    contest.shortlist.remove(event.candidate)
    if len(contest.shortlist) == 1 and shortlist.sole_finalist_elected:
        winner = contest.shortlist[0]
        contest.decided, contest.elected = True, winner
        contest.add(
            Decision(
                K.ELECTED,
                f"{winner} is elected without a members' ballot",
                f"{event.candidate} withdrew, leaving {winner} the only candidate.",
                shortlist.citation,
                subject=winner,
                at=event.at,
            )
        )
    elif len(contest.shortlist) == shortlist.finalists:
        _finalists(contest, event.at)


def _off_the_ballot(contest: Contest, event: Withdrawal) -> None:
    """A candidate withdraws after the ballot is known: one left is elected unopposed."""
    if not contest.closed or contest.decided or event.candidate not in contest.ballot:
        return
    contest.ballot.remove(event.candidate)
    standing = [name for name in contest.ballot if name != RON]
    if len(standing) == 1:
        contest.decided, contest.elected, contest.ballot = True, standing[0], standing
        contest.add(
            Decision(
                K.ELECTED,
                f"{standing[0]} is elected unopposed",
                f"{event.candidate} withdrew, leaving one candidate, so no ballot is held.",
                contest.book.citation,
                subject=standing[0],
                at=event.at,
            )
        )


def on_shortlist_round(contest: Contest, event: ShortlistRound) -> None:
    shortlist = contest.book.shortlist
    if shortlist is None:
        from omov.rules.errors import EventsError

        raise EventsError(f"{contest.book.id} has no shortlist ballots")
    standing = contest.shortlist or list(event.votes)
    votes = {name: event.votes.get(name, 0) for name in standing}
    floor = shortlist.minimum_votes.get(event.round)
    if floor is not None and any(v <= floor for v in votes.values()):
        out = [name for name, v in votes.items() if v <= floor]
        why = f"At most {floor} votes after round {event.round} means elimination."
    else:
        lowest = min(votes.values())
        out = [name for name, v in votes.items() if v == lowest]
        why = "The candidate with fewest votes is eliminated."
        if len(out) > 1:
            why = "Tied for fewest votes: all so tied are eliminated unless the rules re-ballot."
    for name in out:
        contest.add(
            Decision(
                K.ELIMINATED,
                f"{name} is eliminated in round {event.round}",
                why,
                shortlist.citation,
                f"{name} {votes[name]} votes",
                name,
                event.at,
            )
        )
    contest.shortlist = [name for name in standing if name not in out]
    if len(contest.shortlist) <= shortlist.finalists:
        _finalists(contest, event.at)


def _finalists(contest: Contest, at: datetime | None) -> None:
    names = contest.shortlist
    shortlist = contest.book.shortlist
    assert shortlist is not None
    contest.ballot = list(names)
    contest.add(
        Decision(
            K.FINALISTS,
            "To the members' ballot: " + " and ".join(names),
            f"{len(names)} remain, so the {contest.book.short(shortlist.voters)} rounds end and "
            "the members choose.",
            shortlist.citation,
            at=at,
        )
    )


def on_result(contest: Contest, event: Result) -> None:
    voting = contest.book.voting
    citation = voting.citation if voting else contest.book.citation
    if event.elected in (RON, "RON") and voting is not None and voting.re_open_nominations:
        contest.closed, contest.ballot = False, []
        contest.add(
            Decision(
                K.NOMINATIONS_REOPEN,
                "Re-open nominations wins: nominations reopen",
                "No candidate is elected; the contest is run again with fresh nominations.",
                citation,
                at=event.at,
            )
        )
        return
    contest.decided, contest.elected = True, event.elected
    contest.add(
        Decision(
            K.ELECTED,
            f"{event.elected} is elected",
            "Declared by the count.",
            citation,
            subject=event.elected,
            at=event.at,
        )
    )
