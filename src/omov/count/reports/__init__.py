"""Count report writers, by name: each turns a ``CountReport`` into text.

A writer's module is imported when the writer is first looked up (``HOMES``): a
command-line count writes one report, and loads no other writer (nor ``json``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from importlib import import_module

from omov.count.report import CountReport

ReportWriter = Callable[[CountReport], str]

HOMES: dict[str, str] = {"csv": "csv_report", "json": "native_json", "rctab-json": "rctab_json"}
"""Report name -> the module of ``omov.count.reports`` that registers its writer."""


class _Writers(Mapping[str, ReportWriter]):
    """The writers by name: a writer's module is imported when it is first looked up."""

    def __init__(self) -> None:
        self.registered: dict[str, ReportWriter] = {}

    def __getitem__(self, name: str) -> ReportWriter:
        if name not in self.registered and name in HOMES:
            import_module(f"omov.count.reports.{HOMES[name]}")
        return self.registered[name]

    def __contains__(self, name: object) -> bool:
        return name in HOMES

    def __iter__(self) -> Iterator[str]:
        return iter(HOMES)

    def __len__(self) -> int:
        return len(HOMES)


_WRITERS = _Writers()
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
