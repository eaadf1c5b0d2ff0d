"""Where a bundle is read from: its directory, the directory it was unzipped into, or the
zip itself as the results page serves it.

The web app's zip holds the bundle under one folder (``contest-N-bundle/``), so unzipping it
into a directory of one's choosing leaves the bundle one level down; both that directory and
the zip as it is are taken. A zip is read as strictly as a directory (``files``): regular
members only (a symbolic link, a device or a pipe stored in the archive is refused, never
made), no absolute path or ``..``, no name twice, nothing encrypted, and no more bytes than
a bundle could hold; each member is read once, checked against its CRC, and never written
to disk.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from omov.ledger.bundle import MARKER
from omov.ledger.errors import BundleError
from omov.ledger.verify.files import MAX_DEPTH, BundleFiles, read_bundle_files

MAX_ZIP_BYTES = 1 << 34
"""What a zip's members may hold in all (16 GiB): more is refused before any is read (a
bundle of a million ballots holds well under 1 GiB; a "zip bomb" declares far more)."""


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
            members = [m for m in archive.infolist() if not m.is_dir()]
            if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise BundleError(f"{path}: the zip's files would hold over 16 GiB; refused")
            prefix = _common_folder(members, marker)
            data: dict[str, bytes] = {}
            refused: dict[str, str] = {}
            for member in members:
                rel = member.filename.removeprefix(prefix)
                why = _refusal(member, rel, data, refused)
                if why is not None:
                    refused[rel or member.filename] = why
                    continue
                try:
                    data[rel] = archive.read(member)
                except (zipfile.BadZipFile, OSError, EOFError) as error:
                    refused[rel] = f"cannot be read from the zip ({error})"
    except zipfile.BadZipFile:
        raise BundleError(f"{path}: not a zip file (give the bundle's zip or directory)") from None
    except OSError as error:
        raise BundleError(f"{path}: cannot be read ({error.strerror})") from None
    if marker not in data and marker not in refused:
        raise BundleError(f"{path}: no {marker} in the zip; this is not an omov bundle")
    return BundleFiles(MappingProxyType(data), MappingProxyType(refused))


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
        return "nested too deep"
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
