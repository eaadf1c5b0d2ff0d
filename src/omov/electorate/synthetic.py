"""A seeded synthetic electorate shaped like Labour's 2016 leadership election, with its truth.

Published figures (../shared/domain/rules-and-results.md): about 388,000 members from before
the 12 January 2016 freeze (388,407, the Guardian's estimate) and about 130,000 who joined
after it; 183,541 registered-supporter applications, of which 21,102 were not found on the
electoral register and 3,791 payments failed; 3,107 people ruled ineligible by vetting,
split 25% pre-January members, 34% July supporters and 40% post-January members (who could
only vote by applying as supporters); 1,616 cases still awaiting a decision; about 70,000
affiliated supporters, who had to be members of their affiliate by the 12 January freeze.
Every other figure below is invented to be plausible, and says so.

Each record is designed with the outcome it must get, written down as it is made (the ground
truth), independently of :mod:`omov.electorate.eligibility`: a test then checks the two
agree record by record. Where a record fails two checks, the truth names the one first in
the documented order (suspended before in arrears).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from omov.electorate import vetting as vet
from omov.electorate.criteria import LABOUR_2016, EligibilityCriteria
from omov.electorate.roll import ROW
from omov.electorate.schema import SCHEMAS, RollKind

MEMBERS_BEFORE_FREEZE = 388_407
MEMBERS_AFTER_FREEZE = 130_000
SUPPORTER_APPLICATIONS = 183_541
NOT_ON_REGISTER = 21_102
PAYMENT_FAILED = 3_791
VETTING_EXCLUDED = 3_107  # 777 members, 1,056 supporters, 1,243 post-freeze members, 31 affiliates
AWAITING_VETTING = 1_616
AFFILIATES = 70_000
# Invented, plausible figures:
LAPSED, SUSPENDED, SUSPENDED_IN_ARREARS, IN_ARREARS = 4_000, 900, 300, 2_500
LATE_APPLICATIONS, UNDER_AGE_SUPPORTERS, REPEAT_APPLICATIONS = 318, 402, 1_900
MEMBERS_ALSO_APPLIED, NEW_MEMBERS_APPLIED, AFFILIATES_ALSO_APPLIED = 9_000, 60_000, 3_500
MEMBERS_ALSO_AFFILIATED, LATE_AFFILIATES, UNDER_AGE_AFFILIATES = 6_000, 1_400, 150
JOINED_AFFILIATE_LATE, AFFILIATE_DATE_UNREPORTED = 700, 2_000
CLEARED_BY_VETTING, EXCLUDED_AFTER_ISSUE = 1_500, 100

KEY = b"synthetic-2016-contest-key"
MEMBER_ROLL, SUPPORTER_ROLL, AFFILIATE_ROLL = (
    "members",
    "registered-supporters",
    "affiliated-supporters",
)
KINDS = {
    MEMBER_ROLL: RollKind.MEMBERS,
    SUPPORTER_ROLL: RollKind.SUPPORTERS,
    AFFILIATE_ROLL: RollKind.AFFILIATES,
}
"""The three sections, named as Labour's rulebook names them, and the kind of roll of each."""
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class SyntheticElectorate:
    """The three rolls by section (typed, as :func:`omov.electorate.roll.read_roll` gives), the
    vetting cases, the criteria and the truth: ``truth`` has ``section``, ``record_id``,
    ``reason`` (null when eligible), ``decision`` and ``duplicate_of`` for every record."""

    rolls: dict[str, pl.DataFrame]
    vetting: tuple[vet.VettingCase, ...]
    criteria: EligibilityCriteria
    truth: pl.DataFrame

    def truth_counts(self) -> pl.DataFrame:
        """Records per (section, reason) by design; reason null means eligible."""
        return self.truth.group_by("section", "reason").len().sort("section", "reason")

    def write_csv(self, directory: Path) -> dict[str, Path]:
        """Write each roll as CSV in the documented schema (what an officer would upload)."""
        paths = {}
        for section, frame in self.rolls.items():
            path = directory / f"{section}.csv"
            frame.drop(ROW).write_csv(path, datetime_format="%Y-%m-%dT%H:%M:%S")
            paths[section] = path
        return paths


