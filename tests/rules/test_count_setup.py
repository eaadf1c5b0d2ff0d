"""A rulebook drives the count core: its method and options reproduce published results.

Ballot profiles are built from the published figures (first preferences and, for SNP 2023,
Ash Regan's published transfers), so the count must land on the published final round.
"""

from __future__ import annotations

from omov.count import BallotSet, count
from omov.rules import count_setup, load_rulebook


def counted(rulebook: str, candidates: list[str], profile: list[tuple[list[int], int]], **kw):
    method, seats, options = count_setup(load_rulebook(rulebook))
    ballots = BallotSet.from_rankings(
        candidates, [r for r, _ in profile], weights=[w for _, w in profile], **kw
    )
    return count(ballots, method=method, seats=seats, options=options)


def test_snp_2023_yousaf_elected_in_round_two_with_the_published_figures():
    # Result notice, 27 March 2023: R1 Yousaf 24,336, Forbes 20,559, Regan 5,599; Regan's
    # transfers 1,696 Yousaf, 3,331 Forbes, 572 non-transferable.
    report = counted(
        "snp/2023",
        ["Humza Yousaf", "Kate Forbes", "Ash Regan"],
        [([0], 24_336), ([1], 20_559), ([2, 0], 1_696), ([2, 1], 3_331), ([2], 572)],
    )
    assert report.winner == "Humza Yousaf"
    assert [int(report.rounds[0].tallies[c]) for c in report.candidates] == [24_336, 20_559, 5_599]
    final = report.final_round.tallies
    assert (int(final["Humza Yousaf"]), int(final["Kate Forbes"])) == (26_032, 23_890)
    assert report.final_round.inactive_total == 572


def test_conservative_2019_members_ballot():
    # Johnson 92,153 (66.4%), Hunt 46,656 (33.6%).
    report = counted(
        "conservative/2019", ["Boris Johnson", "Jeremy Hunt"], [([0], 92_153), ([1], 46_656)]
    )
    assert report.method == "fptp"
    assert report.winner == "Boris Johnson"


def test_labour_2016_sections_report_the_published_figures():
    # LabourList / TotalPolitics 24 Sep 2016, per section: Corbyn / Smith.
    published = {
        "members": (168_216, 116_960),
        "registered-supporters": (84_918, 36_599),
        "affiliated-supporters": (60_075, 39_670),
    }
    rankings, weights, sections = [], [], []
    for section, (corbyn, smith) in published.items():
        for choice, votes in ((0, corbyn), (1, smith)):
            rankings.append([choice])
            weights.append(votes)
            sections.append(section)
    method, seats, options = count_setup(load_rulebook("labour/2016"))
    ballots = BallotSet.from_rankings(
        ["Jeremy Corbyn", "Owen Smith"], rankings, weights=weights, sections=sections
    )
    report = count(ballots, method=method, seats=seats, options=options)
    assert report.winner == "Jeremy Corbyn"
    assert int(report.rounds[0].tallies["Jeremy Corbyn"]) == 313_209
    assert int(report.rounds[0].tallies["Owen Smith"]) == 193_229
    assert set(report.sections) == set(published)
    for section, (corbyn, smith) in published.items():
        figures = report.rounds[0].sections[section].tallies
        assert (figures["Jeremy Corbyn"], figures["Owen Smith"]) == (corbyn, smith)
