"""Server errors as one JSON object a line on stderr, for whatever collects the server's logs.

With DEBUG off Django sends a request's unhandled exception to ``mail_admins`` only, which
omov does not configure: errors went nowhere. Here they go to stderr with what an operator
needs to find the fault: when, which logger, status, method, path (never the query string,
the body, cookies or headers: a voter's ranking or code travels in those), the exception's
type and where it was raised, frame by frame.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback
from typing import Any

DETAIL = 300
"""How much of an exception's message is kept (a database error can quote a row)."""


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["method"] = request.method
            entry["path"] = request.path
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            entry["error"] = type(error).__qualname__
            entry["detail"] = str(error)[:DETAIL]
            entry["where"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(error.__traceback__)
            ]
        return json.dumps(entry, ensure_ascii=False)
