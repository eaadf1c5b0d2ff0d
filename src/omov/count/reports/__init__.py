"""Count report writers, by name: each turns a ``CountReport`` into text."""

from __future__ import annotations

from collections.abc import Callable

from omov.count.report import CountReport

ReportWriter = Callable[[CountReport], str]

REPORT_WRITERS: dict[str, ReportWriter] = {}


def register_report(name: str) -> Callable[[ReportWriter], ReportWriter]:
    def decorate(writer: ReportWriter) -> ReportWriter:
        REPORT_WRITERS[name] = writer
        return writer

    return decorate


def render_report(report: CountReport, format: str) -> str:
    writer = REPORT_WRITERS.get(format)
    if writer is None:
        raise ValueError(
            f"unknown report format {format!r}; known: {', '.join(sorted(REPORT_WRITERS))}"
        )
    return writer(report)


# Importing the writer modules registers them.
from omov.count.reports import csv_report as csv_report  # noqa: E402
from omov.count.reports import native_json as native_json  # noqa: E402
from omov.count.reports import rctab_json as rctab_json  # noqa: E402

__all__ = ["REPORT_WRITERS", "register_report", "render_report"]
