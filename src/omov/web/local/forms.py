"""The secretary's forms: each offers only what the officer may choose (their units, the
kinds of motion the rules give this unit, its members)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from omov.web.contests.models import Candidate, ContestState
from omov.web.local.models import TriggerBallot, TriggerState
from omov.web.members.models import Unit


class MeetingForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label="Unit")
    title = forms.CharField(max_length=200, required=False, label="Title (optional)")
    held_on = forms.DateField(
        label="Date of the meeting", widget=forms.DateInput(attrs={"type": "date"})
    )
    notice_on = forms.DateField(
        label="Notice sent to members on", widget=forms.DateInput(attrs={"type": "date"})
    )
    quorum = forms.IntegerField(
        min_value=1,
        required=False,
        label="Quorum in the standing orders (blank: the rulebook's)",
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units


class CandidateField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Candidate) -> str:
        return f"{obj.name} · {obj.contest.title}"


class MotionForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of motion")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Text of the motion")
    mover = forms.CharField(max_length=40, label="Mover's membership number")
    seconder = forms.CharField(max_length=40, label="Seconder's membership number")
    candidate = CandidateField(
        queryset=Candidate.objects.none(),
        required=False,
        label="Candidate (a supporting nomination only)",
    )
    trigger_ballot = forms.ModelChoiceField(
        queryset=TriggerBallot.objects.none(),
        required=False,
        label="Trigger ballot (a trigger ballot vote only)",
    )

    def __init__(
        self,
        *args: Any,
        kinds: list[tuple[str, str]],
        unit: Unit,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        candidate = self.fields["candidate"]
        assert isinstance(candidate, forms.ModelChoiceField)
        candidate.queryset = Candidate.objects.filter(
            contest__organisation_id=unit.organisation_id,
            contest__state=ContestState.NOMINATIONS,
        ).select_related("contest")
        ballot = self.fields["trigger_ballot"]
        assert isinstance(ballot, forms.ModelChoiceField)
        ballot.queryset = TriggerBallot.objects.filter(unit__children=unit, state=TriggerState.OPEN)


class VotesForm(forms.Form):
    votes_for = forms.IntegerField(min_value=0, label="For")
    votes_against = forms.IntegerField(min_value=0, label="Against")
    abstentions = forms.IntegerField(min_value=0, initial=0, required=False, label="Abstaining")


class VoteForm(forms.Form):
    code = forms.CharField(max_length=20, label="Your one-time code")
    choice = forms.ChoiceField(
        choices=(("for", "For"), ("against", "Against"), ("abstain", "Abstain")),
        widget=forms.RadioSelect,
        label="Your vote",
    )


class TriggerOpenForm(forms.Form):
    representative = forms.CharField(max_length=120, label="The sitting MP who wishes to stand")


class SelectionForm(forms.Form):
    opens_at = forms.DateTimeField(
        required=False,
        label="If there is a selection: its ballot opens",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    closes_at = forms.DateTimeField(
        required=False,
        label="and closes",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
