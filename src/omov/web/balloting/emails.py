"""What the voting-code and reminder emails say, in plain text and HTML (Django templates
``balloting/email/*``), for the background mailings and the officer's reissue alike.

The code letter carries a one-time link that signs the elector in (``views.vote_link``),
with the code itself as the fallback; each letter greets the elector by their section, as
the rulebook names it (an affiliated supporter is not "Dear member")."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from omov.web.balloting.codes import link_token
from omov.web.contests.models import Contest, Rulebook
from omov.web.wording import when

SENDER = "returning.officer@omov.invalid"


def one(plural: str) -> str:
    """A section's name for one of its people: "Registered supporters" -> "registered
    supporter" (an initial capital kept where it starts an acronym or a name: "SNP members")."""
    words = plural.split()
    last = words[-1]
    if last.endswith("ies"):
        last = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    text = " ".join([*words[:-1], last])
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


@lru_cache(maxsize=64)
def section_names(rulebook_id: int) -> dict[str, str]:
    """A rulebook's section names, read once per process: a rulebook row's facts never
    change once loaded, and a mailing greets thousands by them."""
    return dict(Rulebook.objects.get(pk=rulebook_id).typed.section_names)


def greeting(contest: Contest, section: str) -> str:
    name = section_names(contest.rulebook_id).get(section)
    if not name:
        return _("Dear elector,")
    return _("Dear %(one)s,") % {"one": one(name)}


def _site(path: str) -> str:
    return settings.OMOV_SITE_URL.rstrip("/") + path


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str

    def message(self, to: str, **extra: object) -> EmailMultiAlternatives:
        email = EmailMultiAlternatives(self.subject, self.text, SENDER, [to], **extra)  # type: ignore[arg-type]
        email.attach_alternative(self.html, "text/html")
        return email


def _render(name: str, subject: str, context: dict[str, object]) -> Letter:
    return Letter(
        subject,
        render_to_string(f"balloting/email/{name}.txt", context).strip() + "\n",
        render_to_string(f"balloting/email/{name}.html", context),
    )


def _common(contest: Contest, section: str) -> dict[str, object]:
    zone = contest.organisation.time_zone
    return {
        "contest": contest,
        "greeting": greeting(contest, section),
        "opens": when(contest.ballot_opens_at, zone),
        "closes": when(contest.ballot_closes_at, zone),
        "start": _site(reverse("vote-start", args=[contest.pk])),
    }


def code_letter(contest: Contest, section: str, code: str) -> Letter:
    """The voting code, with the one-time link that signs the elector in; in the site's
    language whoever sends it (a worker, or an officer's reissue)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _code_letter(contest, section, code)


def _code_letter(contest: Contest, section: str, code: str, token: str = "") -> Letter:
    link = _site(reverse("vote-link", args=[contest.pk, token or link_token(code)]))
    context = {**_common(contest, section), "code": code, "link": link}
    return _render("code", _("Your voting code: %(title)s") % {"title": contest.title}, context)


# Stand-ins for a code and a link's token in a letter rendered once: lower-case letters
# only, which neither HTML escaping nor the URL changes, and nothing else in a letter is.
_MARK_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class CodeLetterPress:
    """The code letter of one contest and section, rendered once with stand-ins for the
    code and the link's token: a batch's letters differ in those two only, and rendering
    the templates for each cost more than the rest of a letter's sending. ``letter`` is
    ``code_letter``'s letter for that code, to the character."""

    blank: Letter
    code_mark: str
    token_mark: str

    @classmethod
    def for_section(cls, contest: Contest, section: str) -> CodeLetterPress:
        code_mark, token_mark = (get_random_string(32, _MARK_ALPHABET) for _ in range(2))
        with translation.override(settings.LANGUAGE_CODE):
            blank = _code_letter(contest, section, code_mark, token_mark)
        return cls(blank, code_mark, token_mark)

    def fill(self, text: str, code: str) -> str:
        """``text`` (the letter, or a message built from it) with this code and its token."""
        return text.replace(self.code_mark, code).replace(self.token_mark, link_token(code))

    def letter(self, code: str) -> Letter:
        blank = self.blank
        return Letter(blank.subject, self.fill(blank.text, code), self.fill(blank.html, code))


def reminder_letter(contest: Contest, section: str) -> Letter:
    with translation.override(settings.LANGUAGE_CODE):
        return _render(
            "reminder",
            _("Reminder: %(title)s") % {"title": contest.title},
            _common(contest, section),
        )


def masked(address: str) -> str:
    """An email address as the officer is told it: enough to recognise, not to copy
    ("d***@e***.org")."""
    local, _at, domain = address.partition("@")
    if not domain:
        return "***"
    host, _dot, tld = domain.rpartition(".")
    return f"{local[:1]}***@{host[:1]}***.{tld}" if host else f"{local[:1]}***@{tld}"