def generate(seed: int = 2016, scale: float = 1.0) -> SyntheticElectorate:
    """Build the electorate; ``scale`` multiplies every figure (the benchmark's million)."""
    b = _Builder(seed, scale)
    members, m_truth = _members(b)
    affiliates, a_truth = _affiliates(b)
    supporters, s_truth = _supporters(b)
    cases, v_truth = _vetting(b)
    births = b.days(date(1935, 1, 1), date(1997, 12, 31), b.next_person)
    rolls = {
        MEMBER_ROLL: _finish(MEMBER_ROLL, members, births, b.rng),
        SUPPORTER_ROLL: _finish(SUPPORTER_ROLL, supporters, births, b.rng),
        AFFILIATE_ROLL: _finish(AFFILIATE_ROLL, affiliates, births, b.rng),
    }
    truth = pl.concat([m_truth, s_truth, a_truth], how="vertical")
    truth = truth.update(v_truth, on=["section", "record_id"], how="left")
    return SyntheticElectorate(rolls, cases, LABOUR_2016, truth)


class _Builder:
    """Hands out people and pools of clean records that later groups overlap with."""

    def __init__(self, seed: int, scale: float) -> None:
        self.rng = np.random.default_rng(seed)
        self.scale = scale
        self.next_person = 0
        self.pools: dict[str, np.ndarray] = {}

    def n(self, published: int) -> int:
        return round(published * self.scale)

    def people(self, count: int) -> np.ndarray:
        start = self.next_person
        self.next_person += count
        return np.arange(start, start + count, dtype=np.int64)

    def days(self, first: date, last: date, count: int) -> np.ndarray:
        lo, hi = (first - _EPOCH).days, (last - _EPOCH).days
        return self.rng.integers(lo, hi + 1, size=count, dtype=np.int64)

    def take(self, pool: str, count: int) -> np.ndarray:
        """The next ``count`` records of a pool; each record is used by one design only."""
        taken, self.pools[pool] = self.pools[pool][:count], self.pools[pool][count:]
        if taken.size < count:
            raise ValueError(f"synthetic pool {pool} ran out")
        return taken


@dataclass(frozen=True, slots=True)
class _Groups:
    """Consecutive groups of records in one roll; ``at[name]`` holds each group's positions."""

    names: tuple[str, ...]
    at: dict[str, np.ndarray]
    size: int

    @classmethod
    def of(cls, sizes: dict[str, int]) -> _Groups:
        bounds = np.cumsum([0, *sizes.values()])
        at = {name: np.arange(bounds[k], bounds[k + 1]) for k, name in enumerate(sizes)}
        return cls(tuple(sizes), at, int(bounds[-1]))

    def mask(self, name: str) -> np.ndarray:
        out = np.zeros(self.size, dtype=bool)
        out[self.at[name]] = True
        return out


def _ids(prefix: str, positions: np.ndarray) -> list[str]:
    return [f"{prefix}{i:07d}" for i in positions.tolist()]


def _truth(
    section: str,
    prefix: str,
    groups: _Groups,
    reasons: dict[str, str],
    duplicate_of: dict[str, list[str]],
) -> pl.DataFrame:
    reason = np.full(groups.size, None, dtype=object)
    keeper = np.full(groups.size, None, dtype=object)
    for name, why in reasons.items():
        reason[groups.at[name]] = why
    for name, keepers in duplicate_of.items():
        reason[groups.at[name]] = "duplicate"
        keeper[groups.at[name]] = keepers
    return pl.DataFrame(
        {
            "section": [section] * groups.size,
            "record_id": _ids(prefix, np.arange(groups.size)),
            "reason": pl.Series(reason.tolist(), dtype=pl.String),
            "decision": pl.Series([None] * groups.size, dtype=pl.String),
            "duplicate_of": pl.Series(keeper.tolist(), dtype=pl.String),
        }
    )


