"""Forms that parse the officer's input for the contest services."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet

from omov.rules.schema import DateKind, Rulebook, TriggerKind
from omov.web.contests.models import Organisation
from omov.web.contests.photos import LARGEST_UPLOAD
from omov.web.contests.rulebooks import shipped_keys
from omov.web.wording import date_kind_name


class OfficerForm(forms.Form):
    """Labels without Django's trailing colon, so screen readers read the plain name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ContestForm(OfficerForm):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), empty_label=None)
    rulebook = forms.ChoiceField(
        choices=lambda: [(k, k) for k in shipped_keys()], initial="labour/2016"
    )
    title = forms.CharField(max_length=200, initial="Leadership election")
    trigger = forms.ChoiceField(
        choices=[("", "The rulebook's challenge, else its first")]
        + [(kind.value, kind.value) for kind in TriggerKind if kind is not TriggerKind.CALLED],
        required=False,
        label="How the contest arises",
        help_text="One of the rulebook's triggers (a vacancy, a challenge, an election due).",
    )
    nominating_body_size = forms.IntegerField(
        min_value=1,
        required=False,
        label="Members of the nominating body",
        help_text="Leave blank for the size the rulebook records.",
    )
    freeze_date = forms.DateField(
        required=False,
        help_text="YYYY-MM-DD; blank: the rulebook's",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ballot_opens_at = forms.DateTimeField(help_text="YYYY-MM-DD HH:MM")
    ballot_closes_at = forms.DateTimeField(help_text="YYYY-MM-DD HH:MM")

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        """``organisations``: those the officer may open a contest in."""
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class CandidateForm(OfficerForm):
    name = forms.CharField(max_length=120)
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="Up to 250 words."
    )
    incumbent = forms.BooleanField(required=False)
    photo = forms.FileField(required=False, help_text="JPEG, PNG or WebP, at most 1 MB.")

    def clean_photo(self) -> object:
        """Only the size here; the service decodes and re-encodes the photo
        (``contests/photos.py``), which refuses anything Pillow cannot read as an image."""
        photo = self.cleaned_data.get("photo")
        if photo is not None and photo.size > LARGEST_UPLOAD:
            raise forms.ValidationError("the photo is larger than 1 MB")
        return photo


class MotionForm(OfficerForm):
    """A motion voted on by one of the rulebook's bodies (the PLP's no-confidence motion)."""

    body = forms.ChoiceField(label="Voted on by")
    motion = forms.CharField(
        max_length=60,
        initial="no-confidence",
        label="Motion",
        help_text="Its kind as the rulebook names motions, e.g. no-confidence.",
    )
    votes_for = forms.IntegerField(min_value=0, label="Votes for")
    votes_against = forms.IntegerField(min_value=0, label="Votes against")

    def __init__(self, *args: Any, book: Rulebook, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [(key, body.name) for key, body in book.bodies.items()]  # type: ignore[attr-defined]


OTHER_OFFICE = "another"


class ResignationForm(OfficerForm):
    """Someone resigns an office: this contest's, or another (which vacates nothing)."""

    holder = forms.CharField(max_length=120, label="Who resigns")
    office = forms.ChoiceField(label="From which office")
    other_office = forms.CharField(
        max_length=60,
        required=False,
        label="The other office",
        help_text="If not one of the rulebook's offices, e.g. shadow-health.",
    )

    def __init__(self, *args: Any, book: Rulebook, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offices = [(key, office.name) for key, office in book.offices.items()]
        self.fields["office"].choices = [*offices, (OTHER_OFFICE, "Another office (name it)")]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("office") == OTHER_OFFICE:
            other = (data.get("other_office") or "").strip()
            if not other:
                raise forms.ValidationError("name the other office")
            data["office"] = other
        return data


class DateSetForm(OfficerForm):
    """A date set for this contest by the committee the rulebook names (the engine refuses
    one the rulebook fixes itself, and says so)."""

    what = forms.ChoiceField(label="Which date")
    value = forms.DateTimeField(
        label="Date and time", help_text="YYYY-MM-DD HH:MM, in the rulebook's time zone"
    )
    section = forms.ChoiceField(required=False, label="For which section")
    by = forms.CharField(max_length=120, required=False, label="Set by")

    def __init__(self, *args: Any, book: Rulebook, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(book.timezone)
        self.fields["what"].choices = [(k.value, date_kind_name(k.value)) for k in DateKind]  # type: ignore[attr-defined]
        self.fields["section"].choices = [  # type: ignore[attr-defined]
            ("", "Every section it applies to"),
            *((key, section.name) for key, section in book.sections.items()),
        ]
        self.fields["value"].help_text = f"YYYY-MM-DD HH:MM, {book.timezone} time"
        if book.date_setting is not None:
            self.fields["by"].initial = book.date_setting.by

    def clean_value(self) -> dt.datetime:
        """The time as written, in the rulebook's zone (not the site's)."""
        value: dt.datetime = self.cleaned_data["value"]
        return value.replace(tzinfo=self.zone)  # the wall time as written, in that zone
