"""The errors and messages people see are given through ``gettext``: every string or
f-string handed to an error of the app (``ContestError`` and its kin), to
``django.contrib.messages``, or to ``run_action`` as the message of an officer's action done,
in ``omov.web``: its words to gettext and its figures (a date, a repr, a joined list, a count)
as named placeholders. A program's own errors (``ValueError``, ``RuntimeError``, an
append-only table's refusal) are for developers and stay as they are, and so do the
deployment checks' (``django.core.checks.Error``), for whoever runs the server in the language
of ``manage.py check``, as Django's own checks are."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import omov.web

WEB = Path(omov.web.__file__).parent
FOR_DEVELOPERS = {
    "AppendOnlyError",
    "AssertionError",
    "Error",
    "ImproperlyConfigured",
    "KeyError",
    "NotImplementedError",
    "RuntimeError",
    "TypeError",
    "ValueError",
}
SHOWN_BY_MESSAGES = {"success", "error", "info", "warning"}
TRANSLATING = {"gettext", "ngettext", "pgettext", "npgettext", "_"}


def _shown(node: ast.Call) -> ast.expr | None:
    """The message argument of an app error or a ``messages`` call, else None."""
    func = node.func
    if isinstance(func, ast.Name) and func.id.endswith("Error") and node.args:
        return None if func.id in FOR_DEVELOPERS else node.args[0]
    if isinstance(func, ast.Name) and func.id == "run_action":  # (request, action, done, ...)
        done = [k.value for k in node.keywords if k.arg == "done"]
        return node.args[2] if len(node.args) >= 3 else (done[0] if done else None)
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
    return isinstance(arg, ast.Call) and getattr(arg.func, "id", "") in TRANSLATING


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
        "raise ContestError(ngettext('%(n)s day', '%(n)s days', n) % {'n': n})\n"
        "raise ContestError('ended at ' + f'{when:%H:%M}')\n"
        "run_action(request, act, 'Done.', back)\n"
        "run_action(request, act, gettext('Done.'), back)\n"
        "run_action(request, act, done=f'Added {name}.', back=back)\n"
        "raise ValueError('a bug')\n"
        "raise ContestError(str(error))\n"
    )
    assert list(bare_messages(source)) == [
        "'no'",
        "f'Opened {title}'",
        "'ended at ' + f'{when:%H:%M}'",
        "'Done.'",
        "f'Added {name}.'",
    ]


def test_every_message_people_see_goes_through_gettext() -> None:
    found = {
        (path.relative_to(WEB).as_posix(), message)
        for path in sorted(WEB.rglob("*.py"))
        if "migrations" not in path.parts
        for message in bare_messages(path.read_text(encoding="utf-8"))
    }
    assert found == set()