def _members(b: _Builder) -> tuple[pl.DataFrame, pl.DataFrame]:
    before = b.n(MEMBERS_BEFORE_FREEZE)
    sizes = {
        "lapsed": b.n(LAPSED),
        "suspended": b.n(SUSPENDED),
        "suspended_in_arrears": b.n(SUSPENDED_IN_ARREARS),
        "in_arrears": b.n(IN_ARREARS),
    }
    sizes = {"clean": before - sum(sizes.values()), **sizes, "new": b.n(MEMBERS_AFTER_FREEZE)}
    g = _Groups.of(sizes)
    new = g.mask("new")
    join = np.where(
        new,
        b.days(date(2016, 1, 13), date(2016, 7, 12), g.size),
        b.days(date(1965, 1, 1), date(2016, 1, 12), g.size),
    )
    suspended = g.mask("suspended") | g.mask("suspended_in_arrears")
    status = np.where(suspended, "suspended", np.where(g.mask("lapsed"), "lapsed", "active"))
    frame = pl.DataFrame(
        {
            "membership_number": _ids("L", np.arange(g.size)),
            "person": b.people(g.size),
            "join_date": pl.Series(join, dtype=pl.Int32).cast(pl.Date),
            "status": status,
            "arrears": g.mask("in_arrears") | g.mask("suspended_in_arrears"),
        }
    )
    b.pools["members"] = b.rng.permutation(g.at["clean"])
    b.pools["new_members"] = b.rng.permutation(g.at["new"])
    reasons = {
        "lapsed": "lapsed",
        "suspended": "suspended",
        "suspended_in_arrears": "suspended",  # suspension comes first in the documented order
        "in_arrears": "in_arrears",
        "new": "joined_after_freeze",
    }
    return frame, _truth(MEMBER_ROLL, "L", g, reasons, {})


def _affiliates(b: _Builder) -> tuple[pl.DataFrame, pl.DataFrame]:
    sizes = {
        "late": b.n(LATE_AFFILIATES),
        "under_age": b.n(UNDER_AGE_AFFILIATES),
        "members": b.n(MEMBERS_ALSO_AFFILIATED),
        "appliers": b.n(AFFILIATES_ALSO_APPLIED),
        "joined_late": b.n(JOINED_AFFILIATE_LATE),
        "unreported": b.n(AFFILIATE_DATE_UNREPORTED),
    }
    g = _Groups.of({"clean": b.n(AFFILIATES) - sum(sizes.values()), **sizes})
    person = np.empty(g.size, dtype=np.int64)
    members = b.take("members", g.at["members"].size)
    person[g.at["members"]] = members  # a member's person number is their roll position
    rest = np.concatenate(
        [g.at[k] for k in ("clean", "late", "under_age", "appliers", "joined_late", "unreported")]
    )
    person[rest] = b.people(rest.size)
    signed = np.where(
        g.mask("late"),
        b.days(date(2016, 8, 9), date(2016, 8, 31), g.size),
        b.days(date(2010, 1, 1), date(2016, 8, 8), g.size),
    )
    joined, signed = _affiliate_joined(b, g, signed)
    unions = np.array(["Unite", "Unison", "GMB", "CWU", "USDAW", "TSSA", "Community"])
    frame = pl.DataFrame(
        {
            "supporter_id": _ids("AS", np.arange(g.size)),
            "person": person,
            "union": unions[b.rng.integers(0, unions.size, g.size)],
            "signed_up": pl.Series(signed, dtype=pl.Int32).cast(pl.Date),
            "affiliate_join_date": joined,
            "under_age": g.mask("under_age"),
        }
    )
    b.pools["affiliates"] = b.rng.permutation(g.at["clean"])
    b.pools["affiliate_appliers"] = g.at["appliers"]
    b.pools["affiliate_persons"] = person
    reasons = {
        "late": "signed_up_after_deadline",
        "under_age": "under_age",
        "joined_late": "joined_affiliate_after_freeze",
    }
    keepers = {"members": _ids("members:L", members)}
    return frame, _truth(AFFILIATE_ROLL, "AS", g, reasons, keepers)


