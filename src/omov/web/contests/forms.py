"""Forms that parse the officer's input for the contest services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from omov.rules.schema import TriggerKind
from omov.web.contests.models import Organisation
from omov.web.contests.photos import LARGEST_UPLOAD
from omov.web.contests.rulebooks import shipped_keys


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
