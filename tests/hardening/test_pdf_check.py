"""Issue 12, defect 8: the PDF check parses the file, so escaped names (/J#61vaScript,
/L#61unch) and actions hidden in compressed object streams are refused."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from fpdf import FPDF

from portal.assessments import evidence

LIMITS = {"max_bytes": 10 * 1024 * 1024, "max_pixels": 40_000_000}


def build_pdf(objects: dict[int, bytes], *, in_object_stream: tuple[int, ...] = ()) -> bytes:
    """A PDF with a cross-reference stream; ``in_object_stream`` objects go, compressed,
    into one object stream (so their text is not visible in the file's bytes)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    stream_num = max(objects) + 1
    xref_num = stream_num + 1
    for num, body in sorted(objects.items()):
        if num in in_object_stream:
            continue
        offsets[num] = out.tell()
        out.write(b"%d 0 obj\n" % num + body + b"\nendobj\n")
    compressed: dict[int, int] = {}
    if in_object_stream:
        header, payload = b"", b""
        for index, num in enumerate(in_object_stream):
            header += b"%d %d " % (num, len(payload))
            payload += objects[num] + b"\n"
            compressed[num] = index
        data = zlib.compress(header + payload)
        offsets[stream_num] = out.tell()
        out.write(
            b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n"
            % (stream_num, len(in_object_stream), len(header), len(data))
            + b"stream\n"
            + data
            + b"\nendstream\nendobj\n"
        )
    offsets[xref_num] = out.tell()
    rows = [struct.pack(">BIH", 0, 0, 0xFFFF)]
    for num in range(1, xref_num + 1):
        if num in compressed:
            rows.append(struct.pack(">BIH", 2, stream_num, compressed[num]))
        elif num in offsets:
            rows.append(struct.pack(">BIH", 1, offsets[num], 0))
        else:
            rows.append(struct.pack(">BIH", 0, 0, 0))
    table = b"".join(rows)
    out.write(
        b"%d 0 obj\n<< /Type /XRef /Size %d /Root 1 0 R /W [1 4 2] /Length %d >>\nstream\n"
        % (xref_num, xref_num + 1, len(table))
        + table
        + b"\nendstream\nendobj\n"
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % offsets[xref_num])
    return out.getvalue()


def document(action: bytes | None, *, in_object_stream: bool = False) -> bytes:
    catalog = (
        b"<< /Type /Catalog /Pages 2 0 R" + (b" /OpenAction 4 0 R" if action else b"") + b" >>"
    )
    objects = {
        1: catalog,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    }
    if action:
        objects[4] = action
    return build_pdf(objects, in_object_stream=(4,) if action and in_object_stream else ())


def plain_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Bien ban kiem tra")
    return bytes(pdf.output())


def test_plain_pdfs_are_accepted():
    for data in (plain_pdf(), document(None)):
        clean = evidence.clean_upload(data, **LIMITS)
        assert clean.kind == "pdf"
        assert clean.content == data


@pytest.mark.parametrize(
    "action",
    [
        b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",
        b"<< /S /JavaScript /JS (app.alert(1)) >>",
        b"<< /S /L#61unch /F (cmd.exe) >>",
        b"<< /S /Launch /Win << /F (calc.exe) >> >>",
        b"<< /Type /Action /S /GoTo /D [3 0 R /Fit] /Next << /S /J#61vaScript /J#53 (x) >> >>",
    ],
)
@pytest.mark.parametrize("in_object_stream", [False, True])
def test_javascript_and_launch_actions_are_refused(action, in_object_stream):
    data = document(action, in_object_stream=in_object_stream)
    if in_object_stream:
        assert b"Launch" not in data and b"JavaScript" not in data and b"/JS" not in data
    with pytest.raises(evidence.EvidenceError):
        evidence.clean_upload(data, **LIMITS)


@pytest.mark.parametrize("action", [b"/S /J#61vaScript /J#53 (x)", b"/S /L#61unch /F (calc)"])
def test_a_pdf_pypdf_cannot_read_is_still_searched_with_names_decoded(action):
    # No startxref: viewers repair such a file, so its objects are still looked at.
    data = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"3 0 obj << " + action + b" >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    with pytest.raises(evidence.EvidenceError):
        evidence.clean_upload(data, **LIMITS)
    hidden = zlib.compress(b"<< " + action + b" >>")
    data = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n4 0 obj << /Type /ObjStm "
        b"/Filter /FlateDecode >>\nstream\n" + hidden + b"\nendstream\nendobj\n%%EOF\n"
    )
    with pytest.raises(evidence.EvidenceError):
        evidence.clean_upload(data, **LIMITS)
