"""The audit trail of one contest, for officers and scrutineers, as JSON lines."""

from __future__ import annotations

from django.http import HttpRequest, StreamingHttpResponse

from omov.web.access.checks import officer_view
from omov.web.audit.selectors import events_for_stream


@officer_view(None)
def audit_trail(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Streamed a few thousand events at a time: a contest's trail can hold an event for
    every vetting decision."""
    lines = (
        f'{{"sequence":{e.sequence},"kind":"{e.kind}","payload":{e.payload}}}\n'
        for e in events_for_stream(stream=f"contest:{pk}").iterator(chunk_size=2000)
    )
    return StreamingHttpResponse(lines, content_type="application/x-ndjson")
