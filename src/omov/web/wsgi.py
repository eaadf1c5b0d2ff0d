"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omov.web.settings")
application = get_wsgi_application()

# Only in ``omov demo`` (SQLite, no worker): the timetable's tick, in this process.
from omov.web.jobs.worker import demo_ticking  # noqa: E402  (after Django is set up)

demo_ticking()
