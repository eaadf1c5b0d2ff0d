"""Formats are listed by name and loaded when a file of theirs is read or written."""

from __future__ import annotations

import subprocess
import sys
from importlib import import_module

from omov.count import formats


def test_the_listed_modules_register_every_format_and_writer() -> None:
    for module in set(formats.MODULES.values()):
        import_module(f"omov.count.formats.{module}")
    assert set(formats.READERS) == set(formats.MODULES)
    assert set(formats.WRITERS) == formats.WRITERS_OF
    assert set(formats.EXTENSIONS.values()) <= set(formats.MODULES)


def test_reading_a_blt_file_loads_neither_polars_nor_pyarrow(tmp_path) -> None:
    path = tmp_path / "small.blt"
    path.write_text('2 1\n1 1 2 0\n0\n"A"\n"B"\n"t"\n', encoding="utf-8")
    script = (
        "import sys\n"
        "from omov.count.formats import read_ballots\n"
        f"assert read_ballots({str(path)!r}).total == 1\n"
        "print(sorted(m for m in ('polars', 'pyarrow') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
