"""A file's bytes cut into runs of whole lines, and work done on the runs in two threads.

The fast readers parse a run of lines at a time with NumPy, which lets go of the GIL for
each step on a run's arrays: two threads, each taking the next run as it is done with one,
keep both cores of a small machine busy. The runs may be done in any order (the coded
rows they go to are sorted at the end, ``coded``), and a run found irregular stops both
threads: the general reader then reads the file, and names the line at fault.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from omov.count.mapping import Text as Text
from omov.count.mapping import map_file, mapped_early

MAP_AT_LEAST = 1 << 20
"""Bytes from which a file is mapped, not read."""


def file_bytes(path: Path) -> Text:
    """The bytes of the file at ``path``: a large regular file's mapped (``mapping``), by
    a command-line count early, in a thread of its own (``mapping.map_early``)."""
    early = mapped_early(path, MAP_AT_LEAST)
    return early if early is not None else map_file(path, MAP_AT_LEAST)


BOM = b"\xef\xbb\xbf"
"""The byte-order mark spreadsheets put before UTF-8 text."""


def text_start(data: Text) -> int:
    """Where the text of ``data`` starts: after a byte-order mark, if it has one."""
    return len(BOM) if data[: len(BOM)] == BOM else 0


RUN = 1 << 20
"""Bytes of lines parsed at once, at least (about 40,000 BLT lines): a run's arrays stay
small enough to be reused by the next run, not mapped afresh."""
THREADS = 2


def line_runs(data: Text, start: int, stop: int | None = None) -> Iterator[npt.NDArray[np.uint8]]:
    """The bytes of ``data[start:stop]`` (whole lines, ending with ``\\n``) in runs of
    whole lines: views of ``data``, not copies."""
    stop = len(data) if stop is None else stop
    while start < stop:
        end = data.find(b"\n", start + RUN, stop) + 1 or stop
        yield np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)
        start = end


MALLOC_PRIMER = 16 << 20
"""Bytes of one block allocated and freed before the runs are read (see ``keep_memory``)."""
_primed = False


def keep_memory() -> None:
    """Have the C library keep the memory the runs' arrays free, for the next run's.

    glibc's malloc maps a large block afresh and unmaps it when freed, and gives the top
    of its heap back to the kernel when more than a threshold is free; memory fresh from
    the kernel is zeroed page by page on first touch. A run's arrays (a few MiB) are freed
    before the next run's are made, so each run's were fresh memory: 150,000 page faults
    and 0.3 s of system time reading 10^6 ballots of CSV, more than the parse. Freeing a
    block of ``MALLOC_PRIMER`` bytes once raises both thresholds (glibc's dynamic mmap
    threshold, mallopt(3)): 31,000 faults and 0.08 s. Elsewhere it is a block allocated
    and freed untouched."""
    global _primed
    if not _primed:
        _primed = True
        np.empty(MALLOC_PRIMER, dtype=np.uint8)


def each_run(
    runs: Iterator[npt.NDArray[np.uint8]], work: Callable[[npt.NDArray[np.uint8]], bool]
) -> bool:
    """``work`` on every run, in ``THREADS`` threads (this one and helpers), each taking the
    next run when it is done with one; ``False`` as soon as one run's ``work`` is ``False``
    (no further run is started). An exception in any thread is raised here, after all have
    stopped."""
    keep_memory()
    taking = threading.Lock()
    failed: list[BaseException] = []
    verdict = [True]

    def worker() -> None:
        try:
            while verdict[0] and not failed:
                with taking:
                    chars = next(runs, None)
                if chars is None:
                    return
                if not work(chars):
                    verdict[0] = False
        except BaseException as error:  # re-raised in the calling thread
            failed.append(error)

    helpers = [threading.Thread(target=worker) for _ in range(THREADS - 1)]
    for helper in helpers:
        helper.start()
    worker()
    for helper in helpers:
        helper.join()
    if failed:
        raise failed[0]
    return verdict[0]


def field_ends(
    chars: npt.NDArray[np.uint8], width: int, *, text: bool = True, utf8: bool = False
) -> npt.NDArray[np.intp] | None:
    """Where each field of a run of lines ends (a comma or a line end), or ``None`` if a
    line has not ``width`` fields (as many line ends as rows, each ending a row's last
    field), or, if ``text``, the run holds a byte the fast readers leave to the general
    ones: a quote, a control byte but the line end (``\\r``, NUL, a tab) or, if ``utf8``,
    bytes that are not UTF-8 text. Checked here, a run at a time in the runs' threads, not
    by searches of the whole file first (three of 10^6 ballots of CSV took 15-27 ms, load
    9 on 2 cores)."""
    newline = chars == ord("\n")
    rows = int(np.count_nonzero(newline))
    if text:
        # One compare counts the control bytes and, as signed bytes, the non-ASCII ones.
        odd = np.count_nonzero(chars.view(np.int8) < ord(" ")) != rows
        if (odd and not _text(chars, rows, utf8)) or (chars == ord('"')).any():
            return None
    ends = np.flatnonzero(newline | (chars == ord(",")))
    if len(ends) != rows * width or not newline.take(ends[width - 1 :: width]).all():
        return None
    return ends


def _text(chars: npt.NDArray[np.uint8], rows: int, utf8: bool) -> bool:
    """Whether a run with non-ASCII bytes has no control byte but its line ends, and (if
    ``utf8``) is UTF-8 text."""
    if np.count_nonzero(chars < ord(" ")) != rows:
        return False
    try:
        if utf8:
            chars.tobytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
