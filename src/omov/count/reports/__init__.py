"""Count report writers, by name: each turns a ``CountReport`` into text.

A writer's module is imported when the writer is first looked up (``HOMES``): a
command-line count writes one report, and loads no other writer (nor ``json``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from omov.count.lazy import LazyRegistry
from omov.count.report import CountReport

ReportWriter = Callable[[CountReport], str]

HOMES: dict[str, str] = {"csv": "csv_report", "json": "native_json", "rctab-json": "rctab_json"}
"""Report name -> the module of ``omov.count.reports`` that registers its writer."""


_WRITERS: LazyRegistry[ReportWriter] = LazyRegistry(__name__, HOMES)
REPORT_WRITERS: Mapping[str, ReportWriter] = _WRITERS


def register_report(name: str) -> Callable[[ReportWriter], ReportWriter]:
    if name not in HOMES:
        raise ValueError(f"list the report {name!r} in omov.count.reports.HOMES")

    def decorate(writer: ReportWriter) -> ReportWriter:
        _WRITERS.registered[name] = writer
        return writer

    return decorate


def render_report(report: CountReport, format: str) -> str:
    writer = REPORT_WRITERS.get(format)
    if writer is None:
        raise ValueError(
            f"unknown report format {format!r}; known: {', '.join(sorted(REPORT_WRITERS))}"
        )
    return writer(report)


__all__ = ["HOMES", "REPORT_WRITERS", "register_report", "render_report"]