def _affiliate_joined(b: _Builder, g: _Groups, signed: np.ndarray) -> tuple[pl.Series, np.ndarray]:
    """When each joined their union, and the sign-up days moved to no earlier than that: after
    the freeze for ``joined_late``, not reported (so not excluded on that ground) for
    ``unreported``, otherwise before both the freeze and the sign-up. Drawn from a child
    generator, so drawing this column does not shift the draws of the columns after it."""
    share = b.rng.spawn(1)[0].random(g.size)
    first, freeze = (date(1975, 1, 1) - _EPOCH).days, (date(2016, 1, 12) - _EPOCH).days
    deadline = (date(2016, 8, 8) - _EPOCH).days
    last = np.where(g.mask("joined_late"), deadline, np.minimum(signed, freeze))
    start = np.where(g.mask("joined_late"), freeze + 1, np.minimum(first, last))
    joined = start + np.floor(share * (last - start + 1)).astype(np.int64)
    days = pl.Series("affiliate_join_date", joined, dtype=pl.Int32).cast(pl.Date)
    return days.scatter(g.at["unreported"], None), np.maximum(signed, joined)


def _supporters(b: _Builder) -> tuple[pl.DataFrame, pl.DataFrame]:
    sizes = {
        "late": b.n(LATE_APPLICATIONS),
        "payment_failed": b.n(PAYMENT_FAILED),
        "under_age": b.n(UNDER_AGE_SUPPORTERS),
        "not_on_register": b.n(NOT_ON_REGISTER),
        "members": b.n(MEMBERS_ALSO_APPLIED),
        "new_members": b.n(NEW_MEMBERS_APPLIED),
        "affiliates": b.n(AFFILIATES_ALSO_APPLIED),
        "repeats": b.n(REPEAT_APPLICATIONS),
    }
    g = _Groups.of({"clean": b.n(SUPPORTER_APPLICATIONS) - sum(sizes.values()), **sizes})
    person = np.empty(g.size, dtype=np.int64)
    independent = np.concatenate(
        [g.at[k] for k in ("clean", "late", "payment_failed", "under_age", "not_on_register")]
    )
    person[independent] = b.people(independent.size)
    members = b.take("members", g.at["members"].size)
    person[g.at["members"]] = members
    person[g.at["new_members"]] = b.take("new_members", g.at["new_members"].size)
    appliers = b.pools["affiliate_appliers"]
    person[g.at["affiliates"]] = b.pools["affiliate_persons"][appliers]
    b.pools["supporters"] = b.rng.permutation(g.at["clean"])
    originals = b.take("supporters", g.at["repeats"].size)  # lower ids: they keep the ballot
    person[g.at["repeats"]] = person[originals]
    b.pools["new_member_supporters"] = b.rng.permutation(g.at["new_members"])
    seconds = b.rng.integers(0, 48 * 3600 + 1, size=g.size)
    seconds[g.at["late"]] = 48 * 3600 + b.rng.integers(1, 86_400, size=g.at["late"].size)
    window_opens = LABOUR_2016.section(SUPPORTER_ROLL).window_opens
    assert window_opens is not None
    opens = int((window_opens - datetime(1970, 1, 1)).total_seconds())
    frame = pl.DataFrame(
        {
            "application_id": _ids("RS", np.arange(g.size)),
            "person": person,
            "applied_at": pl.Series((seconds + opens) * 1_000_000).cast(pl.Datetime("us")),
            "payment_status": np.where(g.mask("payment_failed"), "failed", "paid"),
            "on_register": ~g.mask("not_on_register"),
            "under_age": g.mask("under_age"),
        }
    )
    reasons = {
        "late": "applied_outside_window",
        "payment_failed": "payment_failed",
        "under_age": "under_age",
        "not_on_register": "not_on_register",
    }
    keepers = {
        "members": _ids("members:L", members),
        "affiliates": _ids(f"{AFFILIATE_ROLL}:AS", appliers),
        "repeats": _ids(f"{SUPPORTER_ROLL}:RS", originals),
    }
    b.pools["supporter_persons"] = person
    return frame, _truth(SUPPORTER_ROLL, "RS", g, reasons, keepers)


