"""Running a contest's nominations as an officer would, whatever the rulebook: enough
nominations for each candidate, from enough units, as the engine's requirements say."""

from __future__ import annotations

from omov.web.contests.engine import requirements_needed
from omov.web.contests.models import Candidate, Contest
from omov.web.nominations.services import nominations_record


def nominate_to_threshold(contest: Contest, candidate: Candidate, *, short: int = 0) -> int:
    """Nominate ``candidate`` to meet every requirement (the first less ``short``), the
    nominators spread over as many units as a requirement asks."""
    given = 0
    for index, needed in enumerate(requirements_needed(contest)):
        count = max(needed.required - (short if index == 0 else 0), 0)
        names = [f"{candidate.name} nominator {index}-{n}" for n in range(count)]
        units = max(needed.units, 1)
        for unit in range(units):  # each unit's names together, as a branch sends them
            nominations_record(
                candidate=candidate,
                nominators=names[unit::units],
                body=needed.bodies[0],
                unit=f"Unit {unit}" if needed.units else "",
            )
        given += count
    return given
