"""Forms of the members' pages and the officer's members page."""

from __future__ import annotations

from typing import Any

from django import forms

from omov.web.contests.forms import OfficerForm


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class UploadForm(OfficerForm):
    file = forms.FileField(label="CSV file")


class RulebookForm(OfficerForm):
    rulebook = forms.ChoiceField(label="Rulebook in force")

    def __init__(self, *args: Any, editions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rulebook"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = editions
