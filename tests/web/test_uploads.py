"""Uploads and names: photos are decoded and written anew, served as images only; names and
titles are checked when entered, so a bundle can always be written and verified."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from typer.testing import CliRunner

from omov.cli import app
from omov.cli import commands as _commands  # noqa: F401  (registers the commands)
from omov.web.access.models import Role
from omov.web.balloting.services import ballot_cast, ballot_close
from omov.web.contests.models import Candidate, Contest
from omov.web.contests.services import candidate_add
from omov.web.errors import ContestError
from omov.web.results.services import result_count, result_publish
from omov.web.trust.models import OrganisationKey

from .conftest import ballot_ready, officer_of, open_contest

pytestmark = pytest.mark.django_db

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def png(size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, format="PNG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels, with no pixels after it: a
    decoder that believed it would allocate gigabytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.fixture
def media(settings: object, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    return tmp_path


def add(contest: Contest, name: str, data: bytes, filename: str) -> Client:
    officer = officer_of(contest.organisation, Role.RETURNING_OFFICER)
    upload = SimpleUploadedFile(filename, data, content_type="image/png")
    officer.post(reverse("candidate-add", args=[contest.pk]), {"name": name, "photo": upload})
    return officer


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


def test_a_png_header_with_an_html_body_is_refused(media: Path) -> None:
    contest = open_contest()
    officer = add(contest, "Mallory", b"\x89PNG\r\n\x1a\n" + HTML, "mallory.html")
    page = officer.get(reverse("contest-dashboard", args=[contest.pk])).content
    assert b"could not be read as a JPEG, PNG or WebP image" in page
    assert not Candidate.objects.exists()
    assert stored_files(media) == []


def test_a_real_png_with_html_behind_it_is_written_anew_and_served_as_a_jpeg(
    media: Path,
) -> None:
    contest = open_contest()
    add(contest, "Mallory", png() + HTML, "mallory.html")
    candidate = Candidate.objects.get()
    name = Path(candidate.photo.name).name
    assert name.endswith(".jpg")
    assert "mallory" not in name
    (stored,) = stored_files(media)
    data = stored.read_bytes()
    assert b"<script" not in data
    assert data.startswith(b"\xff\xd8\xff")
    served = Client().get(reverse("candidate-photo", args=[contest.pk, candidate.position]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    body = b"".join(served.streaming_content)  # type: ignore[attr-defined]
    assert body == data
    assert Image.open(io.BytesIO(body)).format == "JPEG"


def test_an_old_upload_under_an_html_name_is_still_served_as_an_image(media: Path) -> None:
    contest = open_contest()
    candidate = candidate_add(contest=contest, name="Old Upload")
    (media / "candidates").mkdir()
    (media / "candidates" / "old.html").write_bytes(HTML)
    Candidate.objects.filter(pk=candidate.pk).update(photo="candidates/old.html")
    served = Client().get(reverse("candidate-photo", args=[contest.pk, candidate.position]))
    assert served["Content-Type"] == "image/jpeg"
    missing = Client().get(reverse("candidate-photo", args=[contest.pk, 99]))
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("data", "fault"),
    [
        (png_claiming(60_000, 60_000), "more than 24 million pixels"),
        (b"\x89PNG\r\n\x1a\n" + bytes(2**20), "larger than 1 MB"),
        (b"GIF89a" + bytes(100), "could not be read"),
    ],
    ids=["too-many-pixels", "too-large", "gif"],
)
def test_photos_are_size_capped_and_of_three_formats(media: Path, data: bytes, fault: str) -> None:
    contest = open_contest()
    with pytest.raises(ContestError, match=fault):
        candidate_add(contest=contest, name="Big", photo=SimpleUploadedFile("p.png", data))
    assert not Candidate.objects.exists()
    assert stored_files(media) == []


def test_a_photo_loses_its_metadata_and_is_scaled_down(media: Path) -> None:
    contest = open_contest()
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"  # Make
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200)).save(out, format="JPEG", exif=exif)
    candidate = candidate_add(
        contest=contest, name="Pat", photo=SimpleUploadedFile("p.jpg", out.getvalue())
    )
    stored = Image.open(candidate.photo.open("rb"))
    assert max(stored.size) <= 480
    assert b"Camera Maker" not in candidate.photo.open("rb").read()


@pytest.mark.parametrize(
    ("name", "fault"),
    [
        ("Jane\u202eSmith", "U+202E"),  # a right-to-left override: shows one name, sorts as another
        ("Jane\nSmith", None),  # white space is one space: stored as "Jane Smith"
        ("Jane\x00Smith", "U+0000"),
        ("x" * 121, "longer than 120"),
    ],
)
def test_names_are_checked_when_entered(name: str, fault: str | None) -> None:
    contest = open_contest()
    if fault is None:
        assert candidate_add(contest=contest, name=name).name == "Jane Smith"
        return
    with pytest.raises(ContestError, match=re.escape(fault)):
        candidate_add(contest=contest, name=name)


def test_names_one_case_or_one_quote_apart_are_one_name() -> None:
    contest = open_contest()
    candidate_add(contest=contest, name='Jane "JJ" Smith')
    for twin in ("jane “JJ” smith", 'JANE  "JJ"  SMITH'):
        with pytest.raises(ContestError, match="already a candidate"):
            candidate_add(contest=contest, name=twin)


def test_a_quoted_name_builds_a_bundle_that_verifies(tmp_path: Path) -> None:
    names = ('Jane "JJ" Smith', "Bob, the Builder", "O'Brien\u00a0Ní Dhuibhir")
    ready = ballot_ready(names=names, title='The "Big" Election')
    contest = ready.contest
    trackers = [
        ballot_cast(contest=contest, code=code, ranking=ranking)
        for code, ranking in zip(ready.codes.values(), ([1, 2], [2, 1, 3], [3]), strict=False)
    ]
    ballot_close(contest=contest, reason="the test closes it early")
    ready.mix_and_decrypt()
    result_count(contest=contest)
    result_publish(contest=contest)
    assert Candidate.objects.filter(contest=contest, name='Jane "JJ" Smith').exists()
    bundle = tmp_path / "bundle"
    runner = CliRunner()
    built = runner.invoke(app, ["bundle", "build", str(contest.pk), "-o", str(bundle)])
    assert built.exit_code == 0, built.output
    blt = (bundle / "ballots.blt").read_text(encoding="utf-8")
    assert '"Jane “JJ” Smith"' in blt
    assert '"The “Big” Election"' in blt
    fingerprint = OrganisationKey.objects.get().fingerprint
    verified = runner.invoke(
        app,
        ["verify", str(bundle), "--tracker", trackers[0].lower(), "--expect-key", fingerprint],
    )
    assert verified.exit_code == 0, verified.output
    assert "FAIL" not in verified.output
    download = Client().get(reverse("bundle-download", args=[contest.pk]))
    assert download.status_code == 200
