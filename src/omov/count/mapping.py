"""A ballot file's bytes mapped into memory, and mapped early: in a thread of its own while
a command-line count imports NumPy and the count's modules.

Mapping a large file (``mmap`` with ``MAP_POPULATE``: every page mapped at once) took
3-5 ms of a count of 10^6 ballots (14-64 MB), before its readers' threads start. The
system call lets go of the GIL, so ``map_early`` does it on the other core while the main
thread imports (some 80 ms), and the reader (``formats.runs.file_bytes``) takes what it
mapped. This module imports neither NumPy nor the readers, so the mapping starts first.
"""

from __future__ import annotations

import mmap
import os
import threading
from pathlib import Path

Text = bytes | mmap.mmap
"""A file's bytes: read (``bytes``) or mapped. Both find, slice and index alike, and NumPy
views either without a copy."""


def map_file(path: Path, at_least: int) -> Text:
    """The bytes of the file at ``path``: a regular file of ``at_least`` bytes or more mapped
    read-only, its pages mapped at once, not read. Reading copies the file into fresh
    memory, page by page zeroed by the kernel first: 10^6 ballots of CSV (64 MB) took
    60-160 ms read, against 5-30 ms mapped (load 8 on 2 cores). A file cut short while it
    is being counted ends the process (SIGBUS), as it does any program that maps its
    input."""
    return _map(path, at_least)[0]


Identity = tuple[int, int, int, int]
"""A file's device, inode, size and modification time (ns): the same file, unchanged."""


def _map(path: Path, at_least: int) -> tuple[Text, Identity]:
    with path.open("rb") as handle:
        status = os.fstat(handle.fileno())
        identity = (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)
        size = status.st_size  # 0 for a pipe: read
        if size < at_least or os.name != "posix":
            return handle.read(), identity
        populate = getattr(mmap, "MAP_POPULATE", 0)  # Linux's: every page mapped now
        try:
            mapped = mmap.mmap(
                handle.fileno(), 0, flags=mmap.MAP_PRIVATE | populate, prot=mmap.PROT_READ
            )
        except (OSError, ValueError):  # a file that cannot be mapped is read
            return handle.read(), identity
        return mapped, identity


class _Early:
    """One file being mapped in a thread, and what came of it."""

    def __init__(self, path: Path, at_least: int) -> None:
        self.path, self.at_least = path, at_least
        self.found: tuple[Text, Identity] | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)  # never waited on at exit
        self.thread.start()

    def _run(self) -> None:
        try:
            self.found = _map(self.path, self.at_least)
        except (OSError, ValueError):  # the reader maps it again, and reports the fault
            self.found = None


_early: _Early | None = None
_early_lock = threading.Lock()


def map_early(path: Path, at_least: int) -> None:
    """Start mapping the file at ``path`` in a thread (a regular file of ``at_least`` bytes
    or more; nothing is done for any other)."""
    global _early
    try:
        if not path.is_file() or path.stat().st_size < at_least:
            return
    except OSError:
        return
    with _early_lock:
        _early = _Early(path, at_least)


def mapped_early(path: Path, at_least: int) -> Text | None:
    """What ``map_early`` mapped of ``path`` with the same ``at_least``, if the file is still
    the one it mapped; ``None`` otherwise. Taken once: a second call is ``None``."""
    global _early
    with _early_lock:
        early, _early = _early, None
    if early is None or early.path != path or early.at_least != at_least:
        return None
    early.thread.join()
    if early.found is None:
        return None
    data, identity = early.found
    try:
        status = path.stat()
    except OSError:
        return None
    if (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns) != identity:
        return None
    return data


def forget_early() -> None:
    """Let go of a file mapped early and not taken (its reader reads it another way)."""
    global _early
    with _early_lock:
        early, _early = _early, None
    if early is not None:
        early.thread.join()
