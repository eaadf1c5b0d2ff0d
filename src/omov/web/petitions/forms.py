"""The forms of the petition pages (Django forms: labels, errors and limits in one place)."""

from __future__ import annotations

import datetime as dt

from django import forms

from omov.web.petitions.services import TEXT_MAX, TITLE_MAX


class StartForm(forms.Form):
    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    text = forms.CharField(
        label="What the petition asks for",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    closes_on = forms.DateField(
        label="Closing date",
        help_text="Signatures are taken until the end of this day (UTC).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def closes_at(self) -> dt.datetime:
        day: dt.date = self.cleaned_data["closes_on"]
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


class EmailForm(forms.Form):
    email = forms.CharField(
        label="Your email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(ReasonForm):
    flag = forms.CharField(max_length=40, widget=forms.HiddenInput)
    address_range = forms.CharField(max_length=50, required=False, widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label="Decision",
        choices=(("accept", "Count them"), ("reject", "Reject them")),
        widget=forms.RadioSelect,
    )
