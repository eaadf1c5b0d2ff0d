"""Where a bundle is read from: its directory, the directory it was unzipped into, or the
zip itself as the results page serves it.

The web app's zip holds the bundle under one folder (``contest-N-bundle/``), so unzipping it
into a directory of one's choosing leaves the bundle one level down; both that directory and
the zip as it is are taken. A zip is read as strictly as a directory (``files``): regular
members only (a symbolic link, a device or a pipe stored in the archive is refused, never
made), no absolute path or ``..``, no name twice, nothing encrypted, and no more bytes than
a bundle could hold; each member is read once, checked against its CRC, and never written
to disk.

Anyone may hand ``omov verify`` a zip, so it is read as one made to exhaust memory could
be (a "zip bomb": a few kilobytes of zip can unpack to gigabytes). Before any member is
read, the zip's directory must declare no more than ``MAX_MEMBERS`` entries and
``MAX_UNPACKED`` bytes in all, and no large member packed over ``MAX_RATIO`` times
(``_refuse_a_bomb``: one ``BundleError`` line). No member is then read past its declared
size: one that holds more (or less) than its entry declares is refused (``_read_member``),
so the directory's sizes bind.
"""

from __future__ import annotations

import copy
import lzma
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from omov.ledger.bundle import MARKER
from omov.ledger.errors import BundleError
from omov.ledger.verify.files import MAX_DEPTH, NESTED_TOO_DEEP, BundleFiles, read_bundle_files

MAX_MEMBERS = 40_000
"""Entries a bundle's zip may hold. A bundle has some 15 files, one BLT a published section
(a section's number is an int16 on the board: at most 32,767) and a signature a signer."""
MAX_UNPACKED = 1 << 34
"""What a zip's members may unpack to in all (16 GiB). Measured: 650,000 ballots of 16
candidates unpack to 34 MB (52 bytes a ballot: the board, trackers, BLT and log); an
encrypted contest adds 171 bytes a ballot for its ballot boxes, 299 for each mix and 43 for
each trustee's decryption share, so 650,000 ballots with two mixes and two shares (the
demo's) come to 0.6 GB, and with all 32 trustees a rulebook allows mixing and sharing to
7.3 GB (10^6 ballots, bench/verify.py's size: 11.2 GB). More is refused before any member
is read."""
MAX_RATIO = 100
"""How many times its packed size a large member may unpack to. A bundle's large members
pack 1 to 5 times in the results page's zip (Parquet and ciphertexts hardly at all, the
log 4, the BLT 5), its small JSON reports up to 9; deflate reaches 1,032, and a "zip bomb"
does."""
RATIO_FROM = 1 << 20
"""Members smaller than this (1 MiB) may unpack at any ratio: their size and their number
bound them."""


def bundle_files(path: Path, *, marker: str = MARKER) -> tuple[Path, BundleFiles]:
    """The bundle's root and every file it holds, from a directory or a zip file; a one-line
    ``BundleError`` if ``path`` is neither or holds no omov bundle. ``marker``: the file
    that marks a bundle of the kind wanted (a petition's count has its own)."""
    if path.is_file() and not path.is_symlink():
        return path, read_zip_files(path, marker=marker)
    return (root := bundle_root(path, marker=marker)), read_bundle_files(root)


def bundle_root(directory: Path, *, marker: str = MARKER) -> Path:
    """``directory`` if it holds the bundle's marker, or the one folder in it that does (a
    zip from the results page unzipped into ``directory``)."""
    if not directory.is_dir():
        raise BundleError(f"{directory}: no such directory or zip file")
    entries = list(directory.iterdir())
    if not entries:
        raise BundleError(f"{directory}: the directory is empty, not an omov results bundle")
    if len(entries) == 1 and _real_directory(only := entries[0]) and (only / marker).exists():
        return only
    return directory


