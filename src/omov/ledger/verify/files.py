"""Reading a bundle's files safely: regular files only, each read once, nothing followed.

A bundle comes from whoever published it, so the verifier must not be led out of it (a
symbolic link to ``/etc/passwd``), stopped (a named pipe where ``trackers.txt`` should be
blocks the first ``read`` for ever) or fed from a device. The walk looks at every entry
with ``lstat`` semantics, descends only into real directories, and records anything that
is not a regular file as refused; each regular file is then opened with ``O_NOFOLLOW`` and
``O_NONBLOCK`` and checked again with ``fstat`` before a byte is read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

MAX_DEPTH = 8
"""Directories deeper than this are refused (a bundle has two levels)."""
NESTED_TOO_DEEP = f"nested more than {MAX_DEPTH} folders deep"

_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


@dataclass(frozen=True)
class BundleFiles:
    """Every regular file of the bundle by its relative path, and what was refused."""

    data: Mapping[str, bytes]
    refused: Mapping[str, str]
    """Relative path -> why it was not read, one phrase that names the fault and reads
    after the path ('a symbolic link, not a regular file', 'cannot be read (...)')."""

    def get(self, rel: str) -> bytes | None:
        return self.data.get(rel)


def read_bundle_files(root: Path) -> BundleFiles:
    data: dict[str, bytes] = {}
    refused: dict[str, str] = {}
    _walk(root, "", data, refused, 0)
    return BundleFiles(MappingProxyType(data), MappingProxyType(refused))


def _walk(
    directory: Path, prefix: str, data: dict[str, bytes], refused: dict[str, str], depth: int
) -> None:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as error:
        refused[prefix or "."] = f"a folder that cannot be listed ({error.strerror})"
        return
    for entry in entries:
        rel = f"{prefix}{entry.name}"
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as error:
            refused[rel] = f"cannot be read ({error.strerror})"
            continue
        if stat.S_ISDIR(mode):
            if depth >= MAX_DEPTH:
                refused[rel] = NESTED_TOO_DEEP
            else:
                _walk(Path(entry.path), f"{rel}/", data, refused, depth + 1)
        elif stat.S_ISREG(mode):
            read = read_regular(Path(entry.path))
            if isinstance(read, bytes):
                data[rel] = read
            else:
                refused[rel] = read
        else:
            refused[rel] = _kind(mode)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return f"{name}, not a regular file"
    return "not a regular file"


def read_regular(path: Path) -> bytes | str:
    """The file's bytes, or why they cannot be had without following or blocking."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        handle = os.open(path, flags)
    except OSError as error:
        return f"cannot be opened ({error.strerror})"
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            return _kind(info.st_mode)
        chunks = []
        while chunk := os.read(handle, 1 << 24):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    finally:
        os.close(handle)