def _vetting(b: _Builder) -> tuple[tuple[vet.VettingCase, ...], pl.DataFrame]:
    """Cases through the state machine: exclusions (two officers), cleared, still awaiting.

    An exclusion is about the person: 1,243 of the supporters excluded joined as members
    after the freeze, and their member record (which has no vote anyway, having joined too
    late) carries the same decision as a second reason."""
    new_members = b.take("new_member_supporters", b.n(1_243))
    plan = [
        (MEMBER_ROLL, "L", b.take("members", b.n(777)), "excluded"),
        (SUPPORTER_ROLL, "RS", b.take("supporters", b.n(1_056)), "excluded"),
        (SUPPORTER_ROLL, "RS", new_members, "excluded"),
        (AFFILIATE_ROLL, "AS", b.take("affiliates", b.n(31)), "excluded"),
        (SUPPORTER_ROLL, "RS", b.take("supporters", b.n(CLEARED_BY_VETTING)), "cleared"),
        (SUPPORTER_ROLL, "RS", b.take("supporters", b.n(AWAITING_VETTING)), "awaiting"),
        (SUPPORTER_ROLL, "RS", b.take("supporters", b.n(EXCLUDED_AFTER_ISSUE)), "late"),
    ]
    member_of = dict(
        zip(
            _ids("RS", new_members),
            _ids("L", b.pools["supporter_persons"][new_members]),
            strict=True,
        )
    )
    cases: list[vet.VettingCase] = []
    truth: list[tuple[str, str, str, str]] = []
    for section, prefix, positions, outcome in plan:
        for record_id in _ids(prefix, positions):
            number = f"V{len(cases) + 1:05d}"
            cases.append(_case(b, number, section, record_id, outcome))
            if outcome == "excluded":
                truth.append((section, record_id, "excluded_by_vetting", number))
            if outcome == "excluded" and record_id in member_of and section == SUPPORTER_ROLL:
                truth.append((MEMBER_ROLL, member_of[record_id], "joined_after_freeze", number))
    frame = pl.DataFrame(truth, schema=["section", "record_id", "reason", "decision"], orient="row")
    return tuple(cases), frame


def _case(b: _Builder, number: str, section: str, record_id: str, outcome: str) -> vet.VettingCase:
    day = datetime(2016, 7, 21, 9) + timedelta(days=int(b.rng.integers(0, 28)))
    case = vet.open_case(number, section, record_id, key=KEY, at=day, actor="officer-1")
    if outcome == "awaiting":
        return case
    if outcome == "cleared":
        return vet.clear(case, at=day + timedelta(hours=2), actor="officer-1")
    grounds = vet.EXAMPLE_GROUNDS[0] if b.rng.random() < 0.6 else vet.EXAMPLE_GROUNDS[2]
    case = vet.propose_exclusion(
        case,
        grounds=grounds,
        evidence=f"evidence/{number}",
        at=day + timedelta(hours=1),
        actor="officer-1",
        second_officer_required=True,
    )
    confirmed = datetime(2016, 8, 25, 12) if outcome == "late" else day + timedelta(hours=3)
    return vet.confirm(case, at=confirmed, actor="officer-2")


def _finish(
    section: str, frame: pl.DataFrame, births: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    """Emails and birth dates from the person (so overlaps match), messy case and spacing
    (which normalisation must see through), rows shuffled, in the roll schema's order."""
    young = (date(1999, 1, 1) - _EPOCH).days + rng.integers(0, 900, size=frame.height)
    person = frame["person"].to_numpy()
    under_age = frame["under_age"].to_numpy() if "under_age" in frame.columns else False
    dob = np.where(under_age, young, births[person])
    messy = rng.random(frame.height)
    email = pl.format("p{}@example.org", pl.col("person"))
    email = (
        pl.when(pl.lit(messy) < 0.1)
        .then(email.str.to_uppercase())
        .when(pl.lit(messy) < 0.15)
        .then(pl.lit(" ") + email + pl.lit(" "))
        .otherwise(email)
    )
    frame = frame.with_columns(
        email.alias("email"),
        pl.Series("date_of_birth", dob, dtype=pl.Int32).cast(pl.Date),
    )
    schema = SCHEMAS[KINDS[section]]
    absent = [c.name for c in schema.columns if c.name not in frame.columns]
    frame = frame.with_columns(pl.lit(None, pl.String).alias(name) for name in absent)
    frame = frame.select(schema.names).sample(
        fraction=1.0, shuffle=True, seed=int(rng.integers(2**31))
    )
    return frame.with_row_index(ROW, offset=2)
