"""Evidence uploads: what is refused, what is cleaned, how files are stored and served."""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from fpdf import FPDF
from PIL import Image

from portal.assessments import evidence as files
from portal.assessments.models import Evidence
from portal.audit.models import AuditEntry
from portal.config import ROOT
from portal.extensions import db

from .conftest import criterion, make_photo, use_english

MAX = 10 * 1024 * 1024


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _pdf(extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        + extra
        + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


BAD_UPLOADS = {
    "zero bytes": (b"", "The file is empty."),
    "truncated JPEG": (make_photo(3)[:2000], "damaged or incomplete"),
    "HTML renamed .jpg": (
        b"<!doctype html><html><script>alert(document.cookie)</script></html>",
        "Only photos (JPEG, PNG, WebP, HEIC) and PDF documents are accepted.",
    ),
    "SVG": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "Only photos (JPEG, PNG, WebP, HEIC) and PDF documents are accepted.",
    ),
    "ZIP": (b"PK\x03\x04" + b"\x00" * 200, "Only photos"),
    "GIF": (make_photo(4, fmt="GIF"), "Only photos"),
    "decompression bomb 20000x20000": (
        _png_header_only(20000, 20000),
        "too many pixels",
    ),
    "48 MP over the 40 MP limit": (_png_header_only(8000, 6000), "48 megapixels; at most 40"),
    "PDF with JavaScript": (
        _pdf(b"3 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n"),
        "PDFs with scripts",
    ),
    "truncated PDF": (_pdf()[:60], "The PDF is incomplete"),
}


@pytest.mark.parametrize("name", list(BAD_UPLOADS))
def test_clean_upload_refuses(app, name):
    data, message = BAD_UPLOADS[name]
    with app.test_request_context(), pytest.raises(files.EvidenceError) as info:
        files.clean_upload(data, max_bytes=MAX, max_pixels=40_000_000)
        assert message in str(info.value.message)


