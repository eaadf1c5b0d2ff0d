"""WSGI entry point.

Django hands the server its response object to iterate, and ends the request (its
``request_finished`` signal, which checks the database connection) when the server closes
it. Granian iterates and closes such a body from its own threads, each step taking the
interpreter's lock again; a response whose body is already whole (every page and redirect:
``HttpResponse``) is given to it as a list instead, after ending the request here, so
Granian sends it in one piece while the request's thread still holds the lock. Streamed
responses (files, ``StreamingHttpResponse``) go to the server as Django made them.
"""

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omov.web.settings")
django_application = get_wsgi_application()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    response = django_application(environ, start_response)
    if not isinstance(response, HttpResponse):
        return response
    try:
        return [response.content]
    finally:
        response.close()


# Only in ``omov demo`` (SQLite, no worker): the timetable's tick, in this process.
from omov.web.jobs.worker import demo_ticking  # noqa: E402  (after Django is set up)

demo_ticking()
