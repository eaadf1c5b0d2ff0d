"""Value types shared by the rulebook schema: fractions, citations, local date-times.

Fractions are exact (``Fraction``), so a threshold of 20% of 251 is 50.2 exactly and is
rounded only where the rule says so. Date-times without an offset are local time in the
rulebook's time zone (officers write "5pm on 20 July", not UTC), resolved on loading.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, ValidationInfo

DEFAULT_TIMEZONE = "Europe/London"


class Model(BaseModel):
    """Every schema model: frozen, and unknown keys are errors (a typo must not pass)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def parse_fraction(value: Any) -> Fraction:
    """ "20%", "1/5", "0.2" or a number -> an exact fraction between 0 and 1."""
    if isinstance(value, bool):
        raise ValueError("give a fraction such as '20%' or '1/5', not true/false")
    try:
        if isinstance(value, Fraction):
            fraction = value
        elif isinstance(value, int):
            fraction = Fraction(value)
        elif isinstance(value, float):
            fraction = Fraction(Decimal(repr(value)))
        elif isinstance(value, str) and value.strip().endswith("%"):
            fraction = Fraction(Decimal(value.strip()[:-1].strip())) / 100
        elif isinstance(value, str):
            fraction = Fraction(value.strip())
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError, InvalidOperation):
        raise ValueError(f"{value!r} is not a fraction; write e.g. '20%' or '1/5'") from None
    if fraction > 1:
        raise ValueError(f"{format_percent(fraction)} is over 100%")
    if fraction < 0:
        raise ValueError(f"{format_percent(fraction)} is below 0%")
    return fraction


def format_percent(fraction: Fraction) -> str:
    """12.5% rather than 1/8: how rulebooks write thresholds."""
    percent = fraction * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    text = f"{float(percent):.4f}".rstrip("0").rstrip(".")
    return f"{text}%"


Percent = Annotated[
    Fraction,
    PlainValidator(parse_fraction),
    PlainSerializer(format_percent, return_type=str),
]
"""A share between 0% and 100%, kept exact."""

Citation = Annotated[str, Field(min_length=1, description="Clause cited, e.g. 'Ch4 Cl II.2.B.ii'")]
"""Every rule carries one: the engine quotes it with each decision."""


def zone_of(info: ValidationInfo) -> ZoneInfo:
    name = (info.context or {}).get("timezone", DEFAULT_TIMEZONE)
    return load_zone(name)


def load_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; write e.g. 'Europe/London'") from None


def to_local_datetime(value: Any, info: ValidationInfo) -> datetime:
    """A TOML/YAML date or date-time -> an aware date-time (naive means the rulebook's zone).

    A bare date means the start of that day: "joined on or before 12 January" is handled
    by the eligibility code with dates, so a bare date here marks when a period begins.
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date-time; write e.g. 2016-07-20T17:00") from None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        raise ValueError(f"{value!r} is not a date-time; write e.g. 2016-07-20T17:00")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone_of(info))
    return moment


LocalDateTime = Annotated[
    datetime,
    PlainValidator(to_local_datetime),
    PlainSerializer(lambda moment: moment.isoformat(), return_type=str),
]
"""A moment; written without an offset it is local time in the rulebook's time zone."""


def to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date; write e.g. 2016-01-12")


Day = Annotated[date, PlainValidator(to_date), PlainSerializer(date.isoformat, return_type=str)]
"""A calendar day (freeze dates, 'as of' dates)."""