def _upload(client, assessment, c, data: bytes, filename: str = "photo.jpg", **extra):
    return client.post(
        f"/assessments/{assessment.id}",
        data={"action": "save", f"c{c.id}-file": (io.BytesIO(data), filename), **extra},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("name", list(BAD_UPLOADS))
def test_bad_upload_is_refused_with_a_clear_message(
    client, auth, users, assessment, standard_version, name, count_rows, tmp_path
):
    data, message = BAD_UPLOADS[name]
    auth.login(users["manager"])
    use_english(client)
    response = _upload(client, assessment, criterion(standard_version, "TD03"), data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "TD03: file refused." in page
    assert message in page
    assert count_rows(Evidence) == 0
    evidence_dir = tmp_path / "evidence"
    assert not evidence_dir.exists() or list(evidence_dir.iterdir()) == []


def test_oversized_file_is_refused(client, auth, users, assessment, standard_version, app):
    app.config["EVIDENCE_MAX_BYTES"] = 50_000
    auth.login(users["manager"])
    use_english(client)
    noise = Image.frombytes("RGB", (400, 300), random.Random(6).randbytes(400 * 300 * 3))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    big = out.getvalue()
    assert len(big) > 50_000
    response = _upload(client, assessment, criterion(standard_version, "TD03"), big)
    assert response.status_code == 422
    assert "The file is too large (at most 0 MB)." in response.get_data(as_text=True)


def test_request_over_the_upload_limit_gets_413(
    client, auth, users, assessment, standard_version, app, count_rows
):
    app.config["EVIDENCE_MAX_REQUEST_BYTES"] = 100_000
    auth.login(users["manager"])
    response = _upload(client, assessment, criterion(standard_version, "TD03"), b"x" * 200_000)
    assert response.status_code == 413
    assert count_rows(Evidence) == 0


def test_other_views_keep_the_small_app_wide_limit(client, auth, users, app):
    """Only the checklist view gets the larger limits."""
    app.config["MAX_CONTENT_LENGTH"] = 1000
    auth.login(users["admin"])
    response = client.post(
        "/assessments/periods/new",
        data={"f": (io.BytesIO(b"x" * 5000), "x.bin")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (21.0, 19.0, 12.5)
    gps[3] = "E"
    gps[4] = (105.0, 24.0, 3.0)
    return exif


def test_photo_is_reencoded_without_exif_and_gps(
    client, auth, users, assessment, standard_version, tmp_path
):
    original = make_photo(7, exif=_gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # GPS present
    auth.login(users["manager"])
    response = _upload(client, assessment, criterion(standard_version, "TD03"), original)
    assert response.status_code == 302
    item = db.session.scalars(sa.select(Evidence)).one()
    stored = (tmp_path / "evidence" / item.storage_name).read_bytes()
    assert stored != original
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    assert item.kind == "photo" and item.phash and len(item.phash) == 16


def test_files_get_random_names_outside_static(
    client, auth, users, assessment, standard_version, tmp_path
):
    auth.login(users["manager"])
    c = criterion(standard_version, "TD03")
    _upload(client, assessment, c, make_photo(8), filename="../../static/evil.jpg")
    _upload(client, assessment, c, make_photo(9), filename="../../static/evil.jpg")
    items = db.session.scalars(sa.select(Evidence).order_by(Evidence.id)).all()
    assert len(items) == 2
    names = [i.storage_name for i in items]
    assert names[0] != names[1]
    for name in names:
        assert "evil" not in name and "/" not in name
        assert (tmp_path / "evidence" / name).is_file()
    assert not list(Path(ROOT / "static").rglob("*evil*"))


def test_pdf_is_accepted_and_served_as_attachment(
    client, auth, users, assessment, standard_version
):
    auth.login(users["manager"])
    # A well-formed PDF (one page, a cross-reference table): a file the parser cannot read
    # is refused since issue 22 (tests/assessments/test_pdf_evidence.py).
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Mau bien ban")
    data = bytes(pdf.output())
    response = _upload(client, assessment, criterion(standard_version, "BM01"), data, "mau.pdf")
    assert response.status_code == 302
    item = db.session.scalars(sa.select(Evidence)).one()
    assert item.kind == "pdf" and item.phash is None
    with client.get(f"/assessments/evidence/{item.id}") as served:
        assert served.status_code == 200
        assert served.data == data
        assert served.headers["Content-Type"] == "application/pdf"
        assert served.headers["Content-Disposition"].startswith("attachment;")


def test_photo_is_served_with_protective_headers(client, auth, users, assessment, standard_version):
    auth.login(users["manager"])
    _upload(client, assessment, criterion(standard_version, "TD03"), make_photo(10))
    item = db.session.scalars(sa.select(Evidence)).one()
    with client.get(f"/assessments/evidence/{item.id}") as served:
        assert served.status_code == 200
        assert served.headers["Content-Type"] == "image/jpeg"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Content-Security-Policy"].startswith("sandbox")
        assert served.headers["Content-Disposition"].startswith("inline;")
        assert "no-store" in served.headers["Cache-Control"]


def test_heic_photo_is_accepted_when_the_decoder_is_installed(app):
    if not files.HEIC_SUPPORTED:
        pytest.skip("pillow-heif is not installed")
    out = io.BytesIO()
    Image.open(io.BytesIO(make_photo(11))).save(out, format="HEIF")
    clean = files.clean_upload(out.getvalue(), max_bytes=MAX, max_pixels=40_000_000)
    assert clean.kind == "photo" and clean.content_type == "image/jpeg"


def test_upload_and_removal_are_audited(
    client, auth, users, assessment, standard_version, tmp_path
):
    auth.login(users["manager"])
    _upload(client, assessment, criterion(standard_version, "TD03"), make_photo(12))
    item = db.session.scalars(sa.select(Evidence)).one()
    path = tmp_path / "evidence" / item.storage_name
    assert path.is_file()
    assert client.post(f"/assessments/evidence/{item.id}/delete").status_code == 302
    assert not path.exists()
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["evidence.add", "evidence.delete"]


def test_file_path_refuses_names_leaving_the_directory(tmp_path):
    for name in ("../x.jpg", "a/b.jpg", ".hidden", ""):
        with pytest.raises(ValueError):
            files.file_path(tmp_path, name)


def test_files_are_removed_when_the_save_fails(
    client, auth, users, assessment, standard_version, tmp_path, monkeypatch
):
    from portal.assessments import services

    def broken_submit(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "submit", broken_submit)
    auth.login(users["manager"])
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    response = _upload(
        client, assessment, criterion(standard_version, "TD03"), make_photo(13), action="submit"
    )
    assert response.status_code == 500
    assert db.session.scalars(sa.select(Evidence)).all() == []
    assert list((tmp_path / "evidence").iterdir()) == []