def _real_directory(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def read_zip_files(path: Path, *, marker: str = MARKER) -> BundleFiles:
    """Every regular member of the zip by its path in the bundle, and what was refused."""
    try:
        with zipfile.ZipFile(path) as archive:
            _refuse_a_bomb(path, archive.infolist())
            members = [m for m in archive.infolist() if not m.is_dir()]
            prefix = _common_folder(members, marker)
            data: dict[str, bytes] = {}
            refused: dict[str, str] = {}
            for member in members:
                rel = member.filename.removeprefix(prefix)
                why = _refusal(member, rel, data, refused)
                if why is not None:
                    refused[rel or member.filename] = why
                    continue
                read = _read_member(archive, member)
                if isinstance(read, bytes):
                    data[rel] = read
                else:
                    refused[rel] = read
    except zipfile.BadZipFile:
        raise BundleError(f"{path}: not a zip file (give the bundle's zip or directory)") from None
    except OSError as error:
        raise BundleError(f"{path}: cannot be read ({error.strerror})") from None
    if marker not in data and marker not in refused:
        raise BundleError(f"{path}: no {marker} in the zip; this is not an omov bundle")
    return BundleFiles(MappingProxyType(data), MappingProxyType(refused))


def _refuse_a_bomb(path: Path, entries: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip whose directory declares too many entries, too many bytes in all or a
    large member packed too tightly, before any member is read."""
    if len(entries) > MAX_MEMBERS:
        raise BundleError(f"{path}: refused: the zip holds over {MAX_MEMBERS:,} entries")
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED:
        raise BundleError(
            f"{path}: refused: the zip's files would unpack to over {MAX_UNPACKED >> 30} GiB"
        )
    for entry in entries:
        if entry.file_size > RATIO_FROM and entry.file_size > MAX_RATIO * entry.compress_size:
            raise BundleError(
                f"{path}: refused: a member of the zip would unpack to over {MAX_RATIO} times"
                " its packed size (a zip bomb?)"
            )


READ_ERRORS = (zipfile.BadZipFile, OSError, EOFError, zlib.error, lzma.LZMAError)
"""What zipfile raises for a member it cannot unpack: a bad CRC, or a truncated or corrupt
deflate, bzip2 or LZMA stream."""


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes | str:
    """The member's bytes, or why it is refused. Its size in the zip's directory is not
    trusted: zipfile is let read one byte past it and no further, so a member whose stream
    holds more than its entry declares is refused at the cost of one byte over (zipfile on
    its own stops at the declared size and hands back that prefix, which passes if the
    entry's CRC is the prefix's); one that holds less is refused too. The CRC is checked
    here, once the length holds (zipfile's own check would see the byte over first)."""
    declared = member.file_size
    capped = copy.copy(member)
    capped.file_size = declared + 1
    capped.CRC = None  # type: ignore[assignment]  # zipfile checks no CRC of None
    try:
        with archive.open(capped) as stream:
            data = stream.read(declared + 1)
    except READ_ERRORS as error:
        return f"cannot be read from the zip ({error})"
    except NotImplementedError:
        return "packed by a method this omov cannot unpack"
    if len(data) != declared:
        more = "more" if len(data) > declared else "fewer"
        return f"holds {more} than the {declared:,} bytes its zip entry declares"
    if zlib.crc32(data) != member.CRC:
        return "cannot be read from the zip (its CRC-32 differs from its entry's)"
    return data


def _common_folder(members: list[zipfile.ZipInfo], marker: str) -> str:
    """``top/`` if every member lies under one folder and the marker is not at the root."""
    names = [m.filename for m in members]
    if not names or marker in names:
        return ""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and all("/" in name for name in names):
        return f"{tops.pop()}/"
    return ""


def _refusal(
    member: zipfile.ZipInfo, rel: str, data: dict[str, bytes], refused: dict[str, str]
) -> str | None:
    """Why a member is not read, or None."""
    parts = PurePosixPath(rel).parts
    if not rel or rel.startswith("/") or "\\" in rel or ".." in parts or ":" in parts[0]:
        return "a path outside the bundle"
    if len(parts) > MAX_DEPTH + 1:
        return NESTED_TOO_DEEP
    if rel in data or rel in refused:
        return "in the zip twice"
    if member.flag_bits & 0x1:
        return "encrypted in the zip"
    mode = member.external_attr >> 16
    if member.create_system == 3 and stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        return f"{_kind(mode)}, not a regular file"
    return None


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"
