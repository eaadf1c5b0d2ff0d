"""Who may vote in each section: the criteria as data, for ``omov.electorate`` to apply.

This model is a contract with the electorate package; keep its fields stable (add, never
rename or change meaning).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from omov.rules.values import Citation, Day, LocalDateTime, Model


class EligibilityCriteria(Model):
    """The tests one section's electors must pass. ``None``/``False`` means "no such test".

    Fields (all optional but ``citation``):

    - ``joined_on_or_before`` (date): the freeze date; a member whose membership began
      after it has no vote (Labour 2016: 12 January 2016). Inclusive.
    - ``continuous_membership`` (bool): membership must be unbroken from the freeze date
      (or from joining) to ``continuous_until`` (if given) or the close of the ballot; a lapse
      and rejoin restarts it.
    - ``continuous_until`` (date): the day up to which membership must be unbroken
      (Labour 2016: 12 July 2016, six months back to the freeze date).
    - ``application_window_start`` / ``application_window_end`` (aware date-times): a
      registered-supporter application counts only if received inside this window,
      start and end inclusive (Labour 2016: 5pm 18 July to 5pm 20 July 2016).
    - ``fee`` (Decimal, in ``currency``): the fee an applicant must have paid in full
      (Labour 2016: 25.00 GBP; 2015: 3.00). ``currency`` defaults to "GBP".
    - ``minimum_age`` (int): age in whole years on ``age_on`` (or on the close of the
      ballot when ``age_on`` is not given).
    - ``electoral_register_required`` (bool): the applicant must be matched on the
      electoral register.
    - ``affiliated_supporter_deadline`` (aware date-time): the last moment an affiliated
      supporter may sign up (Labour 2016: 12 noon 8 August 2016).
    - ``affiliate_member_on_or_before`` (date): an affiliated supporter must have been a
      member of the affiliate on or before this day (Labour 2016: 12 January 2016). The
      electorate checks it against the affiliates roll's ``affiliate_join_date``.
    - ``good_standing_required`` (bool): fully paid up; ``max_arrears`` (Decimal, may be
      0) is the most a member may owe and still vote; ``None`` means arrears are not tested.
    - ``exclude_suspended`` (bool, default True): a suspended member has no vote.
    - ``exclude_other_party_supporters`` (bool): members or supporters of another party
      (or who publicly back its candidates) are excluded, a ground for vetting.
    - ``min_membership_days`` (int): days of membership needed by the close of the
      ballot or ``member_at`` (Conservatives: three months, written as 90).
    - ``member_at`` (aware date-time): the moment at which one must be a member, when the
      rule fixes one (Liberal Democrats: the close of nominations).
    - ``citation`` (str): the clause these criteria come from.
    """

    joined_on_or_before: Day | None = None
    continuous_membership: bool = False
    continuous_until: Day | None = None
    application_window_start: LocalDateTime | None = None
    application_window_end: LocalDateTime | None = None
    fee: Decimal | None = Field(default=None, ge=0)
    currency: str = "GBP"
    minimum_age: int | None = Field(default=None, ge=0, le=120)
    age_on: Day | None = None
    electoral_register_required: bool = False
    affiliated_supporter_deadline: LocalDateTime | None = None
    affiliate_member_on_or_before: Day | None = None
    good_standing_required: bool = False
    max_arrears: Decimal | None = Field(default=None, ge=0)
    exclude_suspended: bool = True
    exclude_other_party_supporters: bool = False
    min_membership_days: int | None = Field(default=None, ge=0)
    member_at: LocalDateTime | None = None
    citation: Citation

    @model_validator(mode="after")
    def _window_in_order(self) -> EligibilityCriteria:
        start, end = self.application_window_start, self.application_window_end
        if start is not None and end is not None and end < start:
            raise ValueError(
                f"application window ends ({end:%Y-%m-%d %H:%M}) before it starts "
                f"({start:%Y-%m-%d %H:%M})"
            )
        return self
