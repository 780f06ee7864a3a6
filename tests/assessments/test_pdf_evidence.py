"""Issue 22, finding 6: PDF evidence is searched everywhere for active content.

A JavaScript OpenAction in an object left out of the cross-reference table and an XFA form
carrying JavaScript were accepted; an object stream compressed with /JBIG2Decode answered
500. Each PDF below is built byte by byte and uploaded through the checklist page.
"""

from __future__ import annotations

import io
import zlib

import pytest
from fpdf import FPDF

from portal.assessments.models import Evidence
from tests.hardening.test_pdf_check import build_pdf

from .conftest import criterion, use_english

SCRIPTS = "PDFs with scripts or embedded files are not accepted."
UNREADABLE = "The PDF cannot be read."
PAGES = {
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
}


def classic_pdf(objects: dict[int, bytes], *, left_out: tuple[int, ...] = ()) -> bytes:
    """A PDF with a classic ``xref`` table that omits the objects in ``left_out``: their
    bytes are in the file, where a repairing viewer finds them, but not in the table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = {}
    for num, body in sorted(objects.items()):
        offsets[num] = out.tell()
        out.write(b"%d 0 obj\n" % num + body + b"\nendobj\n")
    size = max(objects) + 1
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for num in range(1, size):
        if num in offsets and num not in left_out:
            out.write(b"%010d 00000 n \n" % offsets[num])
        else:
            out.write(b"0000000000 65535 f \n")
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, start))
    return out.getvalue()


def stream(body: bytes, extra: bytes = b"") -> bytes:
    data = zlib.compress(body)
    return (
        b"<< /Filter /FlateDecode /Length %d %s>>\nstream\n" % (len(data), extra)
        + data
        + b"\nendstream"
    )


def plain_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Bien ban kiem tra")
    return bytes(pdf.output())


HIDDEN_OPEN_ACTION = classic_pdf(
    {
        1: b"<< /Type /Catalog /Pages 2 0 R /Op#65nAction 4 0 R >>",
        **PAGES,
        4: b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",
    },
    left_out=(4,),
)
XFA_WITH_SCRIPT = classic_pdf(
    {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R >>",
        **PAGES,
        4: b"<< /Fields [] /X#46A 5 0 R >>",
        5: stream(
            b'<xdp:xdp><template><subform><event activity="initialize"><script '
            b'contentType="application/x-javascript">app.alert(1)</script></event>'
            b"</subform></template></xdp:xdp>"
        ),
    },
)
JBIG2_OBJECT_STREAM = build_pdf(
    {1: b"<< /Type /Catalog /Pages 2 0 R >>", **PAGES, 4: b"<< /Producer (x) >>"},
    in_object_stream=(4,),
).replace(b"/Filter /FlateDecode", b"/Filter /JBIG2Decode")
#: Object stream outside the table, holding a dictionary with an escaped action name.
HIDDEN_OBJECT_STREAM = classic_pdf(
    {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        **PAGES,
        4: stream(b"5 0 << /S /R#69chMediaExecute >>", b"/Type /ObjStm /N 1 /First 4 "),
    },
    left_out=(4,),
)


def _pdf_with(entry: bytes) -> bytes:
    return classic_pdf(
        {1: b"<< /Type /Catalog /Pages 2 0 R " + entry + b" >>", **PAGES}, left_out=()
    )


REFUSED = {
    "JavaScript OpenAction outside the xref table": (HIDDEN_OPEN_ACTION, SCRIPTS),
    "XFA form with JavaScript": (XFA_WITH_SCRIPT, SCRIPTS),
    "JBIG2 object stream": (JBIG2_OBJECT_STREAM, "JBIG2"),
    "object stream outside the xref table": (HIDDEN_OBJECT_STREAM, SCRIPTS),
    "OpenAction dictionary": (_pdf_with(b"/OpenAction << /S /GoTo /D [3 0 R /Fit] >>"), SCRIPTS),
    "additional actions": (_pdf_with(b"/A#41 << /O << /S /GoTo /D [3 0 R /Fit] >> >>"), SCRIPTS),
    "submit form": (_pdf_with(b"/Names << /X << /S /SubmitForm /F (x) >> >>"), SCRIPTS),
    "import data": (_pdf_with(b"/Names << /X << /S /Imp#6frtData /F (x) >> >>"), SCRIPTS),
    "embedded files": (_pdf_with(b"/Names << /EmbeddedFiles << /Names [] >> >>"), SCRIPTS),
    "rich media": (_pdf_with(b"/X << /Subtype /RichMedia >>"), SCRIPTS),
    "unreadable": (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF\n", UNREADABLE),
    "garbage": (b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n", UNREADABLE),
}


def _upload(client, assessment, c, data: bytes):
    return client.post(
        f"/assessments/{assessment.id}",
        data={"action": "save", f"c{c.id}-file": (io.BytesIO(data), "bien-ban.pdf")},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("name", list(REFUSED))
def test_active_or_unreadable_pdfs_are_refused(
    client, auth, users, assessment, standard_version, count_rows, name
):
    data, message = REFUSED[name]
    auth.login(users["manager"])
    use_english(client)
    response = _upload(client, assessment, criterion(standard_version, "TD03"), data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "TD03: file refused." in page
    assert message in page
    assert count_rows(Evidence) == 0


def test_the_refusals_are_translated(client, auth, users, assessment, standard_version):
    auth.login(users["manager"])
    c = criterion(standard_version, "TD03")
    page = _upload(client, assessment, c, REFUSED["unreadable"][0]).get_data(as_text=True)
    assert UNREADABLE not in page and "Không đọc được tệp PDF" in page
    page = _upload(client, assessment, c, JBIG2_OBJECT_STREAM).get_data(as_text=True)
    assert "Không chấp nhận tệp PDF nén ảnh kiểu JBIG2" in page


@pytest.mark.parametrize(
    "data",
    [plain_pdf(), _pdf_with(b"/OpenAction [3 0 R /Fit]"), _pdf_with(b"/URI << /Base (x) >>")],
)
def test_plain_pdfs_are_still_accepted(
    client, auth, users, assessment, standard_version, count_rows, data
):
    auth.login(users["manager"])
    response = _upload(client, assessment, criterion(standard_version, "TD03"), data)
    assert response.status_code == 302
    assert count_rows(Evidence) == 1
