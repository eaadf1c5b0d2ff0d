"""Forms of discussion and moderation: the grounds offered are the rulebook's house rules."""

from __future__ import annotations

from typing import Any

from django import forms

from omov.rules.house_rules import HouseRules, ground_label
from omov.web.discussion.markup import LONGEST


def rule_choices(rules: HouseRules) -> list[tuple[str, str]]:
    return [(r.code, ground_label(r).capitalize()) for r in rules.rules]


class PostForm(forms.Form):
    text = forms.CharField(
        label="Your post",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=LONGEST,
        help_text="Plain text; *emphasis*, **bold**, > quotes, lists and links work.",
    )
    quotes = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ThreadForm(PostForm):
    title = forms.CharField(label="Title", max_length=200)
    field_order = ("title", "text")


class GroundForm(forms.Form):
    ground = forms.ChoiceField(label="Rule")

    def __init__(self, *args: Any, rules: HouseRules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ground"].choices = rule_choices(rules)  # type: ignore[attr-defined]


class HideForm(GroundForm):
    reasons = forms.CharField(label="Note for the appeals panel", required=False)


class SuspendForm(GroundForm):
    days = forms.IntegerField(label="Days", min_value=1)
    reasons = forms.CharField(label="Reasons, for the second moderator and the panel")


class AppealForm(forms.Form):
    grounds = forms.CharField(label="Why the decision is wrong", widget=forms.Textarea)


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("uphold", "Uphold: reverse the decision"), ("dismiss", "Dismiss")],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(label="Written reasons", widget=forms.Textarea)
