"""The errors and messages people see are given through ``gettext``: every string or
f-string handed to an error of the app (``ContestError`` and its kin) or to
``django.contrib.messages`` in ``omov.web``. A program's own errors (``ValueError``,
``RuntimeError``, an append-only table's refusal) are for developers and stay as they are."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import omov.web

WEB = Path(omov.web.__file__).parent
FOR_DEVELOPERS = {
    "AppendOnlyError",
    "AssertionError",
    "ImproperlyConfigured",
    "KeyError",
    "NotImplementedError",
    "RuntimeError",
    "TypeError",
    "ValueError",
}
SHOWN_BY_MESSAGES = {"success", "error", "info", "warning"}

NOT_YET = {
    ("balloting/checks.py", "f'{name} must be {what}'"),
    ("balloting/services.py", "'the ballot closed at ' + f'{contest.ballot_"),
    ("balloting/services.py", "f'the timetable closes the ballot at {contes"),
    ("balloting/services.py", "f'the timetable opens the ballot at {contest"),
    ("contests/engine.py", "f'{book.id} starts no contest by {wanted!r};"),
    ("contests/happening_views.py", "'Nothing was recorded: ' + '; '.join(problem"),
    ("contests/happening_views.py", "done + (' The rules decide:' if decided else"),
    ("contests/models.py", "f'{name!r} is not a time zone name such as E"),
    ("contests/services.py", "f'an organisation called {name!r} already ex"),
    ("contests/views.py", "'The candidate was not added: ' + '; '.join("),
    ("discussion/services.py", "f'a post is at most {LONGEST:,} characters; "),
    ("electorate/rolls.py", "f'no section {section!r} votes under this ru"),
    ("electorate/rolls.py", "f'this rulebook has no section {section!r}; "),
    ("electorate/services.py", "f'no section {section!r} votes under this ru"),
    ("electorate/vetting.py", "'vetting decisions: the columns must be ' + "),
    ("electorate/vetting.py", "f'the {vetting_rules(contest).appeal_days} d"),
    ("electorate/vetting.py", "f'{ground!r} is not a ground of this ruleboo"),
    ("electorate/views.py", "done + '.'"),
    ("local/engine.py", "f'the rules have no kind of motion called {k"),
    ("local/views.py", "f'{meeting.title} is called for {meeting.hel"),
    ("nominations/services.py", '"the rules hold shortlist ballots first, whi'),
    ("nominations/services.py", "'no contest has been triggered: ' + _last_re"),
    ("nominations/services.py", "f\"nominations come from {', '.join(bodies)},"),
    ("trustees/services.py", "f'the message is for {message.contest!r}, no"),
}
"""Messages built with a date format, a repr or a joined list, still to be given through
gettext (each needs its words and its figures apart): listed so that no new one joins them."""


def _shown(node: ast.Call) -> ast.expr | None:
    """The message argument of an app error or a ``messages`` call, else None."""
    func = node.func
    if isinstance(func, ast.Name) and func.id.endswith("Error") and node.args:
        return None if func.id in FOR_DEVELOPERS else node.args[0]
    if (
        isinstance(func, ast.Attribute)
        and func.attr in SHOWN_BY_MESSAGES
        and isinstance(func.value, ast.Name)
        and func.value.id == "messages"
        and len(node.args) >= 2
    ):
        return node.args[1]
    return None


def _translated(arg: ast.expr) -> bool:
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mod):
        arg = arg.left
    return isinstance(arg, ast.Call) and getattr(arg.func, "id", "") in {"gettext", "_"}


def bare_messages(source: str) -> Iterator[str]:
    for node in ast.walk(ast.parse(source)):
        arg = _shown(node) if isinstance(node, ast.Call) else None
        if arg is None or _translated(arg):
            continue
        literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
        if literal or isinstance(arg, ast.JoinedStr | ast.BinOp):
            yield ast.unparse(arg)[:44]


def test_the_check_finds_a_bare_message() -> None:
    source = (
        "raise ContestError('no')\n"
        "raise ContestError(gettext('yes'))\n"
        "messages.success(request, f'Opened {title}')\n"
        "messages.error(request, gettext('%(n)s left') % {'n': n})\n"
        "raise ValueError('a bug')\n"
        "raise ContestError(str(error))\n"
    )
    assert list(bare_messages(source)) == ["'no'", "f'Opened {title}'"]


def test_every_message_people_see_goes_through_gettext() -> None:
    found = {
        (path.relative_to(WEB).as_posix(), message)
        for path in sorted(WEB.rglob("*.py"))
        if "migrations" not in path.parts
        for message in bare_messages(path.read_text(encoding="utf-8"))
    }
    assert found - NOT_YET == set()
    assert NOT_YET - found == set()  # one wrapped since: take it off the list
